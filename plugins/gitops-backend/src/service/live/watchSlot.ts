import { KubeConfig } from '@kubernetes/client-node';
import { KindKey, KubeObject, WATCHED_KINDS, kindPath } from './kinds';
import { KindInformer } from './KindInformer';
import { listKind } from './listKind';
import { LivenessWatch } from './LivenessWatch';
import { ObjectIndex } from './objectIndex';

/** State of one kind's list+watch (in one namespace, or cluster-wide). */
export interface KindWatchState {
  /** `forbidden`: the account may not list it; `absent`: the cluster does not serve it. */
  state: 'starting' | 'synced' | 'error' | 'absent' | 'forbidden';
  /** Last error, credentials never included. */
  error: string | null;
  syncedAt: string | null;
  /** Last time the API server confirmed the data: a list, an opened watch, an event, a bookmark. */
  confirmedAt: string | null;
  /** A watch is open. */
  connected: boolean;
  lists: number;
  /** Per namespace, when watches are namespaced. */
  namespaces?: Record<string, KindWatchState>;
}

/** One kind's list+watch, cluster-wide (`namespace` null) or in one namespace. */
export type WatchSlot = {
  kind: KindKey;
  namespace: string | null;
  informer: KindInformer;
  status: KindWatchState;
  failures: number;
  timer?: NodeJS.Timeout;
  removed: boolean;
};

/** Options of {@link createWatchSlot}. */
export interface WatchSlotOptions {
  kind: KindKey;
  namespace: string | null;
  kubeConfig: KubeConfig;
  /** Time-out of a list and of a watch request's answer. */
  timeoutMs: number;
  /** Server-side time-out of each watch. */
  watchTimeoutSeconds: number;
  now(): number;
  /** What the cache keeps of an object; null keeps nothing. */
  keep(object: KubeObject): KubeObject | null;
  /** Where the kind's objects live, kept current by the informer. */
  index: ObjectIndex;
  /** After a list was stored. */
  onListed(): void;
  onError(slot: WatchSlot, error: unknown): void;
}

/**
 * An informer of one kind with the heartbeat watch ({@link LivenessWatch}) and its state: when
 * it was listed, confirmed, connected, and what failed. Objects are slimmed before the index
 * stores them.
 */
export function createWatchSlot(options: WatchSlotOptions): WatchSlot {
  const { kind, namespace, now } = options;
  const fieldSelector =
    'fieldSelector' in WATCHED_KINDS[kind]
      ? (WATCHED_KINDS[kind] as { fieldSelector: string }).fieldSelector
      : undefined;
  const status: KindWatchState = {
    state: 'starting',
    error: null,
    syncedAt: null,
    confirmedAt: null,
    connected: false,
    lists: 0,
  };
  const slot = { kind, namespace, status, failures: 0 } as WatchSlot;
  const confirm = () => {
    status.confirmedAt = new Date(now()).toISOString();
  };
  const list = async () => {
    const body = await listKind({
      kubeConfig: options.kubeConfig,
      kind,
      namespace: namespace ?? undefined,
      fieldSelector,
      timeoutMs: options.timeoutMs,
      keep: options.keep,
    });
    status.lists += 1;
    status.state = 'synced';
    status.error = null;
    status.syncedAt = new Date(now()).toISOString();
    confirm();
    slot.failures = 0;
    // Waiters check after the informer has stored the items.
    setImmediate(options.onListed);
    return body;
  };
  const watch = new LivenessWatch({
    kubeConfig: options.kubeConfig,
    connectTimeoutMs: options.timeoutMs,
    serverTimeoutSeconds: options.watchTimeoutSeconds,
    idleTimeoutMs: options.watchTimeoutSeconds * 1000 + options.timeoutMs,
    transform: options.keep,
    onConfirmed: () => {
      confirm();
      if (status.state !== 'synced' && status.syncedAt) {
        // A watch resumed after an outage: the kind is current again.
        status.state = 'synced';
        status.error = null;
        slot.failures = 0;
      }
    },
    onConnected: connected => {
      status.connected = connected;
    },
  });
  slot.informer = new KindInformer({
    path: kindPath(kind, namespace ?? undefined),
    namespace,
    fieldSelector,
    list,
    watcher: watch,
    index: options.index,
    onError: error => options.onError(slot, error),
  });
  return slot;
}

/** A kind the cluster does not serve or the account may not list: not waited for. */
export function isExcluded(slot: WatchSlot) {
  return slot.status.state === 'absent' || slot.status.state === 'forbidden';
}

const SEVERITY: KindWatchState['state'][] = [
  'error',
  'forbidden',
  'starting',
  'absent',
  'synced',
];

/** The state of a kind watched in several namespaces: the worst of them. */
export function aggregate(states: KindWatchState[]): KindWatchState {
  const state = SEVERITY.find(s => states.some(x => x.state === s))!;
  const times = (pick: (s: KindWatchState) => string | null) =>
    states
      .map(pick)
      .filter((t): t is string => Boolean(t))
      .sort()[0] ?? null;
  return {
    state,
    error: states.find(s => s.state === state)?.error ?? null,
    syncedAt: times(s => s.syncedAt),
    confirmedAt: times(s => s.confirmedAt),
    connected: states.every(s => s.connected),
    lists: states.reduce((sum, s) => sum + s.lists, 0),
  };
}

/** An error's message without anything that looks like a credential. */
export function safeMessage(error: any): string {
  const message = String(error?.message ?? error ?? 'unknown error');
  return message
    .replace(/(authorization|bearer|token)[=: ]+\S+/gi, '$1 ***')
    .replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
}
