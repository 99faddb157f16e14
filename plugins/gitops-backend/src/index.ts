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
