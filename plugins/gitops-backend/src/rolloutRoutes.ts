import { Entity } from '@backstage/catalog-model';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  ROLLOUT_ACTIONS,
  RolloutAction,
  gitopsRolloutPermission,
} from '@gitops-backstage/plugin-gitops-common';
import { z } from 'zod/v3';
import { GitopsServices } from './service/createGitopsServices';
import {
  ActionResult,
  Actor,
  ChangeOptions,
} from './service/promotion/changeRequests';

/** Body of `POST …/rollouts`; anything else is 400 before the entity is even loaded. */
export const rolloutBody = z
  .object({
    environment: z
      .string({ required_error: 'environment is required' })
      .regex(
        /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/,
        "environment must be letters, digits, '.', '_' or '-'",
      ),
    action: z.enum(ROLLOUT_ACTIONS as [RolloutAction, ...RolloutAction[]], {
      errorMap: () => ({
        message: `action must be one of ${ROLLOUT_ACTIONS.join(', ')}`,
      }),
    }),
    dryRun: z.boolean().optional(),
  })
  .strict();

/** The router's change route (see createRouter): validate, load, authorize, run. */
export type ChangeRoute = <S extends z.ZodTypeAny>(
  path: string,
  schema: S,
  permission: ResourcePermission,
  environmentOf: (body: z.infer<S>) => string,
  run: (
    entity: Entity,
    body: z.infer<S>,
    actor: Actor,
    signal: AbortSignal,
    options: ChangeOptions,
  ) => Promise<ActionResult>,
) => void;

/**
 * `POST /entities/:namespace/:kind/:name/rollouts`: promote, promote in full, abort, retry or
 * restart the environment's progressive rollout (permission `gitops.rollout` on the
 * environment, checked before anything reaches the cluster).
 */
export function addRolloutRoutes(
  changeRoute: ChangeRoute,
  services: Pick<GitopsServices, 'rollouts'>,
) {
  changeRoute(
    'rollouts',
    rolloutBody,
    gitopsRolloutPermission,
    body => body.environment,
    (...args) => services.rollouts.request(...args),
  );
}
