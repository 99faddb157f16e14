import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  ConditionalPolicyDecision,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { gitopsEnvironmentRules } from '@gitops-backstage/plugin-gitops-backend';
import {
  gitopsEntityReadPermission,
  gitopsPromotePermission,
  gitopsScalePermission,
  gitopsSyncPermission,
  gitopsRolloutPermission,
} from '@gitops-backstage/plugin-gitops-common';
import { GitopsExamplePolicy } from './gitopsPermissionPolicy';

const guestbook: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'guestbook', namespace: 'default' },
  spec: { owner: 'group:default/team-a' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

const user = (ownershipEntityRefs: string[]) =>
  ({
    identity: {
      type: 'user',
      userEntityRef: ownershipEntityRefs[0],
      ownershipEntityRefs,
    },
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
    credentials: {} as any,
  } as any);

const member = user(['user:default/alice', 'group:default/team-a']);
const stranger = user(['user:default/bob', 'group:default/team-b']);
const isAllowed = createConditionAuthorizer(
  Object.values(gitopsEnvironmentRules),
);

describe('GitopsExamplePolicy', () => {
  const policy = new GitopsExamplePolicy(['prod']);

  it.each([
    [
      'gitops.promote',
      'dev',
      'stranger',
      true,
      gitopsPromotePermission,
      stranger,
    ],
    [
      'gitops.promote',
      'staging',
      'stranger',
      true,
      gitopsPromotePermission,
      stranger,
    ],
    [
      'gitops.promote',
      'prod',
      'stranger',
      false,
      gitopsPromotePermission,
      stranger,
    ],
    ['gitops.promote', 'prod', 'member', true, gitopsPromotePermission, member],
    [
      'gitops.scale',
      'prod',
      'stranger',
      false,
      gitopsScalePermission,
      stranger,
    ],
    ['gitops.scale', 'prod', 'member', true, gitopsScalePermission, member],
    ['gitops.sync', 'prod', 'stranger', false, gitopsSyncPermission, stranger],
    ['gitops.sync', 'dev', 'stranger', true, gitopsSyncPermission, stranger],
    [
      'gitops.rollout',
      'prod',
      'stranger',
      false,
      gitopsRolloutPermission,
      stranger,
    ],
    ['gitops.rollout', 'prod', 'member', true, gitopsRolloutPermission, member],
  ])(
    '%s in %s by %s: allowed %s',
    async (_name, environment, _who, allowed, permission, who) => {
      const decision = await policy.handle({ permission }, who);
      expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
      expect(
        isAllowed(decision as ConditionalPolicyDecision, {
          entity: guestbook,
          environment,
        }),
      ).toBe(allowed);
    },
  );

  it('lets everyone read', async () => {
    expect(
      await policy.handle({ permission: gitopsEntityReadPermission }, stranger),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
