import { Freshness, KindKey, KindReadState, WATCHED_KINDS } from './kinds';
import { ObjectIndex } from './objectIndex';
import { WatchSample } from '../telemetry/gitopsMetrics';
import { KindWatchState, WatchSlot, aggregate, isExcluded } from './watchSlot';

/**
 * What a cluster's watch slots say about what it can read: the warnings of a namespace, the
 * state of a kind, how current the cache is, the health per kind and the metrics' samples.
 * Pure reads of the slots (see `ClusterWatch`, which owns them).
 */

/** Kinds of `cluster` that may not be listed or are not served, where `namespace` reads them. */
export function slotWarnings(
  cluster: string,
  slots: Iterable<WatchSlot>,
  namespace: string,
): string[] {
  const warnings: string[] = [];
  for (const slot of slots) {
    const relevant =
      slot.namespace === null ||
      slot.namespace === namespace ||
      WATCHED_KINDS[slot.kind].scope !== 'service';
    if (!relevant) continue;
    const where = slot.namespace ? ` in ${slot.namespace}` : '';
    if (slot.status.state === 'forbidden') {
      warnings.push(
        `cluster ${cluster}: may not list ${slot.kind}${where} (${slot.status.error}): grant list, watch on ${slot.kind}`,
      );
    } else if (
      slot.status.state === 'absent' &&
      !WATCHED_KINDS[slot.kind].optional
    ) {
      warnings.push(
        `cluster ${cluster}: does not serve ${slot.kind}${where} (${slot.status.error})`,
      );
    }
  }
  return warnings;
}

/** How a kind could be read, over its slots (one per namespace, or one cluster-wide). */
export function kindStateOf(
  slots: Iterable<WatchSlot>,
  kind: KindKey,
): KindReadState {
  const states = [...slots]
    .filter(slot => slot.kind === kind)
    .map(slot => slot.status.state);
  // One namespace the account may not read is enough to make the kind's answer partial.
  if (states.includes('forbidden')) return 'forbidden';
  if (states.length > 0 && states.every(state => state === 'absent')) {
    return 'absent';
  }
  return states.includes('synced') ? 'read' : 'unknown';
}

/**
 * When the API server last confirmed the oldest of the slots, and whether that is longer ago
 * than `timeoutMs` (the cache is then served as stale, with the reason).
 */
export function freshnessOf(
  cluster: string,
  slots: Iterable<WatchSlot>,
  now: number,
  timeoutMs: number,
): Freshness {
  let oldest: number | null = null;
  let cause: WatchSlot | undefined;
  for (const slot of slots) {
    if (isExcluded(slot) || slot.status.syncedAt === null) continue;
    const confirmed = slot.status.connected
      ? now
      : Date.parse(slot.status.confirmedAt ?? '') || 0;
    if (oldest === null || confirmed < oldest) {
      oldest = confirmed;
      cause = slot;
    }
  }
  if (oldest === null) {
    return { observedAt: null, stale: false, staleReason: null };
  }
  const stale = now - oldest > timeoutMs;
  const since = new Date(oldest).toISOString();
  return {
    observedAt: since,
    stale,
    staleReason: stale
      ? `cluster ${cluster}: no answer since ${since.slice(11, 19)} UTC${
          cause?.status.error ? ` (${cause.status.error})` : ''
        }; showing the state from then`
      : null,
  };
}

/** Per kind, its watch state; per namespace too when the kind is watched by namespace. */
export function healthOf(
  slots: Iterable<WatchSlot>,
): Record<KindKey, KindWatchState> {
  const all = [...slots];
  const result = {} as Record<KindKey, KindWatchState>;
  for (const kind of Object.keys(WATCHED_KINDS) as KindKey[]) {
    const ofKind = all.filter(s => s.kind === kind);
    if (ofKind.length === 0) continue;
    if (ofKind.length === 1 && ofKind[0].namespace === null) {
      result[kind] = { ...ofKind[0].status };
      continue;
    }
    result[kind] = {
      ...aggregate(ofKind.map(s => s.status)),
      namespaces: Object.fromEntries(
        ofKind.map(s => [s.namespace!, { ...s.status }]),
      ),
    };
  }
  return result;
}

/**
 * Per kind, for the metrics at collection time: the objects cached, the seconds since the API
 * server last confirmed it (the oldest of its namespaces; from the slot's creation when it
 * never did) and whether every watch is open. A kind absent or forbidden everywhere has no lag
 * nor connection to report.
 */
export function watchSamplesOf(
  cluster: string,
  slots: Iterable<WatchSlot>,
  indexes: ReadonlyMap<KindKey, ObjectIndex>,
  now: number,
  createdAt: (slot: WatchSlot) => number | undefined,
): WatchSample[] {
  const byKind = new Map<KindKey, { confirmed: number; connected: boolean }>();
  for (const slot of slots) {
    if (isExcluded(slot)) continue;
    const confirmed =
      Date.parse(slot.status.confirmedAt ?? '') || (createdAt(slot) ?? now);
    const seen = byKind.get(slot.kind);
    byKind.set(slot.kind, {
      confirmed: Math.min(seen?.confirmed ?? confirmed, confirmed),
      connected: (seen?.connected ?? true) && slot.status.connected,
    });
  }
  const samples: WatchSample[] = [];
  for (const [kind, index] of indexes) {
    const watched = byKind.get(kind);
    // A CRD not installed (or not granted) would add a series of zeros per cluster.
    if (!watched && index.size === 0) continue;
    samples.push({
      cluster,
      kind,
      objects: index.size,
      lagSeconds: watched ? Math.max(0, now - watched.confirmed) / 1000 : null,
      connected: watched ? watched.connected : null,
    });
  }
  return samples;
}
