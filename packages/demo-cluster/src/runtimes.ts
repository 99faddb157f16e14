import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import path from 'node:path';
import { KubeObject, ObjectStore } from './ObjectStore';
import { DemoPod } from './workloadObjects';

/** One Argo CD Application or Flux Kustomization and what it has deployed. */
export interface Runtime {
  plural: 'applications' | 'kustomizations';
  namespace: string;
  name: string;
  environment: string;
  workload: string;
  destination: string;
  repoPath: string;
  valuesFile?: string;
  /** The object's file in the repository, when a seed names it. */
  definitionFile?: string;
  applied?: { revision: string; desired: DesiredState; at: string };
  outOfSyncSince?: number;
  generation: number;
  rolloutStartedAt: string;
  pods: DemoPod[];
  hpaCurrent?: number;
  lastStep: number;
  podSerial: number;
  statusAt: string;
}

/** A runtime for each engine object the demo cluster was seeded with. */
export function runtimesOf(store: ObjectStore): Runtime[] {
  return [
    ...store
      .list('applications')
      .map(app =>
        runtime(
          'applications',
          app,
          app.spec?.source?.path,
          app.spec?.destination?.namespace,
          app.spec?.source?.helm?.valueFiles,
        ),
      ),
    ...store
      .list('kustomizations')
      .map(ks =>
        runtime('kustomizations', ks, ks.spec?.path, ks.spec?.targetNamespace),
      ),
  ];
}

function runtime(
  plural: Runtime['plural'],
  object: KubeObject,
  repoPath: string,
  destination: string,
  valueFiles?: string[],
): Runtime {
  const labels = object.metadata.labels ?? {};
  const normalized = String(repoPath ?? '')
    .replace(/^\.\//, '')
    .replace(/\/+$/, '');
  const last = valueFiles?.[valueFiles.length - 1];
  return {
    plural,
    namespace: object.metadata.namespace!,
    name: object.metadata.name,
    environment:
      labels['gitops.backstage.io/environment'] ??
      object.metadata.name.split('-').pop(),
    workload: labels['app.kubernetes.io/name'] ?? object.metadata.name,
    destination,
    repoPath: normalized,
    valuesFile: last ? path.posix.join(normalized, last) : undefined,
    definitionFile:
      object.metadata.annotations?.['demo.gitops.backstage.io/definition'],
    generation: 1,
    rolloutStartedAt: new Date().toISOString(),
    pods: [],
    lastStep: 0,
    podSerial: 0,
    statusAt: new Date().toISOString(),
  };
}

export function imageOf(desired: DesiredState): string {
  const tag = desired.tag ? `:${desired.tag}` : '';
  const digest = desired.digest ? `@${desired.digest}` : '';
  return `${desired.image}${tag}${digest}`;
}

export function sameWorkload(a: DesiredState, b: DesiredState): boolean {
  const key = (d: DesiredState) =>
    JSON.stringify([
      imageOf(d),
      d.replicas,
      d.autoscaling?.minReplicas,
      d.autoscaling?.maxReplicas,
    ]);
  return key(a) === key(b);
}

export function fluxRevision(sha: string): string {
  return `main@sha1:${sha}`;
}
