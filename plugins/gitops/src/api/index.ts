export { gitopsApiRef } from './GitopsApi';
export type {
  ApprovalsResponse,
  DeliveryMetricsQuery,
  FreezeRequest,
  FreezesResponse,
  GitopsApi,
  RolloutRequest,
  VerificationRerunRequest,
  VerificationsResponse,
} from './GitopsApi';
export { GitopsClient } from './GitopsClient';
export type { GitopsClientOptions } from './GitopsClient';
export { policyRefusalOf } from './responseError';
export type { PolicyRefusal } from './responseError';
