import path from 'node:path';
import { stringify } from 'yaml';
import { describeEngineObject } from './engineObjects';
import { EnvironmentPlan } from './sizing';
import { NewServiceSpec, RenderedFile } from './types';
import {
  deployment,
  horizontalPodAutoscaler,
  podDisruptionBudget,
  service,
} from './workloadObjects';
import { YamlNote, yamlFile } from './yamlFile';
import {
  ANALYSIS_NUMBERS_NOTE,
  DEFAULT_PROMETHEUS_ADDRESS,
  rollout,
  successRateAnalysisTemplate,
} from './progressiveObjects';

const KUSTOMIZATION = {
  apiVersion: 'kustomize.config.k8s.io/v1beta1',
  kind: 'Kustomization',
};

/** The base folder every overlay of a service builds on. */
export function kustomizeBase(spec: NewServiceSpec): string {
  return path.posix.join(spec.path, 'base');
}

/**
 * A Kustomize base at `{path}/base` and an overlay per environment at its `overlayPath`, laid
 * out like `examples/gitops-repo/apps/guestbook`: the overlay's `images:` entry holds the
 * version (and, last, the digest), `replicas:` the count, a patch the size; the last
 * environment adds its HorizontalPodAutoscaler and PodDisruptionBudget, and with
 * `progressiveDelivery: canary` runs an Argo Rollouts Rollout in place of the Deployment.
 */
export function renderKustomizeLayout(
  spec: NewServiceSpec,
  plans: EnvironmentPlan[],
): RenderedFile[] {
  const base = kustomizeBase(spec);
  const files: RenderedFile[] = [
    {
      path: `${base}/kustomization.yaml`,
      content: yamlFile({
        comment: `Kustomize base of ${spec.name}: the Deployment and Service every environment runs. Each environment's overlay sets the version, the replicas and the size.`,
        value: {
          ...KUSTOMIZATION,
          resources: ['deployment.yaml', 'service.yaml'],
        },
      }),
    },
    {
      path: `${base}/deployment.yaml`,
      content: yamlFile({
        comment: `Deployment of ${spec.name}, shared by every environment.`,
        value: deployment({
          name: spec.name,
          image: `${spec.image}:${spec.tag}`,
          port: spec.port,
          resources: plans[0].resources,
        }),
        notes: [
          {
            at: ['spec', 'selector'],
            before:
              'No replicas here: each overlay sets them, or its HorizontalPodAutoscaler owns them.',
          },
          {
            at: ['spec', 'template', 'spec', 'containers', 0, 'image'],
            inline: "each overlay's images: entry sets the version",
          },
        ],
      }),
    },
    {
      path: `${base}/service.yaml`,
      content: yamlFile({
        comment: `Service of ${spec.name}: port ${spec.port} of its pods, inside the cluster.`,
        value: service({ name: spec.name, port: spec.port }),
      }),
    },
  ];
  for (const plan of plans) files.push(...overlayFiles(spec, plan, base));
  return files;
}

function overlayFiles(
  spec: NewServiceSpec,
  plan: EnvironmentPlan,
  base: string,
): RenderedFile[] {
  const env = plan.environment;
  const folder = env.overlayPath;
  const scaled = plan.autoscaling !== null;
  // `$patch: delete` drops the base's Deployment where a Rollout of the same pods replaces it.
  const deleteDeployment = {
    $patch: 'delete',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name },
  };
  const resourcesPatch = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name },
    spec: {
      template: {
        spec: {
          containers: [{ name: spec.name, resources: plan.resources }],
        },
      },
    },
  };
  const kustomization = {
    ...KUSTOMIZATION,
    namespace: env.namespace,
    resources: [
      path.posix.relative(folder, base),
      ...(plan.canary ? ['rollout.yaml', 'analysis-template.yaml'] : []),
      ...(scaled ? ['hpa.yaml', 'pdb.yaml'] : []),
    ],
    images: [
      {
        name: spec.image,
        newTag: spec.tag,
        ...(plan.digest ? { digest: plan.digest } : {}),
      },
    ],
    ...(plan.replicas !== null
      ? { replicas: [{ name: spec.name, count: plan.replicas }] }
      : {}),
    patches: [
      plan.canary
        ? { patch: stringify(deleteDeployment, { lineWidth: 0 }) }
        : {
            target: { kind: 'Deployment', name: spec.name },
            patch: stringify(resourcesPatch, { lineWidth: 0 }),
          },
    ],
  };
  const sizing = plan.canary
    ? `The Rollout in rollout.yaml runs ${spec.name} here, sized in that file: the base's Deployment is left out.`
    : `${env.name} sizing of the container${
        plan.tier === env.name ? '' : ` (${plan.tier} tier)`
      }`;
  const notes: YamlNote[] = [
    { at: ['images', 0, 'newTag'], inline: 'updated on promotion' },
    {
      at: ['patches'],
      before: scaled
        ? `No replicas entry: the HorizontalPodAutoscaler (hpa.yaml) owns the count.\n${sizing}`
        : sizing,
    },
  ];
  if (plan.digest) {
    notes.push({
      at: ['images', 0, 'digest'],
      inline: `${env.name} runs the image by digest; the tag beside it names the version`,
    });
  }
  const files: RenderedFile[] = [
    {
      path: `${folder}/kustomization.yaml`,
      content: yamlFile({
        comment: `${env.name} overlay of ${
          spec.name
        }, applied by ${describeEngineObject(spec, plan)}.`,
        value: kustomization,
        notes,
      }),
    },
  ];
  if (plan.canary) files.push(...canaryFiles(spec, plan));
  if (plan.autoscaling) {
    const { minReplicas, maxReplicas } = plan.autoscaling;
    files.push(
      {
        path: `${folder}/hpa.yaml`,
        content: yamlFile({
          comment: `${env.name} only: scales ${spec.name} between ${minReplicas} and ${maxReplicas} pods on CPU and memory.`,
          value: horizontalPodAutoscaler({
            name: spec.name,
            minReplicas,
            maxReplicas,
            target: plan.canary ? 'Rollout' : 'Deployment',
          }),
        }),
      },
      {
        path: `${folder}/pdb.yaml`,
        content: yamlFile({
          comment: `${env.name} only: keeps a pod of ${spec.name} running while nodes are drained.`,
          value: podDisruptionBudget({ name: spec.name }),
        }),
      },
    );
  }
  return files;
}

/** The Rollout and its AnalysisTemplate, in the overlay of the environment that runs them. */
function canaryFiles(
  spec: NewServiceSpec,
  plan: EnvironmentPlan,
): RenderedFile[] {
  const env = plan.environment;
  const folder = env.overlayPath;
  return [
    {
      path: `${folder}/rollout.yaml`,
      content: yamlFile({
        comment: `${env.name} only: runs ${spec.name} as an Argo Rollouts Rollout instead of the base's Deployment, with the same pods (hardening, probes) sized for ${env.name}. A new version gets 20 % of the pods, then the success-rate analysis, then 40, 60 and 80 %, 2 minutes each; a failed analysis sends everything back to the stable version.`,
        value: rollout({
          name: spec.name,
          image: `${spec.image}:${spec.tag}`,
          port: spec.port,
          resources: plan.resources,
        }),
        notes: [
          {
            at: ['spec', 'selector'],
            before:
              'No replicas here: the HorizontalPodAutoscaler (hpa.yaml) scales the Rollout.',
          },
          {
            at: ['spec', 'template', 'spec', 'containers', 0, 'image'],
            inline: "the overlay's images: entry sets the version",
          },
          {
            at: ['spec', 'strategy'],
            before:
              "Without a traffic router a step's weight is the canary's share of the pods.",
          },
        ],
      }),
    },
    {
      path: `${folder}/analysis-template.yaml`,
      content: yamlFile({
        comment: `${env.name} only: the analysis of ${
          spec.name
        }'s canary, asked of Prometheus at ${
          spec.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS
        }.`,
        value: successRateAnalysisTemplate({
          name: spec.name,
          prometheusAddress:
            spec.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
        }),
        notes: [
          {
            at: ['spec', 'metrics', 0, 'interval'],
            before: ANALYSIS_NUMBERS_NOTE,
          },
        ],
      }),
    },
  ];
}
