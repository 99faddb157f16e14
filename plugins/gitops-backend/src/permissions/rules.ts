import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';
import { GITOPS_ENVIRONMENT_RESOURCE_TYPE } from '@gitops-backstage/plugin-gitops-common';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { z } from 'zod';

/**
 * What the change permissions are about: one catalog entity in one environment.
 *
 * @public
 */
export interface GitopsEnvironmentResource {
  entity: Entity;
  environment: string;
}

/**
 * The query of a GitOps environment rule: rules only run in memory (there is no list of these
 * resources to filter in a query).
 *
 * @public
 */
export type GitopsEnvironmentQuery = { rule: string; values: string[] };

/**
 * The `gitops-environment` resource type of the `gitops` plugin.
 *
 * @public
 */
export const gitopsEnvironmentPermissionResourceRef =
  createPermissionResourceRef<
    GitopsEnvironmentResource,
    GitopsEnvironmentQuery
  >().with({
    pluginId: 'gitops',
    resourceType: GITOPS_ENVIRONMENT_RESOURCE_TYPE,
  });

const isEntityOwner = createPermissionRule({
  name: 'IS_ENTITY_OWNER',
  description:
    'Allow when the entity is owned by one of the claims (usually the user ownership refs)',
  resourceRef: gitopsEnvironmentPermissionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe(
        'Entity refs of the user and its groups, e.g. group:default/team-a',
      ),
  }),
  apply: (resource, { claims }) =>
    (resource.entity.relations ?? []).some(
      relation =>
        relation.type === RELATION_OWNED_BY &&
        claims.includes(relation.targetRef),
    ),
  toQuery: ({ claims }) => ({ rule: 'IS_ENTITY_OWNER', values: claims }),
});

const isEnvironment = createPermissionRule({
  name: 'IS_ENVIRONMENT',
  description: 'Allow when the change goes to one of these environments',
  resourceRef: gitopsEnvironmentPermissionResourceRef,
  paramsSchema: z.object({
    environments: z
      .array(z.string())
      .describe('Environment names from gitops.environments, e.g. prod'),
  }),
  apply: (resource, { environments }) =>
    environments.includes(resource.environment),
  toQuery: ({ environments }) => ({
    rule: 'IS_ENVIRONMENT',
    values: environments,
  }),
});

/**
 * The rules a permission policy can use on `gitops-environment` resources.
 *
 * @public
 */
export const gitopsEnvironmentRules = { isEntityOwner, isEnvironment };

const exported = createConditionExports({
  resourceRef: gitopsEnvironmentPermissionResourceRef,
  rules: gitopsEnvironmentRules,
});

/**
 * Conditions for policies: `gitopsEnvironmentConditions.isEntityOwner({ claims })`,
 * `gitopsEnvironmentConditions.isEnvironment({ environments: ['prod'] })`.
 *
 * @public
 */
export const gitopsEnvironmentConditions = exported.conditions;

/**
 * A conditional decision on a `gitops.promote`, `gitops.scale`, `gitops.sync` or `gitops.rollout`
 * request.
 *
 * @public
 */
export const createGitopsEnvironmentConditionalDecision =
  exported.createConditionalDecision;
