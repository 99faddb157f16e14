/**
 * Scaffolder actions of the GitOps plugin set: `gitops:service:create`, `gitops:promote` and
 * `gitops:environments:describe`.
 *
 * @packageDocumentation
 */

export { scaffolderModuleGitops as default } from './module';
export { createServiceAction } from './actions/createServiceAction';
export { promoteAction } from './actions/promoteAction';
export { describeEnvironmentsAction } from './actions/describeEnvironmentsAction';
export { GitopsBackendClient } from './GitopsBackendClient';
