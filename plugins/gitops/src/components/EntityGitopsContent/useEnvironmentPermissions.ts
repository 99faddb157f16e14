import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  AsyncPermissionResult,
  usePermission,
} from '@backstage/plugin-permission-react';
import {
  ResourcePermission,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  gitopsApprovePermission,
  gitopsAutomationManagePermission,
  gitopsEnvironmentResourceRef,
  gitopsFreezeManagePermission,
  gitopsOverridePermission,
  gitopsPromotePermission,
  gitopsRolloutPermission,
  gitopsScalePermission,
  gitopsSyncPermission,
} from '@gitops-backstage/plugin-gitops-common';

/** Whether the user may make one kind of change, and if not, why (for the disabled button). */
export interface ChangePermission {
  allowed: boolean;
  loading: boolean;
  /** Why the change is not offered: still checking, denied, or the check failed. */
  reason?: string;
}

/** A permission answer as what the buttons show: allowed, or why not. */
function changePermission(
  answer: AsyncPermissionResult,
  permission: Permission,
  what: string,
): ChangePermission {
  const { loading, allowed, error } = answer;
  if (loading) {
    return {
      allowed: false,
      loading: true,
      reason: `Checking whether you may ${what}…`,
    };
  }
  if (error) {
    return {
      allowed: false,
      loading: false,
      reason: `Could not check whether you may ${what}: ${error.message}`,
    };
  }
  if (!allowed) {
    return {
      allowed: false,
      loading: false,
      reason: `You may not ${what} (permission ${permission.name})`,
    };
  }
  return { allowed: true, loading: false };
}

function useChangePermission(
  permission: ResourcePermission,
  resourceRef: string,
  what: string,
): ChangePermission {
  return changePermission(
    usePermission({ permission, resourceRef }),
    permission,
    what,
  );
}

/** Whether the user may declare and lift freezes (`gitops.freeze.manage`, not per resource). */
export function useFreezeManagePermission(): ChangePermission {
  return changePermission(
    usePermission({ permission: gitopsFreezeManagePermission }),
    gitopsFreezeManagePermission,
    'declare or lift freezes',
  );
}

/**
 * Whether the user may ask the environment's progressive-delivery controller to promote,
 * abort, retry or restart its rollout (`gitops.rollout` on `<entity ref>#<environment>`);
 * checked only where a rollout is shown.
 */
export function useRolloutPermission(
  entityRef: CompoundEntityRef,
  environment: string,
): ChangePermission {
  return useChangePermission(
    gitopsRolloutPermission,
    gitopsEnvironmentResourceRef(stringifyEntityRef(entityRef), environment),
    `promote, abort, retry or restart the rollout in ${environment}`,
  );
}

/**
 * The changes the user may make to an entity in one environment, as the backend's policy
 * decides them for the resource `<entity ref>#<environment>`: promotions and rollbacks
 * (gitops.promote), scaling (gitops.scale), engine requests (gitops.sync), approvals
 * (gitops.approve), overrides of the policy's gates (gitops.override) and pausing the
 * portal's automation (gitops.automation.manage). The backend
 * checks again on every change; this only keeps buttons from offering what would be refused.
 */
export function useEnvironmentPermissions(
  entityRef: CompoundEntityRef,
  environment: string,
): Record<
  | 'promote'
  | 'rollback'
  | 'scale'
  | 'engine'
  | 'approve'
  | 'override'
  | 'automation',
  ChangePermission
> {
  const resourceRef = gitopsEnvironmentResourceRef(
    stringifyEntityRef(entityRef),
    environment,
  );
  return {
    promote: useChangePermission(
      gitopsPromotePermission,
      resourceRef,
      `promote to ${environment}`,
    ),
    // The same permission (and the same cached answer) as a promotion.
    rollback: useChangePermission(
      gitopsPromotePermission,
      resourceRef,
      `roll back ${environment}`,
    ),
    scale: useChangePermission(
      gitopsScalePermission,
      resourceRef,
      `scale ${environment}`,
    ),
    engine: useChangePermission(
      gitopsSyncPermission,
      resourceRef,
      `ask the GitOps engine to refresh, sync, reconcile, suspend or resume ${environment}`,
    ),
    approve: useChangePermission(
      gitopsApprovePermission,
      resourceRef,
      `approve promotions to ${environment}`,
    ),
    override: useChangePermission(
      gitopsOverridePermission,
      resourceRef,
      `override the gates of ${environment}`,
    ),
    automation: useChangePermission(
      gitopsAutomationManagePermission,
      resourceRef,
      `pause or resume the automation of ${environment}`,
    ),
  };
}
