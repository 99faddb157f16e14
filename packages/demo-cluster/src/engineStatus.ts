import { HelmReleaseRun, fullReleaseName, releaseOf } from './helmRelease';
import { KubeObject } from './ObjectStore';

/** One object an engine applied, for Argo CD's `status.resources` and Flux's inventory. */
export interface AppliedResource {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  /** Whether Git at the branch head renders it as it is applied. */
  inSync: boolean;
  /** None for kinds Argo CD has no health check of (an AnalysisTemplate). */
  health?: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing';
  healthMessage?: string | null;
}

/** One Argo CD sync operation (`status.operationState`, `status.history`). */
export interface SyncRecord {
  /** `status.history[].id`: 0 for the first sync, counting up. */
  id: number;
  revision: string;
  startedAt: string;
  finishedAt: string;
  /** Started by automated sync, not by a user's request. */
  automated: boolean;
}

/** What the reconciler knows of one engine object's last sync, for its status. */
export interface SyncView {
  /** Revision of the branch head. */
  head: string;
  /** Revision the engine last applied. */
  applied: string;
  /** Whether Git at `head` renders what was applied. */
  inSync: boolean;
  /** `Missing`: Argo CD's health of an application whose objects are not there (yet). */
  health: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing';
  healthMessage: string | null;
  /** When the last sync was applied. */
  syncedAt: string;
  /** Git could not be rendered at `head`. */
  error: string | null;
  now: Date;
  /** The objects the engine applied (its workload, autoscaler or HelmRelease). */
  resources?: AppliedResource[];
  /** Images the application's workload runs, old and new during a rollout. */
  images?: string[];
  /** Argo CD's sync operations, oldest first. */
  syncs?: SyncRecord[];
  sourceType?: 'Helm' | 'Kustomize' | 'Directory';
}

type ConditionFields = Record<string, any> & { status: string };
type Condition = ConditionFields & { type: string };

/** The conditions that hold (null: absent), for the generation, first set at `at`. */
function conditionsOf(
  generation: number,
  at: string,
  entries: Array<[string, ConditionFields | null]>,
): Condition[] {
  return entries.flatMap(([type, c]) =>
    c
      ? [{ type, ...c, observedGeneration: generation, lastTransitionTime: at }]
      : [],
  );
}

/**
 * Conditions as the controllers set them: `lastTransitionTime` moves only when a condition's
 * status changes, so a release healthy for a week shows a week-old time.
 */
export function keepTransitionTimes(
  previous: Condition[] | undefined,
  next: Condition[],
): Condition[] {
  return next.map(c => {
    const before = previous?.find(p => p.type === c.type);
    return before?.status === c.status && before.lastTransitionTime
      ? { ...c, lastTransitionTime: before.lastTransitionTime }
      : c;
  });
}

/** Argo CD keeps the last 10 syncs (`spec.revisionHistoryLimit`). */
const ARGO_HISTORY = 10;

/** An Argo CD Application's status as Argo CD writes it. */
export function withArgoStatus(app: KubeObject, view: SyncView): KubeObject {
  const next = structuredClone(app);
  const at = view.now.toISOString();
  const syncs = (view.syncs ?? []).slice(-ARGO_HISTORY);
  const last = syncs[syncs.length - 1];
  const health = view.health;
  const source = app.spec?.source;
  const previousHealth = app.status?.health;
  let syncStatus = view.inSync ? 'Synced' : 'OutOfSync';
  // Manifests that cannot be generated cannot be compared.
  if (view.error) syncStatus = 'Unknown';
  next.status = {
    sync: {
      status: syncStatus,
      // The revision the comparison was made against: the branch head.
      revision: view.head,
      comparedTo: { source, destination: app.spec?.destination },
    },
    health: {
      status: health,
      ...(health !== 'Healthy' && view.healthMessage
        ? { message: view.healthMessage }
        : {}),
      lastTransitionTime:
        previousHealth?.status === health && previousHealth.lastTransitionTime
          ? previousHealth.lastTransitionTime
          : at,
    },
    ...(last
      ? {
          operationState: {
            operation: {
              sync: { revision: last.revision },
              initiatedBy: last.automated
                ? { automated: true }
                : { username: 'admin' },
            },
            phase: 'Succeeded',
            message: 'successfully synced (all tasks run)',
            startedAt: last.startedAt,
            finishedAt: last.finishedAt,
            syncResult: { revision: last.revision, source },
          },
        }
      : {}),
    reconciledAt: at,
    sourceType: view.sourceType ?? (source?.helm ? 'Helm' : 'Kustomize'),
    summary: { images: view.images ?? [] },
    resources: (view.resources ?? []).map(r => ({
      group: r.group,
      version: r.version,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      status: r.inSync ? 'Synced' : 'OutOfSync',
      ...(r.health
        ? {
            health: {
              status: r.health,
              ...(r.health !== 'Healthy' && r.healthMessage
                ? { message: r.healthMessage }
                : {}),
            },
          }
        : {}),
    })),
    history: syncs.map(s => ({
      id: s.id,
      revision: s.revision,
      deployStartedAt: s.startedAt,
      deployedAt: s.finishedAt,
      source,
      initiatedBy: s.automated ? { automated: true } : { username: 'admin' },
    })),
    controllerNamespace: app.metadata.namespace ?? 'argocd',
    // Argo CD's conditions have no status: one is there while it holds.
    conditions: view.error
      ? [
          {
            type: 'ComparisonError',
            message: view.error,
            lastTransitionTime:
              (app.status?.conditions ?? []).find(
                (c: any) => c.type === 'ComparisonError',
              )?.lastTransitionTime ?? at,
          },
        ]
      : [],
  };
  if (syncs.length === 0) delete next.status.history;
  return next;
}

/** `5m` → `5m0s`, as Go prints a duration. */
function goDuration(text: string | undefined, fallback: string): string {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text ?? '');
  if (!match || !text) return fallback;
  const [h, m, s] = match.slice(1).map(v => Number(v ?? 0));
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/** A Flux Kustomization's status as kustomize-controller (v1) writes it. */
export function withFluxStatus(
  object: KubeObject,
  view: SyncView,
  revisionOf: (sha: string) => string,
): KubeObject {
  const next = structuredClone(object);
  if (object.spec?.suspend === true) return next; // a suspended object is left as it was
  const at = view.now.toISOString();
  const generation = object.metadata.generation ?? 1;
  const head = revisionOf(view.head);
  const timeout = goDuration(
    object.spec?.timeout ?? object.spec?.interval,
    '5m0s',
  );
  // Health is checked only with `wait` or `healthChecks`; otherwise applied is Ready.
  const checksHealth =
    object.spec?.wait === true || (object.spec?.healthChecks ?? []).length > 0;
  const checking = `Running health checks for revision ${head} with a timeout of ${timeout}`;
  let ready: ConditionFields;
  let healthy: ConditionFields | null = null;
  let reconciling: ConditionFields | null = null;
  if (view.error) {
    ready = { status: 'False', reason: 'BuildFailed', message: view.error };
    reconciling = { ...ready, status: 'True', reason: 'ProgressingWithRetry' };
  } else if (!view.inSync) {
    ready = {
      status: 'Unknown',
      reason: 'Progressing',
      message: 'Reconciliation in progress',
    };
    reconciling = { ...ready, status: 'True' };
  } else if (checksHealth && view.health === 'Degraded') {
    const waiting = `timeout waiting for: [${(view.resources ?? [])
      .filter(r => r.health && r.health !== 'Healthy')
      .map(r => `${r.kind}/${r.namespace}/${r.name} status: 'InProgress'`)
      .join(', ')}]`;
    ready = {
      status: 'False',
      reason: 'HealthCheckFailed',
      message: `health check failed after ${timeout}: ${waiting}`,
    };
    healthy = {
      status: 'False',
      reason: 'HealthCheckFailed',
      message: waiting,
    };
    reconciling = {
      status: 'True',
      reason: 'ProgressingWithRetry',
      message: checking,
    };
  } else if (checksHealth && view.health === 'Progressing') {
    ready = {
      status: 'Unknown',
      reason: 'Progressing',
      message: 'Reconciliation in progress',
    };
    healthy = { status: 'Unknown', reason: 'Progressing', message: checking };
    reconciling = { status: 'True', reason: 'Progressing', message: checking };
  } else {
    ready = {
      status: 'True',
      reason: 'ReconciliationSucceeded',
      message: `Applied revision: ${revisionOf(view.applied)}`,
    };
    if (checksHealth)
      healthy = {
        status: 'True',
        reason: 'Succeeded',
        message: 'Health check passed in 5.02s',
      };
  }
  const requested =
    object.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
  const inventory = (view.resources ?? [])
    .map(r => ({
      id: `${r.namespace}_${r.name}_${r.group}_${r.kind}`,
      v: r.version,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  next.status = {
    observedGeneration: generation,
    lastAppliedRevision: revisionOf(view.applied),
    lastAttemptedRevision: head,
    ...(requested ? { lastHandledReconcileAt: requested } : {}),
    ...(inventory.length > 0 ? { inventory: { entries: inventory } } : {}),
    conditions: keepTransitionTimes(
      object.status?.conditions,
      conditionsOf(generation, at, [
        ['Ready', ready],
        ['Healthy', healthy],
        ['Reconciling', reconciling],
      ]),
    ),
  };
  return next;
}

/** A Flux GitRepository whose artifact is the branch head, stored at `storedAt`. */
export function withSourceStatus(
  source: KubeObject,
  head: string,
  revisionOf: (sha: string) => string,
  storedAt: Date,
  now: Date = storedAt,
): KubeObject {
  const next = structuredClone(source);
  const revision = revisionOf(head);
  const { namespace, name } = source.metadata;
  const path = `gitrepository/${namespace}/${name}/${head}.tar.gz`;
  const message = `stored artifact for revision '${revision}'`;
  const generation = source.metadata.generation ?? 1;
  const requested =
    source.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
  const stored = (type: string) => ({
    type,
    status: 'True',
    reason: 'Succeeded',
    message,
    observedGeneration: generation,
    lastTransitionTime: now.toISOString(),
  });
  next.status = {
    observedGeneration: generation,
    ...(requested ? { lastHandledReconcileAt: requested } : {}),
    artifact: {
      revision,
      path,
      url: `http://source-controller.flux-system.svc.cluster.local./${path}`,
      digest: `sha256:${head.padEnd(64, '0').slice(0, 64)}`,
      // Moves when a new revision is stored, not on every reconcile.
      lastUpdateTime: storedAt.toISOString(),
      size: 20480,
    },
    conditions: keepTransitionTimes(source.status?.conditions, [
      stored('Ready'),
      stored('ArtifactInStorage'),
    ]),
  };
  return next;
}

/** helm-controller's default `spec.timeout`. */
const HELM_TIMEOUT = '5m0s';

/**
 * A Flux HelmRelease's status as helm-controller (v1, `helm.toolkit.fluxcd.io/v2`) writes it:
 * no `lastAppliedRevision`; the revision is the chart version (`lastAttemptedRevision`,
 * `history[].chartVersion`), the history of Helm releases newest first.
 */
export function withHelmReleaseStatus(
  object: KubeObject,
  run: HelmReleaseRun,
  now: Date,
): KubeObject {
  const next = structuredClone(object);
  if (object.spec?.suspend === true) return next; // helm-controller leaves it as it was
  const at = now.toISOString();
  const generation = object.metadata.generation ?? 1;
  const latest = run.history[0];
  const action = run.pending?.action ?? run.lastAction;
  const { namespace: releaseNamespace, name: releaseName } = releaseOf(object);
  let released: ConditionFields | null = null;
  if (latest) {
    const verb = latest.action === 'install' ? 'install' : 'upgrade';
    const Verb = latest.action === 'install' ? 'Install' : 'Upgrade';
    released =
      latest.status === 'failed'
        ? {
            status: 'False',
            reason: `${Verb}Failed`,
            message: `Helm ${verb} failed for release ${releaseNamespace}/${releaseName} with chart ${latest.chartName}@${latest.chartVersion}: context deadline exceeded`,
          }
        : {
            status: 'True',
            reason: `${Verb}Succeeded`,
            message: `Helm ${verb} succeeded for release ${fullReleaseName(
              latest,
            )} with chart ${latest.chartName}@${latest.chartVersion}`,
          };
  }
  const progressing = {
    status: 'Unknown',
    reason: 'Progressing',
    message: `Running '${action}' action with timeout of ${
      object.spec?.timeout ?? HELM_TIMEOUT
    }`,
  };
  const ready = run.pending || !released ? progressing : released;
  const requested =
    object.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
  const chartRef = object.spec?.chart?.spec?.sourceRef;
  const { namespace, name } = object.metadata;
  next.status = {
    // Updated when the attempt ends; an upgrade still waiting is of the previous generation.
    observedGeneration: run.pending
      ? object.status?.observedGeneration ?? generation - 1
      : generation,
    lastAttemptedGeneration: run.attemptedGeneration,
    lastAttemptedRevision: run.chartVersion,
    lastAttemptedConfigDigest: run.configDigest,
    lastAttemptedReleaseAction: action,
    ...(requested ? { lastHandledReconcileAt: requested } : {}),
    ...(chartRef
      ? {
          helmChart: `${chartRef.namespace ?? namespace}/${namespace}-${name}`,
        }
      : {}),
    storageNamespace: object.spec?.storageNamespace ?? namespace,
    history: run.history.map(({ action: _, ...snapshot }) => snapshot),
    conditions: keepTransitionTimes(
      object.status?.conditions,
      conditionsOf(generation, at, [
        ['Ready', ready],
        ['Released', released],
        [
          'Reconciling',
          run.pending ? { ...progressing, status: 'True' } : null,
        ],
      ]),
    ),
  };
  if (run.history.length === 0) delete next.status.history;
  return next;
}
