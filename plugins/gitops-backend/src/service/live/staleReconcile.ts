import { compareChartVersion, sameArtifact } from './fluxRevision';
import { KubeObject } from './kinds';
import { TimeHorizon, overdue } from './timeHorizon';

/** What the staleness check needs besides the object. */
export interface StaleContext {
  now: Date;
  /** When the cache first saw a key; used when the object does not say when it changed. */
  firstSeen?: (key: string) => number;
  /** Where to note when a check that is not overdue yet will be. */
  horizon?: TimeHorizon;
}

/** A reconcile request not echoed after this long means the controller is not working. */
const REQUEST_GRACE_MS = 5 * 60 * 1000;

/**
 * Says why a Flux object is not being reconciled, or null (failure-modes.md, StaleReconcile):
 * - its spec changed (`generation` > `status.observedGeneration`) more than 3 intervals ago;
 * - a `reconcile.fluxcd.io/requestedAt` was not echoed in `status.lastHandledReconcileAt`
 *   within a few minutes;
 * - its source has had a newer artifact than the last attempt for more than 3 intervals.
 * Never from the `Ready` condition's `lastTransitionTime`: it only moves when the status
 * changes, so an object healthy for a week has a week-old time and is not stale.
 */
export function staleFluxReconcile(
  object: KubeObject,
  source: KubeObject | undefined,
  context: StaleContext,
): string | null {
  const interval = parseDuration(object.spec?.interval);
  if (!interval) return null;
  const now = context.now.getTime();
  const limit = 3 * interval;
  const uid = object.metadata?.uid ?? describe(object);
  const firstSeen = (key: string) => context.firstSeen?.(key) ?? now;

  const generation = object.metadata?.generation;
  const observed = object.status?.observedGeneration;
  if (
    typeof generation === 'number' &&
    typeof observed === 'number' &&
    generation > observed
  ) {
    const since =
      specChangedAt(object) ?? firstSeen(`${uid}/generation/${generation}`);
    if (overdue(now, since, limit, context.horizon)) {
      return `generation ${generation} not reconciled since ${iso(
        since,
      )} (observed ${observed}; interval ${object.spec.interval})`;
    }
  }

  const requested =
    object.metadata?.annotations?.['reconcile.fluxcd.io/requestedAt'];
  if (requested && requested !== object.status?.lastHandledReconcileAt) {
    const since =
      parseTime(requested) ?? firstSeen(`${uid}/requestedAt/${requested}`);
    if (
      overdue(now, since, Math.max(REQUEST_GRACE_MS, interval), context.horizon)
    ) {
      return `reconcile requested at ${requested} not handled (last handled ${
        object.status?.lastHandledReconcileAt ?? 'never'
      })`;
    }
  }

  const artifact = source?.status?.artifact;
  const updated = parseTime(artifact?.lastUpdateTime);
  const attempted = object.status?.lastAttemptedRevision;
  if (
    artifact?.revision &&
    updated !== null &&
    attempted &&
    !attemptedArtifact(object, attempted, artifact.revision) &&
    // Only an artifact not attempted yet can become overdue: noted on the horizon then.
    overdue(now, updated, limit, context.horizon)
  ) {
    return `source has ${artifact.revision} since ${iso(
      updated,
    )}, last attempt was ${attempted} (interval ${object.spec.interval})`;
  }
  return null;
}

/** The last attempt was at the source's artifact (compared like with like). */
function attemptedArtifact(
  object: KubeObject,
  attempted: string,
  artifact: string,
): boolean {
  if (object.kind !== 'HelmRelease') return sameArtifact(attempted, artifact);
  const comparison = compareChartVersion({
    installed: attempted,
    stampsRevision: true,
    sourceRevision: artifact,
  });
  // A chart version without the source's build metadata cannot be compared: not stale.
  return comparison.matches !== false;
}

/**
 * When the spec last changed: the newest `managedFields` time of a writer of the object
 * itself (not of its status subresource). Metadata writes count too, which only makes the
 * object look more recently changed, never stale too early.
 */
function specChangedAt(object: KubeObject): number | null {
  const times = (object.metadata?.managedFields ?? [])
    .filter((f: any) => f?.subresource !== 'status')
    .map((f: any) => parseTime(f?.time))
    .filter((t: number | null): t is number => t !== null);
  return times.length > 0 ? Math.max(...times) : null;
}

function parseTime(value: unknown): number | null {
  const time = Date.parse(String(value ?? ''));
  return Number.isFinite(time) ? time : null;
}

function iso(time: number) {
  return new Date(time).toISOString();
}

function describe(object: KubeObject) {
  return `${object.kind}/${object.metadata?.namespace}/${object.metadata?.name}`;
}

/** Parses a Go duration such as `5m`, `1h30m`, `10m0s`, `30s` into milliseconds. */
export function parseDuration(value: unknown): number | null {
  const match = String(value ?? '').match(
    /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/,
  );
  if (!match || !value) return null;
  const [, h, m, s] = match.map(Number);
  return (((h || 0) * 60 + (m || 0)) * 60 + (s || 0)) * 1000;
}
