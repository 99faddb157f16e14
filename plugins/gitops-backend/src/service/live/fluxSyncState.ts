import {
  DesiredState,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import { compareChartVersion, sameArtifact } from './fluxRevision';
import { KubeObject, condition, describeObject } from './kinds';
import { FluxParent } from './selectServiceObjects';

/** What the Flux mapping reads besides the engine object. */
export interface FluxSyncInput {
  /** The Kustomization or HelmRelease that deploys the service. */
  object: KubeObject;
  /** Its source (GitRepository / OCIRepository) when watched. */
  source?: KubeObject;
  /** The Kustomizations that apply it, nearest first. */
  parents: FluxParent[];
  /** What Git asks for (the chart version or range of a HelmRelease). */
  desired?: DesiredState | null;
}

/**
 * Sync and health of a Flux object (failure-modes.md). Flux has no sync/health pair: Synced is
 * Ready True for the current generation with the source's revision applied — compared like
 * with like: a Kustomization's `lastAppliedRevision` with the source artifact, a HelmRelease's
 * chart version (it has no applied Git revision) with the version or range asked for, or its
 * build metadata with the source it was built from. A suspended object or parent is Suspended.
 */
export function fluxSyncState(input: FluxSyncInput): SyncState {
  const { object, parents } = input;
  const ready = condition(object, 'Ready');
  const stalled = condition(object, 'Stalled');
  const reconciling = condition(object, 'Reconciling');
  const isRelease = object.kind === 'HelmRelease';
  const latest = isRelease ? object.status?.history?.[0] : undefined;
  const generation = object.metadata?.generation;
  const observed =
    typeof generation !== 'number' ||
    object.status?.observedGeneration === generation;
  const suspendedBy = [object, ...parents.map(p => p.object)].find(
    o => o?.spec?.suspend === true,
  );

  const behind: string[] = [];
  if (!observed) {
    behind.push(
      `generation ${generation} not reconciled yet (observed ${
        object.status?.observedGeneration ?? 'none'
      })`,
    );
  }
  if (isRelease) behind.push(...releaseBehind(input, latest));
  else {
    const applied = object.status?.lastAppliedRevision;
    const artifact = input.source?.status?.artifact?.revision;
    if (applied && artifact && !sameArtifact(applied, artifact)) {
      behind.push(`applied ${applied}, the source is at ${artifact}`);
    }
  }
  for (const parent of parents) {
    const applied = parent.object.status?.lastAppliedRevision;
    const artifact = parent.source?.status?.artifact?.revision;
    if (applied && artifact && !sameArtifact(applied, artifact)) {
      behind.push(
        `${describeObject(
          parent.object,
        )} applied ${applied}, its source is at ${artifact}`,
      );
    }
  }

  let health: SyncState['health'] = 'Unknown';
  if (suspendedBy) health = 'Suspended';
  else if (
    stalled?.status === 'True' ||
    ready?.status === 'False' ||
    latest?.status === 'failed'
  )
    health = 'Degraded';
  else if (reconciling?.status === 'True' || ready?.status === 'Unknown')
    health = 'Progressing';
  else if (ready?.status === 'True') health = 'Healthy';

  let status: SyncState['status'] = 'Unknown';
  if (behind.length > 0 || ready?.status === 'False') status = 'OutOfSync';
  else if (
    ready?.status === 'True' &&
    (!latest || latest.status === 'deployed')
  )
    status = 'Synced';

  const nearest = isRelease ? parents[0]?.object : object;
  let message: string | null = null;
  if (suspendedBy) {
    message = `${describeObject(
      suspendedBy,
    )} is suspended: changes in Git are not applied`;
  } else if (ready?.status !== 'True') {
    message = ready?.message ?? stalled?.message ?? null;
  }
  if (behind.length > 0 && status === 'OutOfSync' && !message) {
    message = behind.join('; ');
  }
  return {
    engine: 'flux',
    status,
    health,
    revision: nearest?.status?.lastAppliedRevision ?? null,
    chartVersion: isRelease
      ? latest?.chartVersion ?? object.status?.lastAttemptedRevision ?? null
      : null,
    lastSyncedAt:
      latest?.lastDeployed ??
      ready?.lastTransitionTime ??
      object.status?.lastHandledReconcileAt ??
      null,
    message,
    object: describeObject(object),
    suspendedBy: suspendedBy ? describeObject(suspendedBy) : null,
    deployed: isRelease
      ? (object.status?.history ?? [])
          .filter((h: any) => typeof h?.lastDeployed === 'string')
          .map((h: any) => ({
            revision: null,
            version: h.chartVersion ?? null,
            at: h.lastDeployed,
          }))
      : [],
  };
}

/** Why a HelmRelease does not run what it should; empty when it does or cannot be told. */
function releaseBehind(
  input: FluxSyncInput,
  latest: Record<string, any> | undefined,
): string[] {
  const { object, source } = input;
  const behind: string[] = [];
  const attempted = object.status?.lastAttemptedRevision;
  if (latest?.status && latest.status !== 'deployed') {
    behind.push(`release ${latest.version ?? ''} is ${latest.status}`.trim());
  }
  if (attempted && latest?.chartVersion && attempted !== latest.chartVersion) {
    behind.push(
      `chart ${attempted} attempted, ${latest.chartVersion} deployed`,
    );
  }
  const installed = latest?.chartVersion ?? attempted;
  if (!installed) return behind;
  const chartSpec = object.spec?.chart?.spec;
  const ociChart = object.spec?.chartRef?.kind === 'OCIRepository';
  const fromSource =
    ociChart ||
    (chartSpec?.sourceRef?.kind === 'GitRepository' &&
      chartSpec?.reconcileStrategy === 'Revision');
  const askedInCluster = chartSpec?.version;
  const askedInGit = input.desired?.chart?.version ?? null;
  if (askedInGit && askedInCluster && askedInGit !== askedInCluster) {
    behind.push(
      `Git asks for chart ${askedInGit}, the cluster's release for ${askedInCluster}`,
    );
  }
  const comparison = compareChartVersion({
    installed,
    stampsRevision: fromSource,
    sourceRevision: source?.status?.artifact?.revision,
    wanted: fromSource ? null : askedInGit ?? askedInCluster,
  });
  if (comparison.matches === false && comparison.message) {
    behind.push(comparison.message);
  }
  return behind;
}
