import path from 'node:path';
import { EnvironmentPlan } from './sizing';
import { NewServiceSpec, RenderedFile } from './types';
import { YamlNote, YamlPart, yamlFile } from './yamlFile';

/** The in-cluster API server, as Argo CD names the cluster it runs in. */
const IN_CLUSTER = 'https://kubernetes.default.svc';

const FLUX_DEFAULT_NAMESPACE = 'flux-system';

/** The engine object of one environment: its kind, name and file, for comments that point at it. */
export function engineObjectOf(
  spec: NewServiceSpec,
  plan: EnvironmentPlan,
): { kind: string; name: string; file: string } {
  const env = plan.environment;
  const file = env.definitionPath;
  if (spec.engine === 'argocd') {
    return {
      kind: 'Argo CD Application',
      name: `${spec.name}-${env.name}`,
      file,
    };
  }
  return { kind: 'Flux Kustomization', name: `${spec.name}-${env.name}`, file };
}

/** `the Argo CD Application hello-dev (argocd/hello-dev.yaml)`. */
export function describeEngineObject(
  spec: NewServiceSpec,
  plan: EnvironmentPlan,
): string {
  const o = engineObjectOf(spec, plan);
  return `the ${o.kind} ${o.name} (${o.file})`;
}

/** The file at each environment's `definitionPath`: what Argo CD or Flux applies there. */
export function renderEngineObjects(
  spec: NewServiceSpec,
  plans: EnvironmentPlan[],
): RenderedFile[] {
  return plans.flatMap(plan => [
    {
      path: plan.environment.definitionPath,
      content: yamlFile(
        ...(spec.engine === 'argocd'
          ? [argoApplication(spec, plan)]
          : fluxObjects(spec, plan)),
      ),
    },
    ...(spec.engine === 'flux' && spec.layout === 'helm'
      ? fluxHelmReleaseFiles(spec, plan)
      : []),
  ]);
}

function labels(spec: NewServiceSpec, plan: EnvironmentPlan) {
  return {
    'app.kubernetes.io/name': spec.name,
    'gitops.backstage.io/environment': plan.environment.name,
  };
}

function argoApplication(
  spec: NewServiceSpec,
  plan: EnvironmentPlan,
): YamlPart {
  const env = plan.environment;
  const helm = spec.layout === 'helm';
  const source = helm
    ? {
        repoURL: spec.repository.url,
        targetRevision: spec.repository.branch,
        path: spec.path,
        helm: {
          valueFiles: [
            'values.yaml',
            path.posix.relative(spec.path, env.valuesFile),
          ],
        },
      }
    : {
        repoURL: spec.repository.url,
        targetRevision: spec.repository.branch,
        path: env.overlayPath,
      };
  const notes: YamlNote[] = [
    {
      at: ['spec', 'syncPolicy'],
      before: `${env.name}: ${syncPolicyNote(env.autoSync, plan.selfHeal)}`,
    },
  ];
  if (helm) {
    notes.push({
      at: ['spec', 'source', 'helm', 'valueFiles'],
      before: `Later files win: the chart's defaults, then ${env.name}'s values.`,
    });
  }
  return {
    comment: `Argo CD Application of ${spec.name} in ${env.name}: renders ${
      helm
        ? `the Helm chart ${spec.path} with ${env.valuesFile}`
        : env.overlayPath
    } into namespace ${env.namespace}.`,
    value: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${spec.name}-${env.name}`,
        namespace: spec.argocd?.namespace ?? 'argocd',
        labels: labels(spec, plan),
      },
      spec: {
        project: spec.argocd?.project ?? 'default',
        source,
        destination: { server: IN_CLUSTER, namespace: env.namespace },
        syncPolicy: {
          ...(env.autoSync
            ? { automated: { prune: true, selfHeal: plan.selfHeal } }
            : {}),
          syncOptions: ['CreateNamespace=true'],
        },
      },
    },
    notes,
  };
}

/** Seed 002's sync policies, in words. */
function syncPolicyNote(autoSync: boolean, selfHeal: boolean): string {
  if (!autoSync) {
    return 'no "automated" block, so a person syncs once the change is merged (manual sync).';
  }
  return selfHeal
    ? 'every commit is applied; changes made in the cluster are reverted.'
    : 'every commit is applied; changes made in the cluster are shown as drift, not reverted.';
}

/** Flux applies what is merged: without a sync button, a pull request's review is the gate. */
function reviewGateNote(env: string): string {
  return `Flux has no manual sync: what is merged is applied. The gate for ${env} is the review of the change (its pull request), not a sync.`;
}

function fluxObjects(spec: NewServiceSpec, plan: EnvironmentPlan): YamlPart[] {
  const env = plan.environment;
  const namespace = spec.flux?.namespace ?? FLUX_DEFAULT_NAMESPACE;
  const sourceRef = {
    kind: 'GitRepository',
    name: spec.flux?.sourceName ?? FLUX_DEFAULT_NAMESPACE,
    namespace: spec.flux?.sourceNamespace ?? FLUX_DEFAULT_NAMESPACE,
  };
  const gate = env.autoSync ? '' : `\n${reviewGateNote(env.name)}`;
  return [
    {
      comment: `Namespace of ${spec.name} in ${env.name}: Flux applies into it but does not create it.`,
      value: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: env.namespace, labels: labels(spec, plan) },
      },
    },
    {
      comment: `Flux Kustomization of ${spec.name} in ${env.name}: applies ${
        env.overlayPath
      }${spec.layout === 'helm' ? ' (its HelmRelease)' : ''} into namespace ${
        env.namespace
      }.${gate}`,
      value: {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: {
          name: `${spec.name}-${env.name}`,
          namespace,
          labels: labels(spec, plan),
        },
        spec: {
          interval: '10m',
          path: `./${env.overlayPath}`,
          prune: true,
          sourceRef,
          targetNamespace: env.namespace,
          wait: true,
          timeout: '5m',
        },
      },
      notes: [
        {
          at: ['spec', 'wait'],
          before:
            'Ready only once the Deployment is: a failed rollout shows on the Kustomization.',
        },
      ],
    },
  ];
}

/**
 * Flux and a chart in Git: each environment's Kustomization applies `{overlayPath}`, which
 * holds the environment's HelmRelease — the chart at the service path with the chart's values
 * and the environment's values file — as Flux's reference layout keeps releases in overlays.
 * The release lands in the environment's namespace (the Kustomization's targetNamespace), so
 * every environment's release is named like the service.
 */
function fluxHelmReleaseFiles(
  spec: NewServiceSpec,
  plan: EnvironmentPlan,
): RenderedFile[] {
  const env = plan.environment;
  const sourceRef = {
    kind: 'GitRepository',
    name: spec.flux?.sourceName ?? FLUX_DEFAULT_NAMESPACE,
    namespace: spec.flux?.sourceNamespace ?? FLUX_DEFAULT_NAMESPACE,
  };
  return [
    {
      path: path.posix.join(env.overlayPath, 'kustomization.yaml'),
      content: yamlFile({
        comment: `What the Flux Kustomization ${spec.name}-${env.name} applies: ${spec.name}'s HelmRelease in ${env.name}.`,
        value: {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: ['helmrelease.yaml'],
        },
      }),
    },
    {
      path: path.posix.join(env.overlayPath, 'helmrelease.yaml'),
      content: yamlFile({
        comment: `Flux HelmRelease of ${spec.name} in ${env.name}: installs the chart ${spec.path} from this repository with ${env.valuesFile}.`,
        value: {
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          metadata: { name: spec.name, labels: labels(spec, plan) },
          spec: {
            interval: '10m',
            chart: {
              spec: {
                chart: `./${spec.path}`,
                reconcileStrategy: 'Revision',
                sourceRef,
                valuesFiles: [
                  path.posix.join(spec.path, 'values.yaml'),
                  env.valuesFile,
                ],
              },
            },
            install: { remediation: { retries: 3 } },
            upgrade: { remediation: { retries: 3 } },
          },
        },
        notes: [
          {
            at: ['spec', 'chart', 'spec', 'reconcileStrategy'],
            before:
              'The chart is in Git: every commit that changes it is a new release, without a version bump.',
          },
          {
            at: ['spec', 'chart', 'spec', 'valuesFiles'],
            before: `Later files win: the chart's defaults, then ${env.name}'s values.`,
          },
        ],
      }),
    },
  ];
}
