import { KubeObject, ObjectStore } from './ObjectStore';
import {
  AppliedResource,
  withArgoStatus,
  withFluxStatus,
  withHelmReleaseStatus,
} from './engineStatus';
import { attemptRelease, releaseOf, settleRelease } from './helmRelease';
import {
  Ownership,
  argoOwnership,
  helmOwnership,
  kustomizeOwnership,
  owned,
} from './ownership';
import { Runtime, fluxRevision, imageOf } from './runtimes';

/*
 * What the demo's engines write besides the workload: the labels of the engine that applies
 * it, the HelmRelease a Kustomization applies, and the engine object's status.
 */

/** The labels and annotations of the engine that applies a runtime's workload. */
export function ownershipOf(rt: Runtime): Ownership {
  if (rt.plural === 'applications') return argoOwnership(rt.name);
  const release = rt.helmSource?.object;
  return release
    ? helmOwnership(
        {
          name: release.metadata.name,
          namespace: release.metadata.namespace!,
        },
        releaseOf(release),
      )
    : kustomizeOwnership(rt.name, rt.namespace);
}

/**
 * The HelmRelease as the Kustomization applies it — keeping what users set in the cluster
 * (suspend, reconcile requests) — with helm-controller's status of its releases.
 */
export function writeHelmRelease(
  store: ObjectStore,
  rt: Runtime,
  health: 'Healthy' | 'Progressing' | 'Degraded',
  now: Date,
): KubeObject {
  const source = rt.helmSource!;
  const { namespace, name } = source.object.metadata;
  const stored = store.get('helmreleases', namespace!, name);
  const object = owned(
    structuredClone(source.object),
    kustomizeOwnership(rt.name, rt.namespace),
  );
  const annotations = {
    ...stored?.metadata.annotations,
    ...object.metadata.annotations,
  };
  if (Object.keys(annotations).length > 0)
    object.metadata.annotations = annotations;
  if (object.spec.suspend === undefined && stored?.spec?.suspend !== undefined)
    object.spec.suspend = stored.spec.suspend;
  const generation = stored?.metadata.generation ?? 1;
  object.metadata.generation =
    !stored || JSON.stringify(stored.spec) === JSON.stringify(object.spec)
      ? generation
      : generation + 1;
  if (stored?.status) object.status = stored.status;
  if (object.spec.suspend !== true) {
    rt.helm = attemptRelease(
      rt.helm,
      source,
      object.metadata.generation,
      rt.helm ? now.toISOString() : rt.rolloutStartedAt,
    );
    rt.helm = settleRelease(rt.helm, releaseOf(object), health);
  }
  return store.put(
    'helmreleases',
    rt.helm ? withHelmReleaseStatus(object, rt.helm, now) : object,
  );
}

export function writeEngineStatus(
  store: ObjectStore,
  rt: Runtime,
  head: string,
  inSync: boolean,
  health: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing',
  message: string | null,
  error: string | null,
  now: Date,
  resources: AppliedResource[],
) {
  const engine = store.get(rt.plural, rt.namespace, rt.name)!;
  // The status time moves on changes and once a minute, like a real controller's resync.
  if (now.getTime() - Date.parse(rt.statusAt) > 60_000)
    rt.statusAt = now.toISOString();
  const layout = rt.applied?.desired.layout;
  const view = {
    head,
    applied: rt.applied?.revision ?? head,
    inSync,
    health,
    healthMessage: message,
    syncedAt: rt.applied?.at ?? now.toISOString(),
    error,
    now: new Date(rt.statusAt),
    resources,
    images: [
      ...new Set([
        ...(rt.applied ? [imageOf(rt.applied.desired)] : []),
        ...rt.pods.map(p => p.image),
      ]),
    ].sort(),
    syncs: rt.syncs,
    sourceType: layout === 'helm' ? ('Helm' as const) : ('Kustomize' as const),
  };
  store.put(
    rt.plural,
    rt.plural === 'applications'
      ? withArgoStatus(engine, view)
      : withFluxStatus(engine, view, fluxRevision),
  );
}

/** An object as Argo CD lists it among an Application's resources (`status.resources[]`). */
export function appliedResource(
  object: KubeObject,
  inSync: boolean,
  health: AppliedResource['health'],
  message: string | null,
): AppliedResource {
  return {
    group: object.apiVersion.includes('/')
      ? object.apiVersion.split('/')[0]
      : '',
    version: object.apiVersion.split('/').pop()!,
    kind: object.kind,
    namespace: object.metadata.namespace!,
    name: object.metadata.name,
    inSync,
    health,
    healthMessage: health === 'Healthy' ? null : message,
  };
}
