import { SyncState } from '@gitops-backstage/plugin-gitops-common';
import { KubeObject, condition, describeObject } from './kinds';
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
export function syncState(objects: ServiceObjects): SyncState {
  if (objects.application) return argoSync(objects.application);
  const flux = objects.helmRelease ?? objects.kustomization;
  if (flux) return fluxSync(flux, objects.source);
  return {
    engine: 'none',
    status: 'Unknown',
    health: objects.deployment ? 'Unknown' : 'Missing',
    revision: null,
    lastSyncedAt: null,
    message: null,
    object: null,
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
  };
}

/**
 * Flux has no sync/health pair: Ready True with the source's revision applied is Synced and
 * Healthy; Reconciling is Progressing; Stalled or Ready False is Degraded; suspend is Suspended.
 */
function fluxSync(
  object: KubeObject,
  source: KubeObject | undefined,
): SyncState {
  const ready = condition(object, 'Ready');
  const reconciling = condition(object, 'Reconciling');
  const stalled = condition(object, 'Stalled');
  const applied =
    object.status?.lastAppliedRevision ??
    object.status?.lastAttemptedRevision ??
    null;
  const sourceRevision = source?.status?.artifact?.revision ?? null;
  let health: SyncState['health'] = 'Unknown';
  if (object.spec?.suspend === true) health = 'Suspended';
  else if (stalled?.status === 'True' || ready?.status === 'False')
    health = 'Degraded';
  else if (reconciling?.status === 'True') health = 'Progressing';
  else if (ready?.status === 'True') health = 'Healthy';
  let status: SyncState['status'] = 'Unknown';
  if (ready?.status === 'True') {
    status =
      !sourceRevision || sourceRevision === applied ? 'Synced' : 'OutOfSync';
  } else if (ready?.status === 'False') {
    status = 'OutOfSync';
  }
  return {
    engine: 'flux',
    status,
    health,
    revision: applied,
    lastSyncedAt:
      ready?.lastTransitionTime ??
      object.status?.lastHandledReconcileAt ??
      null,
    message:
      ready?.status === 'True'
        ? null
        : ready?.message ?? stalled?.message ?? null,
    object: describeObject(object),
  };
}
