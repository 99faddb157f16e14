import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  createGitopsEnvironmentConditionalDecision,
  gitopsEnvironmentConditions,
} from '@gitops-backstage/plugin-gitops-backend';
import { GITOPS_ENVIRONMENT_RESOURCE_TYPE } from '@gitops-backstage/plugin-gitops-common';

/**
 * The example portal's policy: everyone may read everything and change dev and staging; in the
 * environments listed here only the owners of a service (the user or one of their groups) may
 * promote, roll back, scale, sync it or act on its rollout (gitops.rollout).
 */
export class GitopsExamplePolicy implements PermissionPolicy {
  constructor(private readonly ownerOnlyEnvironments: string[]) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (
      isResourcePermission(request.permission, GITOPS_ENVIRONMENT_RESOURCE_TYPE)
    ) {
      return createGitopsEnvironmentConditionalDecision(request.permission, {
        anyOf: [
          {
            not: gitopsEnvironmentConditions.isEnvironment({
              environments: this.ownerOnlyEnvironments,
            }),
          },
          gitopsEnvironmentConditions.isEntityOwner({
            claims: user?.info.ownershipEntityRefs ?? [],
          }),
        ],
      });
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link GitopsExamplePolicy} with prod as the owner-only environment. */
export const gitopsExamplePolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'gitops-example-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new GitopsExamplePolicy(['prod']));
      },
    });
  },
});
