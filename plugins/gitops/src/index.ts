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
export { gitopsApiRef, GitopsClient } from './api';
export type {
  DeliveryMetricsQuery,
  GitopsApi,
  GitopsClientOptions,
} from './api';
