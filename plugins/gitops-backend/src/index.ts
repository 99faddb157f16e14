/**
 * The GitOps backend plugin for Backstage.
 *
 * @packageDocumentation
 */
export { gitopsPlugin as default } from './plugin';
export {
  gitopsEnvironmentConditions,
  createGitopsEnvironmentConditionalDecision,
  gitopsEnvironmentPermissionResourceRef,
  gitopsEnvironmentRules,
} from './permissions/rules';
export type { GitopsEnvironmentResource } from './permissions/rules';
export { DesiredStateReader } from './service/desired/DesiredStateReader';
export type {
  DesiredStateResult,
  ReadDesiredStateOptions,
} from './service/desired/DesiredStateReader';
export { CliGitProvider } from './service/git/CliGitProvider';
export type { CliGitProviderOptions } from './service/git/CliGitProvider';
export { defaultEnvironmentConfig } from './service/config';
export type { EnvironmentConfig } from './service/config';
export type { ServiceTarget } from './service/ServiceLocator';
export { planChange } from './service/promotion/PromotionPlanner';
export type {
  Plan,
  PlanChange,
  PlanTarget,
} from './service/promotion/PromotionPlanner';
