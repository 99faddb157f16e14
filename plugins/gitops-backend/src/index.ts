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
export type {
  GitopsEnvironmentQuery,
  GitopsEnvironmentResource,
} from './permissions/rules';
export type { EnvironmentConfig } from './service/config';
export type { ServiceTarget } from './service/ServiceLocator';
