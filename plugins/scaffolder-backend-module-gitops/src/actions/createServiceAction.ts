import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  CreateServiceRequest,
  CreatedService,
} from '@gitops-backstage/plugin-gitops-common';
import { GitopsBackendClient } from '../GitopsBackendClient';
import { createServiceExamples } from './examples';

/** What the step outputs, as the backend answers it. */
const OUTPUTS = [
  'entityRef',
  'path',
  'repository',
  'repositoryUrl',
  'branch',
  'commit',
  'pullRequest',
  'changeUrl',
  'catalogInfoUrl',
  'devFile',
  'files',
  'diff',
] as const;

/**
 * `gitops:service:create`: a new service's files in the GitOps repository — overlays or values
 * per environment, the Argo CD Applications or Flux objects, the catalog entity — committed or
 * opened as a pull request by the GitOps backend (`POST /services`) for the user running the
 * template. A dry run (the template editor, or `dryRun: true`) plans and writes nothing.
 *
 * @public
 */
export function createServiceAction(client: GitopsBackendClient) {
  return createTemplateAction({
    id: 'gitops:service:create',
    description:
      "Creates a new GitOps-managed service's files in the GitOps repository (one commit or pull request) through the GitOps backend, as the user running the template.",
    examples: createServiceExamples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe(
              'Service name, a DNS label: the entity, workload and folder name',
            ),
        owner: z =>
          z.string().describe('Entity ref of the owning group or user'),
        system: z => z.string().optional().describe('Entity ref of the system'),
        description: z => z.string().optional(),
        engine: z =>
          z
            .enum(['argocd', 'flux'])
            .describe(
              'GitOps engine: argocd (Applications) or flux (Kustomizations / HelmReleases)',
            ),
        layout: z =>
          z
            .enum(['kustomize', 'helm'])
            .describe(
              'kustomize (base + overlays/<env>) or helm (chart + values-<env>.yaml)',
            ),
        image: z =>
          z.string().describe('Image repository, e.g. ghcr.io/acme/hello'),
        tag: z =>
          z
            .string()
            .describe('First version every environment runs (never latest)'),
        digest: z =>
          z
            .string()
            .optional()
            .describe(
              "The tag's digest for the last environment; looked up in the registry when left out",
            ),
        port: z =>
          z.number().optional().describe('Container port (default 8080)'),
        autoscaling: z =>
          z
            .object({ minReplicas: z.number(), maxReplicas: z.number() })
            .optional()
            .describe("The last environment's autoscaler (default 3 to 10)"),
        progressiveDelivery: z =>
          z
            .enum(['none', 'canary'])
            .optional()
            .describe(
              "How the last environment rolls a new version out: none (its Deployment's rolling update, the default) or canary (an Argo Rollouts Rollout of the same pods: 20, 40, 60 and 80 % steps of 2 minutes, stopped by a Prometheus success-rate analysis; the cluster needs the Argo Rollouts controller)",
            ),
        prometheusAddress: z =>
          z
            .string()
            .optional()
            .describe(
              "The Prometheus the canary's analysis asks (canary only); default http://prometheus.monitoring.svc.cluster.local:9090",
            ),
        repository: z =>
          z
            .string()
            .optional()
            .describe('A gitops.repositories name; default the first'),
        sourceLocation: z =>
          z
            .string()
            .optional()
            .describe(
              "The service's source repository URL (backstage.io/source-location)",
            ),
        dryRun: z =>
          z
            .boolean()
            .optional()
            .describe('Plan only: the files and diff, nothing written'),
      },
      output: {
        entityRef: z => z.string(),
        path: z =>
          z.string().describe('The service folder in the GitOps repository'),
        repository: z => z.string(),
        repositoryUrl: z => z.string(),
        branch: z => z.string(),
        commit: z => z.string().nullable(),
        pullRequest: z => z.string().nullable(),
        changeUrl: z =>
          z
            .string()
            .nullable()
            .describe('Web address of the commit or pull request'),
        catalogInfoUrl: z =>
          z
            .string()
            .nullable()
            .describe('Where catalog:register reads the entity'),
        devFile: z =>
          z
            .string()
            .describe('The file CI edits to deploy to the first environment'),
        files: z => z.array(z.string()),
        diff: z => z.string(),
      },
    },
    async handler(ctx) {
      const dryRun = Boolean(ctx.isDryRun || ctx.input.dryRun);
      const body: CreateServiceRequest = {
        ...definedOnly(ctx.input),
        // An empty `if:`-skipped source location comes through as ''.
        sourceLocation: ctx.input.sourceLocation || undefined,
        dryRun,
      };
      ctx.logger.info(
        `${dryRun ? 'Planning' : 'Creating'} ${ctx.input.name} (${
          ctx.input.engine
        }, ${ctx.input.layout}) in the GitOps repository`,
      );
      const created = await client.request<CreatedService>({
        method: 'POST',
        path: '/services',
        body,
        credentials: await ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      });
      ctx.logger.info(created.message);
      for (const env of created.environments) {
        ctx.logger.info(
          `${env.name}: ${env.file} (namespace ${env.namespace}, ${env.definitionPath})`,
        );
      }
      for (const key of OUTPUTS) ctx.output(key, created[key]);
    },
  });
}

/** Drops keys a template left undefined or empty, so the backend applies its defaults. */
function definedOnly<T extends Record<string, unknown>>(input: T): T {
  return Object.fromEntries(
    Object.entries(input).filter(([, v]) => v !== undefined && v !== ''),
  ) as T;
}
