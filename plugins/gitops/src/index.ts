/**
 * Frontend of the GitOps plugin set: shows, on the entity page, what Git says
 * should run in each environment of a service.
 *
 * @packageDocumentation
 */
export {
  gitopsPlugin,
  EntityGitopsContent,
  EntityGitopsEnvironmentsCard,
  GitopsFleetPage,
} from './plugin';
export { isGitopsAvailable } from './lib';
export { gitopsApiRef, GitopsClient, policyRefusalOf } from './api';
export type {
  ApprovalsResponse,
  DeliveryMetricsQuery,
  FreezeRequest,
  FreezesResponse,
  GitopsApi,
  GitopsClientOptions,
  PolicyRefusal,
  RolloutRequest,
  VerificationRerunRequest,
  VerificationsResponse,
} from './api';
