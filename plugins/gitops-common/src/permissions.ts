import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Reading the GitOps state (environments, history) of a catalog entity.
 *
 * @public
 */
export const gitopsEntityReadPermission = createPermission({
  name: 'gitops.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Resource type of the change permissions: one catalog entity in one environment. The
 * catalog's own `catalog-entity` type cannot say which environment a change goes to, and a
 * policy needs that to guard prod more strictly than dev.
 *
 * @public
 */
export const GITOPS_ENVIRONMENT_RESOURCE_TYPE = 'gitops-environment';

/**
 * The resource ref of an entity in an environment: `<entity ref>#<environment>`, e.g.
 * `component:default/guestbook#prod`.
 *
 * @public
 */
export function gitopsEnvironmentResourceRef(
  entityRef: string,
  environment: string,
): string {
  return `${entityRef}#${environment}`;
}

/**
 * Splits a {@link gitopsEnvironmentResourceRef}; `undefined` when it is not one.
 *
 * @public
 */
export function parseGitopsEnvironmentResourceRef(
  resourceRef: string,
): { entityRef: string; environment: string } | undefined {
  const index = resourceRef.lastIndexOf('#');
  if (index <= 0 || index === resourceRef.length - 1) return undefined;
  return {
    entityRef: resourceRef.slice(0, index),
    environment: resourceRef.slice(index + 1),
  };
}

/**
 * Moving a version into an environment: promotions and rollbacks (Git commits).
 *
 * @public
 */
export const gitopsPromotePermission = createPermission({
  name: 'gitops.promote',
  attributes: { action: 'update' },
  resourceType: GITOPS_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Changing replicas or autoscaler bounds of an environment (Git commits).
 *
 * @public
 */
export const gitopsScalePermission = createPermission({
  name: 'gitops.scale',
  attributes: { action: 'update' },
  resourceType: GITOPS_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Asking the GitOps engine to refresh, sync, reconcile, suspend or resume: the only change
 * that reaches a cluster instead of Git.
 *
 * @public
 */
export const gitopsSyncPermission = createPermission({
  name: 'gitops.sync',
  attributes: { action: 'update' },
  resourceType: GITOPS_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Creating a new GitOps-managed service: its files in the GitOps repository (`POST /services`,
 * the scaffolder action `gitops:service:create` on behalf of the user running the template).
 *
 * @public
 */
export const gitopsServiceCreatePermission = createPermission({
  name: 'gitops.service.create',
  attributes: { action: 'create' },
});

/**
 * Approving a version for an environment (`POST …/approvals`); an approval counts only when
 * the approver is one of the environment's approvers and did not ask for the change.
 *
 * @public
 */
export const gitopsApprovePermission = createPermission({
  name: 'gitops.approve',
  attributes: { action: 'update' },
  resourceType: GITOPS_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Proceeding past gates that may be overridden (freeze, window, soak, approvals, verification,
 * a healthy source) with a reason, which is recorded with the change: for on-call.
 *
 * @public
 */
export const gitopsOverridePermission = createPermission({
  name: 'gitops.override',
  attributes: { action: 'update' },
  resourceType: GITOPS_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Declaring and lifting org-wide freezes (`POST|DELETE /freezes`).
 *
 * @public
 */
export const gitopsFreezeManagePermission = createPermission({
  name: 'gitops.freeze.manage',
  attributes: { action: 'update' },
});

/**
 * Pausing and resuming the portal's own automation (auto-promotion, auto-rollback) of an
 * environment of an entity (`POST …/automation`).
 *
 * @public
 */
export const gitopsAutomationManagePermission = createPermission({
  name: 'gitops.automation.manage',
  attributes: { action: 'update' },
  resourceType: GITOPS_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Asking a progressive-delivery controller (Argo Rollouts, Flagger) to promote, promote in
 * full, abort, retry or restart the rollout of an environment (`POST …/rollouts`): like a
 * sync, a request to the cluster, not a Git change.
 *
 * @public
 */
export const gitopsRolloutPermission = createPermission({
  name: 'gitops.rollout',
  attributes: { action: 'update' },
  resourceType: GITOPS_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Every permission of the GitOps plugin set.
 *
 * @public
 */
export const gitopsPermissions = [
  gitopsEntityReadPermission,
  gitopsPromotePermission,
  gitopsScalePermission,
  gitopsSyncPermission,
  gitopsServiceCreatePermission,
  gitopsApprovePermission,
  gitopsOverridePermission,
  gitopsFreezeManagePermission,
  gitopsAutomationManagePermission,
  gitopsRolloutPermission,
];
