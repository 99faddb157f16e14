import {
  DesiredState,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import { fluxSyncState } from './fluxSyncState';
import { KubeObject, describeObject } from './kinds';
import { ServiceObjects } from './selectServiceObjects';

const ARGO_HEALTH = new Set([
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
]);

/**
 * Sync and health from the Argo CD Application, or else the Flux object, of the service;
 * engine `none` when neither deploys it.
 */
export function syncState(
  objects: ServiceObjects,
  desired?: DesiredState | null,
): SyncState {
  if (objects.application) return argoSync(objects.application);
  const flux = objects.helmRelease ?? objects.kustomization;
  if (flux) {
    return fluxSyncState({
      object: flux,
      source: objects.source,
      parents: objects.parents ?? [],
      desired,
    });
  }
  return {
    engine: 'none',
    status: 'Unknown',
    health: objects.deployment || objects.rollout ? 'Unknown' : 'Missing',
    revision: null,
    lastSyncedAt: null,
    message: null,
    object: null,
    chartVersion: null,
    suspendedBy: null,
    deployed: [],
  };
}

function argoSync(app: KubeObject): SyncState {
  const status = app.status ?? {};
  const sync = ['Synced', 'OutOfSync'].includes(status.sync?.status)
    ? status.sync.status
    : 'Unknown';
  const health = ARGO_HEALTH.has(status.health?.status)
    ? status.health.status
    : 'Unknown';
  const failedCondition = (status.conditions ?? []).find((c: any) =>
    /Error$/.test(String(c?.type)),
  );
  const operation = status.operationState;
  const message =
    failedCondition?.message ??
    (['Failed', 'Error'].includes(operation?.phase)
      ? operation?.message
      : null) ??
    status.health?.message ??
    null;
  return {
    engine: 'argocd',
    status: sync,
    health,
    revision: status.sync?.revision ?? status.sync?.revisions?.[0] ?? null,
    lastSyncedAt: operation?.finishedAt ?? status.reconciledAt ?? null,
    message,
    object: describeObject(app),
    chartVersion: null,
    suspendedBy: null,
    deployed: (Array.isArray(status.history) ? [...status.history] : [])
      .filter((h: any) => typeof h?.deployedAt === 'string')
      .reverse()
      .map((h: any) => ({
        revision: h.revision ?? null,
        version: null,
        at: h.deployedAt,
      })),
  };
}
