import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { GitopsAction } from '@gitops-backstage/plugin-gitops-common';
import { GitopsBackendClient, entityPath } from '../GitopsBackendClient';
import { promoteExamples } from './examples';

/**
 * `gitops:promote`: promote, roll back or scale a service by a Git change, through the same
 * endpoints as the portal's buttons — so the same gates, permissions (the user running the
 * template's) and pull-request rules apply.
 *
 * @public
 */
export function promoteAction(client: GitopsBackendClient) {
  return createTemplateAction({
    id: 'gitops:promote',
    description:
      "Promotes, rolls back or scales a GitOps-managed service by a Git commit or pull request, through the GitOps backend's endpoints (same gates and permissions as the portal).",
    examples: promoteExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string().describe('The service, e.g. component:default/guestbook'),
        action: z =>
          z
            .enum(['promote', 'rollback', 'scale'])
            .default('promote')
            .describe(
              'promote (from → to), rollback (environment to a tag or revision), scale',
            ),
        from: z =>
          z.string().optional().describe('promote: the source environment'),
        to: z =>
          z.string().optional().describe('promote: the target environment'),
        environment: z =>
          z.string().optional().describe('rollback and scale: the environment'),
        toTag: z => z.string().optional().describe('rollback: the tag'),
        toRevision: z =>
          z
            .string()
            .optional()
            .describe(
              'rollback: the version the environment had at this commit',
            ),
        replicas: z => z.number().optional().describe('scale: replicas'),
        autoscaling: z =>
          z
            .object({
              minReplicas: z.number().optional(),
              maxReplicas: z.number().optional(),
            })
            .optional()
            .describe('scale: autoscaler bounds'),
        dryRun: z =>
          z.boolean().optional().describe('Plan only: gates and diff'),
        overrideReason: z =>
          z
            .string()
            .min(3)
            .max(500)
            .optional()
            .describe(
              'Proceed past a freeze, a window or other overridable gates, with this reason (the initiator needs gitops.override); recorded with the change',
            ),
      },
      output: {
        id: z => z.string().nullable(),
        status: z => z.string(),
        commit: z => z.string().nullable(),
        pullRequest: z => z.string().nullable(),
        diff: z => z.string(),
        message: z => z.string().nullable(),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const dryRun = Boolean(ctx.isDryRun || input.dryRun);
      const ref = parseEntityRef(input.entityRef, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      });
      const [path, request] = requestOf(input, dryRun);
      // The same policy decides as for the portal: this only asks to override it, on record.
      const body = input.overrideReason
        ? { ...request, override: { reason: input.overrideReason } }
        : request;
      const action = await client.request<GitopsAction>({
        method: 'POST',
        path: `${entityPath(ref)}/${path}`,
        body,
        credentials: await ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      });
      for (const gate of action.gates) {
        ctx.logger.info(
          `gate ${gate.name}: ${
            gate.state ?? (gate.passed ? 'pass' : 'fail')
          } — ${gate.message}`,
        );
      }
      ctx.logger.info(`${action.status}: ${action.message ?? ''}`);
      ctx.output('id', action.id);
      ctx.output('status', action.status);
      ctx.output('commit', action.commit);
      ctx.output('pullRequest', action.pullRequest);
      ctx.output('diff', action.diff);
      ctx.output('message', action.message);
    },
  });
}

type PromoteInput = {
  action?: 'promote' | 'rollback' | 'scale';
  from?: string;
  to?: string;
  environment?: string;
  toTag?: string;
  toRevision?: string;
  replicas?: number;
  autoscaling?: { minReplicas?: number; maxReplicas?: number };
};

/** The endpoint and body of the backend for the input, refusing what does not fit the action. */
export function requestOf(
  input: PromoteInput,
  dryRun: boolean,
): [string, Record<string, unknown>] {
  const action = input.action ?? 'promote';
  const need = (value: unknown, what: string) => {
    if (value === undefined || value === '') {
      throw new InputError(
        `gitops:promote with action ${action} needs ${what}`,
      );
    }
  };
  if (action === 'promote') {
    need(input.from, 'from');
    need(input.to, 'to');
    return ['promotions', { from: input.from, to: input.to, dryRun }];
  }
  need(input.environment, 'environment');
  if (action === 'rollback') {
    if (Boolean(input.toTag) === Boolean(input.toRevision)) {
      throw new InputError(
        'gitops:promote with action rollback needs exactly one of toTag and toRevision',
      );
    }
    return [
      'rollback',
      {
        environment: input.environment,
        ...(input.toTag ? { toTag: input.toTag } : {}),
        ...(input.toRevision ? { toRevision: input.toRevision } : {}),
        dryRun,
      },
    ];
  }
  if (input.replicas === undefined && !input.autoscaling) {
    throw new InputError(
      'gitops:promote with action scale needs replicas or autoscaling',
    );
  }
  return [
    'scale',
    {
      environment: input.environment,
      ...(input.replicas !== undefined ? { replicas: input.replicas } : {}),
      ...(input.autoscaling ? { autoscaling: input.autoscaling } : {}),
      dryRun,
    },
  ];
}
