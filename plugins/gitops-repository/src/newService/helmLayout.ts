import path from 'node:path';
import { describeEngineObject } from './engineObjects';
import { helmIgnore, helmTemplates } from './helmTemplates';
import {
  containerSecurityContext,
  podSecurityContext,
  probes,
} from './podDefaults';
import { EnvironmentPlan, HPA_TARGETS, PDB_MIN_AVAILABLE } from './sizing';
import { NewServiceSpec, RenderedFile } from './types';
import { YamlNote, yamlFile } from './yamlFile';
import {
  ANALYSIS_NUMBERS_NOTE,
  DEFAULT_PROMETHEUS_ADDRESS,
  SUCCESS_RATE_METRIC,
  SUCCESS_RATE_QUERY,
  canarySteps,
} from './progressiveObjects';

/**
 * A Helm chart at the service's path and a values file per environment, laid out like
 * `examples/gitops-repo/apps/demo-flask-app`: the chart's `values.yaml` holds what every
 * environment shares, `valuesFile` the environment's version, replicas and size, and in the
 * last environment the digest, the autoscaler and the disruption budget, and with
 * `progressiveDelivery: canary` the switch to an Argo Rollouts Rollout (`progressiveDelivery`).
 */
export function renderHelmLayout(
  spec: NewServiceSpec,
  plans: EnvironmentPlan[],
): RenderedFile[] {
  const at = (file: string) => path.posix.join(spec.path, file);
  const files: RenderedFile[] = [
    {
      path: at('Chart.yaml'),
      content: yamlFile({
        comment: `Helm chart of ${spec.name}: templates/ and the defaults in values.yaml; each environment's values file sets its version and size.`,
        value: {
          apiVersion: 'v2',
          name: spec.name,
          description: spec.entity.description ?? `The ${spec.name} service.`,
          type: 'application',
          version: '0.1.0',
          appVersion: spec.tag,
        },
        notes: [
          {
            at: ['version'],
            inline: "the chart's own version: bump it when templates change",
          },
          {
            at: ['appVersion'],
            inline: 'the image tag when a values file sets none',
          },
        ],
        quoted: [['appVersion']],
      }),
    },
    {
      path: at('values.yaml'),
      content: sharedValues(spec, plans),
    },
    { path: at('.helmignore'), content: helmIgnore() },
    ...Object.entries(
      helmTemplates(spec.name, {
        canary: spec.progressiveDelivery === 'canary',
      }),
    ).map(([file, content]) => ({
      path: at(`templates/${file}`),
      content,
    })),
  ];
  for (const plan of plans) {
    files.push({
      path: plan.environment.valuesFile,
      content: environmentValues(spec, plan),
    });
  }
  return files;
}

function sharedValues(spec: NewServiceSpec, plans: EnvironmentPlan[]): string {
  const canary = spec.progressiveDelivery === 'canary';
  return yamlFile({
    comment: `Defaults of the ${spec.name} chart, shared by every environment; each environment's values file overrides them.`,
    value: {
      image: {
        repository: spec.image,
        tag: '',
        digest: '',
        pullPolicy: 'IfNotPresent',
      },
      nameOverride: '',
      fullnameOverride: spec.name,
      replicaCount: 1,
      service: { type: 'ClusterIP', port: spec.port },
      resources: plans[0].resources,
      autoscaling: {
        enabled: false,
        minReplicas: spec.autoscaling.minReplicas,
        maxReplicas: spec.autoscaling.maxReplicas,
        targetCPUUtilizationPercentage: HPA_TARGETS.cpu,
        targetMemoryUtilizationPercentage: HPA_TARGETS.memory,
      },
      podDisruptionBudget: { enabled: false, minAvailable: PDB_MIN_AVAILABLE },
      podSecurityContext: podSecurityContext(),
      securityContext: containerSecurityContext(),
      ...probes(),
      ...(canary ? { progressiveDelivery: progressiveValues(spec) } : {}),
    },
    notes: [
      {
        at: ['image', 'tag'],
        inline: "set per environment; empty: the chart's appVersion",
      },
      {
        at: ['image', 'digest'],
        inline: 'sha256:…; when set the image is pulled by it',
      },
      {
        at: ['fullnameOverride'],
        before: `The workload is ${spec.name} in every environment's namespace, whatever the release is called.`,
      },
      {
        at: ['podSecurityContext'],
        before:
          'Non-root, read-only root filesystem (with a writable /tmp), no capabilities, the runtime seccomp profile.',
      },
      {
        at: ['livenessProbe'],
        before: 'Liveness and startup on /health, readiness on /ready.',
      },
      ...(canary ? progressiveNotes(plans) : []),
    ],
    quoted: [
      ['image', 'tag'],
      ['image', 'digest'],
    ],
  });
}

function environmentValues(
  spec: NewServiceSpec,
  plan: EnvironmentPlan,
): string {
  const env = plan.environment;
  const notes: YamlNote[] = [
    { at: ['image', 'tag'], inline: 'updated on promotion' },
  ];
  if (plan.digest) {
    notes.push({
      at: ['image', 'digest'],
      inline: `${env.name} runs the image by digest; the tag names the version`,
    });
  }
  if (plan.autoscaling) {
    notes.push({
      at: ['autoscaling'],
      before: 'No replicaCount: the HorizontalPodAutoscaler owns the count.',
    });
  }
  if (plan.canary) {
    notes.push({
      at: ['progressiveDelivery'],
      before: `${env.name} runs an Argo Rollouts Rollout with the canary steps of values.yaml.`,
    });
  }
  return yamlFile({
    comment: `${env.name} values of ${spec.name}${
      plan.tier === env.name ? '' : ` (${plan.tier} tier)`
    }, applied by ${describeEngineObject(spec, plan)}.`,
    value: {
      image: {
        tag: spec.tag,
        ...(plan.digest ? { digest: plan.digest } : {}),
      },
      ...(plan.replicas !== null ? { replicaCount: plan.replicas } : {}),
      resources: plan.resources,
      ...(plan.autoscaling
        ? {
            autoscaling: {
              enabled: true,
              ...plan.autoscaling,
              targetCPUUtilizationPercentage: HPA_TARGETS.cpu,
              targetMemoryUtilizationPercentage: HPA_TARGETS.memory,
            },
            podDisruptionBudget: {
              enabled: true,
              minAvailable: PDB_MIN_AVAILABLE,
            },
          }
        : {}),
      ...(plan.canary ? { progressiveDelivery: { enabled: true } } : {}),
    },
    notes,
    quoted: [['image', 'tag']],
  });
}

/** The canary's steps and analysis, shared; the last environment's values turn them on. */
function progressiveValues(spec: NewServiceSpec) {
  return {
    enabled: false,
    steps: canarySteps(spec.name),
    analysis: {
      prometheusAddress: spec.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
      query: SUCCESS_RATE_QUERY,
      ...SUCCESS_RATE_METRIC,
    },
  };
}

function progressiveNotes(plans: EnvironmentPlan[]): YamlNote[] {
  const last = plans[plans.length - 1].environment;
  return [
    {
      at: ['progressiveDelivery'],
      before: `Where enabled (${last.name}), the workload is an Argo Rollouts Rollout: 20 % of the pods run a new version, then the success-rate analysis, then 40, 60 and 80 %, 2 minutes each. Without a traffic router a weight is the canary's share of the pods.`,
    },
    {
      at: ['progressiveDelivery', 'analysis', 'interval'],
      before: ANALYSIS_NUMBERS_NOTE,
    },
  ];
}
