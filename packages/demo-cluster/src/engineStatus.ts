import { KubeObject } from './ObjectStore';

/** What the reconciler knows of one engine object's last sync, for its status. */
export interface SyncView {
  /** Revision of the branch head. */
  head: string;
  /** Revision the engine last applied. */
  applied: string;
  /** Whether Git at `head` renders what was applied. */
  inSync: boolean;
  health: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended';
  healthMessage: string | null;
  /** When the last sync was applied. */
  syncedAt: string;
  /** Git could not be rendered at `head`. */
  error: string | null;
  now: Date;
}

/** An Argo CD Application's status as Argo CD writes it. */
export function withArgoStatus(app: KubeObject, view: SyncView): KubeObject {
  const next = structuredClone(app);
  next.status = {
    sync: {
      status: view.inSync && !view.error ? 'Synced' : 'OutOfSync',
      revision: view.applied,
      comparedTo: {
        source: app.spec?.source,
        destination: app.spec?.destination,
      },
    },
    health: {
      status: view.health,
      ...(view.healthMessage ? { message: view.healthMessage } : {}),
    },
    operationState: {
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      startedAt: view.syncedAt,
      finishedAt: view.syncedAt,
      operation: { sync: { revision: view.applied } },
      syncResult: { revision: view.applied },
    },
    reconciledAt: view.now.toISOString(),
    sourceType: app.spec?.source?.helm ? 'Helm' : 'Kustomize',
    conditions: view.error
      ? [
          {
            type: 'ComparisonError',
            message: view.error,
            lastTransitionTime: view.now.toISOString(),
          },
        ]
      : [],
  };
  return next;
}

/** A Flux Kustomization's status as kustomize-controller writes it. */
export function withFluxStatus(
  object: KubeObject,
  view: SyncView,
  revisionOf: (sha: string) => string,
): KubeObject {
  const next = structuredClone(object);
  if (object.spec?.suspend === true) return next; // a suspended object is left as it was
  const at = view.now.toISOString();
  let ready;
  if (view.error) {
    ready = {
      status: 'False',
      reason: 'BuildFailed',
      message: view.error,
    };
  } else if (view.health === 'Degraded') {
    ready = {
      status: 'False',
      reason: 'HealthCheckFailed',
      message: `health check failed after ${object.spec?.timeout ?? '2m'}: ${
        view.healthMessage ?? 'timeout waiting for Deployment'
      }`,
    };
  } else if (view.health === 'Progressing' || !view.inSync) {
    ready = {
      status: 'Unknown',
      reason: 'Progressing',
      message: `Reconciliation in progress`,
    };
  } else {
    ready = {
      status: 'True',
      reason: 'ReconciliationSucceeded',
      message: `Applied revision: ${revisionOf(view.applied)}`,
    };
  }
  const reconciling = ready.status === 'Unknown';
  next.status = {
    observedGeneration: object.metadata.generation ?? 1,
    lastAppliedRevision: revisionOf(view.applied),
    lastAttemptedRevision: revisionOf(view.head),
    lastHandledReconcileAt:
      object.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'] ?? at,
    conditions: [
      {
        type: 'Ready',
        ...ready,
        lastTransitionTime: view.syncedAt,
        observedGeneration: object.metadata.generation ?? 1,
      },
      ...(reconciling
        ? [
            {
              type: 'Reconciling',
              status: 'True',
              reason: 'Progressing',
              message: ready.message,
              lastTransitionTime: at,
            },
          ]
        : []),
    ],
  };
  return next;
}

/** A Flux GitRepository whose artifact is the branch head. */
export function withSourceStatus(
  source: KubeObject,
  head: string,
  revisionOf: (sha: string) => string,
  now: Date,
): KubeObject {
  const next = structuredClone(source);
  const revision = revisionOf(head);
  next.status = {
    observedGeneration: source.metadata.generation ?? 1,
    artifact: {
      revision,
      path: `gitrepository/${source.metadata.namespace}/${source.metadata.name}/${head}.tar.gz`,
      url: `http://source-controller.flux-system.svc/${head}.tar.gz`,
      digest: `sha256:${head.padEnd(64, '0').slice(0, 64)}`,
      lastUpdateTime: now.toISOString(),
    },
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Succeeded',
        message: `stored artifact for revision '${revision}'`,
        lastTransitionTime: now.toISOString(),
      },
    ],
  };
  return next;
}
