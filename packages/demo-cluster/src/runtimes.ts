import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import path from 'node:path';
import { SyncRecord } from './engineStatus';
import { HelmReleaseRun, HelmReleaseSource } from './helmRelease';
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
  /**
   * Created after the demo started (a parent applied it): it syncs like a new commit, from no
   * pods, instead of starting synced like what the demo starts with.
   */
  created?: boolean;
  /** Flux: the GitRepository object it takes its source from (`spec.sourceRef.name`). */
  sourceName?: string;
  applied?: {
    revision: string;
    desired: DesiredState;
    at: string;
    /** The Argo Rollouts Rollout (and its AnalysisTemplates) Git renders as the workload. */
    rollout?: RenderedRollout;
  };
  outOfSyncSince?: number;
  generation: number;
  rolloutStartedAt: string;
  pods: DemoPod[];
  hpaCurrent?: number;
  lastStep: number;
  podSerial: number;
  statusAt: string;
  /** Argo CD: its sync operations, oldest first. */
  syncs: SyncRecord[];
  /** Flux: the HelmRelease the Kustomization applies, as Git has it at the applied revision. */
  helmSource?: HelmReleaseSource;
  /** Flux: what helm-controller did with that HelmRelease. */
  helm?: HelmReleaseRun;
}

/** A runtime for each engine object the demo cluster was seeded with. */
export function runtimesOf(store: ObjectStore): Runtime[] {
  return [
    ...store.list('applications').map(app => runtimeOf('applications', app)),
    ...store.list('kustomizations').map(ks => runtimeOf('kustomizations', ks)),
  ];
}

/** A runtime for an Argo CD Application or Flux Kustomization, from its spec. */
export function runtimeOf(plural: Runtime['plural'], object: KubeObject) {
  return plural === 'applications'
    ? runtime(
        'applications',
        object,
        object.spec?.source?.path,
        object.spec?.destination?.namespace,
        object.spec?.source?.helm?.valueFiles,
      )
    : runtime(
        'kustomizations',
        object,
        object.spec?.path,
        object.spec?.targetNamespace,
      );
}

/** The runtime with what its object's spec says now (a parent applied a new version of it). */
export function withSpecOf(rt: Runtime, object: KubeObject): Runtime {
  const now = runtimeOf(rt.plural, object);
  return {
    ...rt,
    environment: now.environment,
    workload: now.workload,
    destination: now.destination,
    repoPath: now.repoPath,
    valuesFile: now.valuesFile,
    definitionFile: now.definitionFile ?? rt.definitionFile,
    sourceName: now.sourceName,
  };
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
    sourceName:
      plural === 'kustomizations' ? object.spec?.sourceRef?.name : undefined,
    generation: 1,
    rolloutStartedAt: new Date().toISOString(),
    pods: [],
    lastStep: 0,
    podSerial: 0,
    statusAt: new Date().toISOString(),
    syncs: [],
  };
}

/** A Rollout as Git renders it, with the AnalysisTemplates rendered beside it. */
export interface RenderedRollout {
  object: KubeObject;
  templates: KubeObject[];
}

/**
 * The Rollout a Kustomize render runs as the service's workload (the state's `workloadKind`),
 * with the render's AnalysisTemplates; undefined for any other workload, and for a Rollout
 * that takes its pod template from a Deployment (`workloadRef`), which the demo does not play.
 */
export function renderedRollout(
  desired: DesiredState | undefined,
  rendered:
    | { layout: string; objects?: Array<Record<string, any>> }
    | undefined,
): RenderedRollout | undefined {
  if (desired?.workloadKind !== 'Rollout' || !rendered?.objects)
    return undefined;
  const objects = rendered.objects as KubeObject[];
  const object = objects.find(
    o =>
      o.kind === 'Rollout' &&
      String(o.apiVersion).startsWith('argoproj.io/') &&
      o.metadata?.name === desired.workload,
  );
  if (!object || object.spec?.workloadRef) return undefined;
  return {
    object,
    templates: objects.filter(
      o =>
        o.kind === 'AnalysisTemplate' &&
        String(o.apiVersion).startsWith('argoproj.io/'),
    ),
  };
}

/** Whether two renders of a Rollout differ beyond the version (its steps, its analysis). */
export function sameRollout(
  a: RenderedRollout | undefined,
  b: RenderedRollout | undefined,
): boolean {
  const key = (r: RenderedRollout | undefined) =>
    r &&
    JSON.stringify([
      r.object.spec?.strategy,
      r.templates.map(t => [t.metadata.name, t.spec]),
    ]);
  return key(a) === key(b);
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

/** Whether Git renders the Deployment as applied: image, and replicas unless autoscaled. */
export function deploymentInSync(git: DesiredState, applied: DesiredState) {
  return (
    imageOf(git) === imageOf(applied) &&
    (Boolean(applied.autoscaling?.maxReplicas) ||
      git.replicas === applied.replicas)
  );
}

/** Whether Git renders the autoscaler as applied. */
export function autoscalerInSync(git: DesiredState, applied: DesiredState) {
  return (
    git.autoscaling?.minReplicas === applied.autoscaling?.minReplicas &&
    git.autoscaling?.maxReplicas === applied.autoscaling?.maxReplicas
  );
}

export function fluxRevision(sha: string): string {
  return `main@sha1:${sha}`;
}
