import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig } from '@kubernetes/client-node';
import {
  ClusterObjects,
  Freshness,
  KindKey,
  KindReadState,
  KubeObject,
  WATCHED_KINDS,
} from './kinds';
import { ObjectIndex } from './objectIndex';
import { WatchSample, recordWatchReconnect } from '../telemetry/gitopsMetrics';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  reconnectDelayMs,
} from './watchBackoff';
import {
  freshnessOf,
  healthOf,
  kindStateOf,
  slotWarnings,
  watchSamplesOf,
} from './watchReports';
import { isExpiredEvent, slimObject } from './slimObject';
import { WatchScope, scopeNamespaces } from './watchScope';
import {
  KindWatchState,
  WatchSlot,
  createWatchSlot,
  isExcluded,
  safeMessage,
} from './watchSlot';

export type { KindWatchState } from './watchSlot';

/** Options of {@link ClusterWatch}. */
export interface ClusterWatchOptions {
  name: string;
  kubeConfig: KubeConfig;
  logger: LoggerService;
  /** Time-out of one list call or watch request; data older than this is served as stale. */
  timeoutMs: number;
  /**
   * `timeoutSeconds` of each watch: the API server ends a quiet watch after it and the watch is
   * reopened (no list). A watch silent for longer plus `timeoutMs` is taken for dead. Default 60.
   */
  watchTimeoutSeconds?: number;
  /** Namespaced list+watch; cluster-wide when absent. */
  scope?: WatchScope;
  /**
   * Restart delay after a first error, default {@link DEFAULT_BACKOFF_MS}; doubles with each
   * error in a row up to `maxBackoffMs`, jittered (see {@link reconnectDelayMs}).
   */
  backoffMs?: number;
  /** Cap of the restart delay. Default {@link DEFAULT_MAX_BACKOFF_MS}. */
  maxBackoffMs?: number;
  /** Retry delay of a kind that is absent or forbidden. Default 5 minutes. */
  recheckMs?: number;
  now?: () => number;
  /** Source of the reconnect jitter, in [0, 1) (tests fix it). Default `Math.random`. */
  random?: () => number;
}

/**
 * One cluster's cache: a list+watch per kind — cluster-wide, or per namespace for accounts
 * bound by Roles — whatever the number of entities and page views. An informer
 * (`KindInformer`) stops after any error but 410 Gone, so errors restart it
 * with exponential backoff, capped and jittered ({@link reconnectDelayMs}); a kind the
 * cluster does not serve or the account may not list is marked and looked at again later,
 * and never makes the rest unreadable. Watches carry a heartbeat ({@link LivenessWatch}), so
 * a cluster that goes silent is noticed and its data served as stale, not as current.
 */
export class ClusterWatch implements ClusterObjects {
  private readonly slots = new Map<string, WatchSlot>();
  /** Per kind, the objects by namespace, name and index key, kept current by the informers. */
  private readonly indexes = new Map<KindKey, ObjectIndex>();
  private readonly reads = { calls: 0, objects: 0 };
  private stopped = true;
  private readyOnce = false;
  private downMarked = false;
  private readonly waiters = new Set<() => void>();
  private watchScope: WatchScope | undefined;
  /** Optional kinds the account may not list, logged once per cluster (not per namespace). */
  private readonly forbiddenLogged = new Set<KindKey>();
  /** When each slot's informer was last (re)started: how long a failed attempt waited. */
  private readonly attemptStarted = new WeakMap<WatchSlot, number>();
  /** When each slot was made: the lag of a kind the API server never confirmed runs from it. */
  private readonly slotCreated = new WeakMap<WatchSlot, number>();

  constructor(private readonly options: ClusterWatchOptions) {
    this.watchScope = options.scope;
  }

  get name() {
    return this.options.name;
  }

  /** The namespaces watched; undefined when cluster-wide. */
  scope(): WatchScope | undefined {
    return this.watchScope && scopeNamespaces(this.watchScope);
  }

  start() {
    this.stopped = false;
    this.reconcileSlots();
  }

  async stop() {
    this.stopped = true;
    for (const slot of this.slots.values()) this.drop(slot);
    this.slots.clear();
  }

  /** Changes the watched namespaces (e.g. when services are added to the catalog). */
  setScope(scope: WatchScope) {
    this.watchScope = scope;
    if (!this.stopped) this.reconcileSlots();
  }

  list(kind: KindKey, namespace?: string): readonly KubeObject[] {
    return this.counted(this.listUncounted(kind, namespace));
  }

  lookup(kind: KindKey, key: string): readonly KubeObject[] {
    return this.counted(this.indexes.get(kind)?.get(key) ?? []);
  }

  version(kind: KindKey, key: string): number {
    return this.indexes.get(kind)?.version(key) ?? 0;
  }

  /** Moves whenever any cached object of the cluster changes (each kind's clock). */
  clock(): string {
    return [...this.indexes]
      .map(([kind, index]) => `${kind}:${index.version('*')}`)
      .join(',');
  }

  /**
   * What the cluster's answers depend on besides its objects: whether it is up, current, and
   * which kinds it could read. Changes when any of that does.
   */
  state(): string {
    const kinds = [...this.slots.values()].map(slot => slot.status.state);
    return `${this.hasData()}:${this.knownDown()}:${
      this.freshness().stale
    }:${kinds.join(',')}`;
  }

  /**
   * Reads served from the cache and the objects they returned: the cost of views, which must
   * grow with what they show, not with the size of the cluster.
   */
  readStats() {
    return { ...this.reads };
  }

  private counted(objects: readonly KubeObject[]) {
    this.reads.calls += 1;
    this.reads.objects += objects.length;
    return objects;
  }

  private listUncounted(kind: KindKey, namespace?: string) {
    // The index holds what the kind's slots listed and watched, and nothing else: a namespace
    // no slot watches has nothing in it.
    return this.indexes.get(kind)?.list(namespace) ?? [];
  }

  warnings(namespace: string): string[] {
    const scope = this.scope();
    const unwatched =
      scope && !scope.service.includes(namespace)
        ? [
            `cluster ${this.name}: namespace ${namespace} is not watched (gitops.clusters[].namespaces)`,
          ]
        : [];
    return [
      ...unwatched,
      ...slotWarnings(this.name, this.slots.values(), namespace),
    ];
  }

  kindState(kind: KindKey): KindReadState {
    return kindStateOf(this.slots.values(), kind);
  }

  /** Every kind has been listed once (or is absent or forbidden): reads answer from the cache. */
  isReady(): boolean {
    const ready =
      this.slots.size > 0 &&
      [...this.slots.values()].every(
        s => s.status.syncedAt !== null || isExcluded(s),
      );
    if (ready) {
      this.readyOnce = true;
      this.downMarked = false;
    }
    return ready;
  }

  /** The cache has been filled once: reads answer at once, marked stale when it is old. */
  hasData(): boolean {
    return this.readyOnce || this.isReady();
  }

  /**
   * A cold cluster that did not get ready within the time-out once, or whose every kind
   * failed: views answer with the error at once instead of waiting again.
   */
  knownDown(): boolean {
    if (this.hasData()) return false;
    const failing = [...this.slots.values()].filter(s => !isExcluded(s));
    return (
      this.downMarked ||
      (failing.length > 0 && failing.every(s => s.status.state === 'error'))
    );
  }

  freshness(): Freshness {
    return freshnessOf(
      this.name,
      this.slots.values(),
      this.now(),
      this.options.timeoutMs,
    );
  }

  /** Resolves once ready; rejects after `timeoutMs` or when `signal` aborts. */
  whenReady(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        timer: undefined as NodeJS.Timeout | undefined,
        finish: (error?: unknown) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter.check);
          signal?.removeEventListener('abort', waiter.abort);
          if (error) reject(error);
          else resolve();
        },
        check: () => {
          if (this.isReady()) waiter.finish();
        },
        abort: () => waiter.finish(signal?.reason ?? new Error('aborted')),
      };
      waiter.timer = setTimeout(() => {
        this.downMarked = true;
        waiter.finish(new Error(this.unavailableMessage(timeoutMs)));
      }, timeoutMs);
      this.waiters.add(waiter.check);
      signal?.addEventListener('abort', waiter.abort, { once: true });
    });
  }

  /** Why the cluster cannot be read, for the environments that need it. */
  unavailableMessage(timeoutMs = this.options.timeoutMs) {
    const failing = [...this.slots.values()].find(
      s => s.status.state === 'error' && s.status.error,
    );
    return failing
      ? `cluster ${this.name} cannot be read: ${failing.status.error}`
      : `cluster ${this.name} did not answer within ${timeoutMs} ms`;
  }

  health(): Record<KindKey, KindWatchState> {
    return healthOf(this.slots.values());
  }

  /**
   * Per kind, for the metrics at collection time: the objects cached, the seconds since the
   * API server last confirmed it (the oldest of its namespaces) and whether every watch is
   * open. A kind absent or forbidden everywhere has no lag nor connection to report.
   */
  watchSamples(): WatchSample[] {
    return watchSamplesOf(
      this.name,
      this.slots.values(),
      this.indexes,
      this.now(),
      slot => this.slotCreated.get(slot),
    );
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  /** Creates the slots the scope asks for and drops those it no longer does. */
  private reconcileSlots() {
    const wanted = new Map<string, [KindKey, string | null]>();
    const scope = this.scope();
    for (const kind of Object.keys(WATCHED_KINDS) as KindKey[]) {
      const namespaces = scope
        ? namespacesOfKind(kind, scope)
        : [null as string | null];
      for (const ns of namespaces) wanted.set(slotKey(kind, ns), [kind, ns]);
    }
    for (const [key, slot] of this.slots) {
      if (!wanted.has(key)) {
        this.slots.delete(key);
        this.drop(slot);
      }
    }
    for (const [key, [kind, namespace]] of wanted) {
      if (this.slots.has(key)) continue;
      const slot = this.createSlot(kind, namespace);
      this.slots.set(key, slot);
      this.run(slot);
    }
  }

  private drop(slot: WatchSlot) {
    slot.removed = true;
    clearTimeout(slot.timer);
    slot.informer.stop();
    this.indexes.get(slot.kind)?.clear(slot.namespace);
  }

  /**
   * An empty slot in place of one whose kind can no longer be read (the account lost its grant,
   * the CRD was removed): what it had read can no longer be confirmed, so it leaves the cache,
   * as it would be missing after a restart, rather than being served as current.
   */
  private replaceSlot(slot: WatchSlot): WatchSlot {
    const fresh = this.createSlot(slot.kind, slot.namespace);
    fresh.failures = slot.failures;
    this.slots.set(slotKey(slot.kind, slot.namespace), fresh);
    this.drop(slot);
    return fresh;
  }

  private index(kind: KindKey) {
    let index = this.indexes.get(kind);
    if (!index) {
      index = new ObjectIndex(kind);
      this.indexes.set(kind, index);
    }
    return index;
  }

  /** What the cache keeps of an object (see slimObject); null for an event too old to keep. */
  private keep(kind: KindKey, object: KubeObject): KubeObject | null {
    if (kind === 'events' && isExpiredEvent(object, this.now())) return null;
    return slimObject(kind, object);
  }

  private createSlot(kind: KindKey, namespace: string | null): WatchSlot {
    const slot = createWatchSlot({
      kind,
      namespace,
      kubeConfig: this.options.kubeConfig,
      timeoutMs: this.options.timeoutMs,
      watchTimeoutSeconds: this.options.watchTimeoutSeconds ?? 60,
      now: () => this.now(),
      keep: object => this.keep(kind, object),
      index: this.index(kind),
      onListed: () => this.waiters.forEach(check => check()),
      onError: (failed, error) => this.onError(failed, error),
    });
    this.slotCreated.set(slot, this.now());
    return slot;
  }

  private run(slot: WatchSlot) {
    if (this.stopped || slot.removed) return;
    this.attemptStarted.set(slot, this.now());
    slot.informer.start().catch(error => this.onError(slot, error));
  }

  /**
   * How long the failed attempt waited without any answer from the API server: since the
   * informer was restarted or the server last confirmed the kind, whichever is later. A
   * refused or failed request waited ~0; a request that hung waited its time-out.
   */
  private waitedMs(slot: WatchSlot) {
    const now = this.now();
    const since = Math.max(
      this.attemptStarted.get(slot) ?? now,
      Date.parse(slot.status.confirmedAt ?? '') || 0,
    );
    return Math.max(0, now - since);
  }

  private onError(failed: WatchSlot, error: any) {
    if (this.stopped || failed.removed) return;
    const code = Number(error?.statusCode ?? error?.code);
    const slot =
      (code === 403 || code === 404) &&
      this.index(failed.kind).sizeOf(failed.namespace) > 0
        ? this.replaceSlot(failed)
        : failed;
    const { status } = slot;
    slot.failures += 1;
    status.connected = false;
    if (code === 404 || code === 403) {
      status.state = code === 404 ? 'absent' : 'forbidden';
      // An engine's CRD not installed is normal: no error to show.
      status.error =
        code === 404 && WATCHED_KINDS[slot.kind].optional
          ? null
          : safeMessage(error);
      const { optional } = WATCHED_KINDS[slot.kind];
      // A missing grant for an optional kind is said once per cluster, not once per namespace.
      const first =
        code === 403 && optional
          ? !this.forbiddenLogged.has(slot.kind)
          : slot.failures === 1;
      if (code === 403) this.forbiddenLogged.add(slot.kind);
      if (code === 403 || !optional) {
        if (first) {
          this.options.logger.warn(
            `GitOps: cluster ${this.name}: ${slot.kind}${
              slot.namespace ? ` in ${slot.namespace}` : ''
            } not readable (${status.error}); the other kinds are served${
              code === 403 ? `: grant list, watch on ${slot.kind}` : ''
            }`,
          );
        }
      }
      this.waiters.forEach(check => check());
    } else {
      status.state = 'error';
      status.error = safeMessage(error);
      // Every failure schedules a reconnect; absent and forbidden kinds are rechecks, not these.
      recordWatchReconnect(this.name, slot.kind);
      if (slot.failures === 1) {
        this.options.logger.warn(
          `GitOps: watch of ${slot.kind} on cluster ${this.name} failed: ${status.error}`,
        );
      }
      this.waiters.forEach(check => check());
    }
    // A kind the cluster does not serve or the account may not list stays on the slow
    // recheck: a grant or a CRD comes with a change to the cluster, not with its recovery.
    const delay = isExcluded(slot)
      ? this.options.recheckMs ?? 300_000
      : reconnectDelayMs(slot.failures, {
          baseMs: this.options.backoffMs ?? DEFAULT_BACKOFF_MS,
          maxMs: this.options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
          waitedMs: this.waitedMs(slot),
          random: this.options.random,
        });
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.run(slot), delay);
    slot.timer.unref?.();
  }
}

function slotKey(kind: KindKey, namespace: string | null) {
  return namespace === null ? kind : `${kind}@${namespace}`;
}

function namespacesOfKind(
  kind: KindKey,
  scope: ReturnType<typeof scopeNamespaces>,
): string[] {
  const where = WATCHED_KINDS[kind].scope;
  if (where === 'service') return scope.service;
  if (where === 'argocd') return scope.argocd;
  return [...new Set([...scope.flux, ...scope.service])];
}
