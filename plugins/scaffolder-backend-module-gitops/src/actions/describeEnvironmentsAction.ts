import { parseEntityRef } from '@backstage/catalog-model';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { GitopsBackendClient, entityPath } from '../GitopsBackendClient';
import { describeExamples } from './examples';

/**
 * `gitops:environments:describe`: a service's environments as the GitOps tab sees them —
 * version, scaling, sync, health, problems — for templates that branch on state (e.g. promote
 * only when staging is healthy). Reads only; runs in dry runs too.
 *
 * @public
 */
export function describeEnvironmentsAction(client: GitopsBackendClient) {
  return createTemplateAction({
    id: 'gitops:environments:describe',
    description:
      "Outputs a GitOps-managed service's environments: version, replicas, sync, health and problems, for steps that depend on them.",
    examples: describeExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string().describe('The service, e.g. component:default/guestbook'),
      },
      output: {
        names: z =>
          z.array(z.string()).describe('Environment names in promotion order'),
        environments: z =>
          z.array(
            z.object({
              name: z.string(),
              tag: z.string().nullable(),
              digest: z.string().nullable(),
              replicas: z.number().nullable(),
              sync: z.string().nullable(),
              health: z.string().nullable(),
              problems: z.number(),
              error: z.string().nullable(),
            }),
          ),
        byName: z =>
          z
            .record(z.string(), z.any())
            .describe('The same, keyed by environment name'),
      },
    },
    async handler(ctx) {
      const ref = parseEntityRef(ctx.input.entityRef, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      });
      const answer = await client.request<{
        environments: EnvironmentStatus[];
      }>({
        method: 'GET',
        path: `${entityPath(ref)}/environments`,
        credentials: await ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      });
      const environments = answer.environments.map(summaryOf);
      for (const env of environments) {
        ctx.logger.info(
          `${env.name}: ${env.tag ?? env.digest ?? 'no version'} ${
            env.sync ?? '-'
          }/${env.health ?? '-'}, ${env.problems} problem(s)${
            env.error ? `, error: ${env.error}` : ''
          }`,
        );
      }
      ctx.output(
        'names',
        environments.map(e => e.name),
      );
      ctx.output('environments', environments);
      ctx.output(
        'byName',
        Object.fromEntries(environments.map(e => [e.name, e])),
      );
    },
  });
}

function summaryOf(env: EnvironmentStatus) {
  return {
    name: env.name,
    tag: env.desired?.tag ?? null,
    digest: env.desired?.digest ?? null,
    replicas: env.desired?.replicas ?? null,
    sync: env.sync?.status ?? null,
    health: env.sync?.health ?? null,
    problems: env.problems.length,
    error: env.error,
  };
}
