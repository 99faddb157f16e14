import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import { ClusterObjects, KindKey, KubeObject, WATCHED_KINDS } from './kinds';

/** State of one kind's list+watch, as the health endpoint reports it. */
export interface KindWatchState {
  state: 'starting' | 'synced' | 'error' | 'absent';
  /** Last error, credentials never included. */
  error: string | null;
  syncedAt: string | null;
  lists: number;
}

/** Options of {@link ClusterWatch}. */
export interface ClusterWatchOptions {
  name: string;
  kubeConfig: KubeConfig;
  logger: LoggerService;
  /** Time-out of one list call. */
  timeoutMs: number;
  /** First restart delay after an error; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

type KindEntry = {
  informer: ListWatch<KubeObject>;
  status: KindWatchState;
  failures: number;
  timer?: NodeJS.Timeout;
};

/**
 * One cluster's cache: a list+watch per kind (one watch connection each, whatever the number of
 * entities and page views). An informer of @kubernetes/client-node stops for good after any
 * error but 410 Gone, so errors restart it with exponential backoff; a kind the cluster does not
 * serve (no Argo CD or Flux CRD) is marked absent and looked for again later.
 */
export class ClusterWatch implements ClusterObjects {
  private readonly kinds = new Map<KindKey, KindEntry>();
  private stopped = false;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: ClusterWatchOptions) {}

  get name() {
    return this.options.name;
  }

  start() {
    this.stopped = false;
    for (const key of Object.keys(WATCHED_KINDS) as KindKey[]) {
      if (!this.kinds.has(key)) this.kinds.set(key, this.createKind(key));
      this.run(key);
    }
  }

  async stop() {
    this.stopped = true;
    for (const entry of this.kinds.values()) {
      clearTimeout(entry.timer);
      await entry.informer.stop();
    }
  }

  list(kind: KindKey, namespace?: string): readonly KubeObject[] {
    return this.kinds.get(kind)?.informer.list(namespace) ?? [];
  }

  /** Every kind has been listed once (or is absent): reads answer from the cache. */
  isReady(): boolean {
    return [...this.kinds.values()].every(
      e => e.status.syncedAt !== null || e.status.state === 'absent',
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
      waiter.timer = setTimeout(
        () => waiter.finish(new Error(this.unavailableMessage(timeoutMs))),
        timeoutMs,
      );
      this.waiters.add(waiter.check);
      signal?.addEventListener('abort', waiter.abort, { once: true });
    });
  }

  health(): Record<KindKey, KindWatchState> {
    const result = {} as Record<KindKey, KindWatchState>;
    for (const [key, entry] of this.kinds) result[key] = { ...entry.status };
    return result;
  }

  private unavailableMessage(timeoutMs: number) {
    const failing = [...this.kinds.entries()].find(([, e]) => e.status.error);
    return failing
      ? `cluster ${this.name} cannot be read: ${failing[1].status.error}`
      : `cluster ${this.name} did not answer within ${timeoutMs} ms`;
  }

  private createKind(key: KindKey): KindEntry {
    const { path } = WATCHED_KINDS[key];
    const fieldSelector =
      'fieldSelector' in WATCHED_KINDS[key]
        ? (WATCHED_KINDS[key] as { fieldSelector: string }).fieldSelector
        : undefined;
    const entry = { failures: 0 } as KindEntry;
    const status: KindWatchState = {
      state: 'starting',
      error: null,
      syncedAt: null,
      lists: 0,
    };
    const list = async () => {
      const items = await this.listOnce(path, fieldSelector);
      status.lists += 1;
      status.state = 'synced';
      status.error = null;
      status.syncedAt = new Date().toISOString();
      entry.failures = 0;
      // Waiters check after the informer has stored the items.
      setImmediate(() => this.waiters.forEach(check => check()));
      return items;
    };
    const informer = new ListWatch<KubeObject>(
      path,
      new Watch(this.options.kubeConfig),
      list as any,
      false,
      undefined,
      fieldSelector,
    );
    entry.informer = informer;
    entry.status = status;
    informer.on('error', (error: any) => this.onError(key, entry, error));
    return entry;
  }

  private run(key: KindKey) {
    const entry = this.kinds.get(key)!;
    entry.informer.start().catch(error => this.onError(key, entry, error));
  }

  private onError(key: KindKey, entry: KindEntry, error: any) {
    if (this.stopped) return;
    const status = Number(error?.statusCode ?? error?.code);
    const { optional } = WATCHED_KINDS[key];
    entry.failures += 1;
    if (optional && status === 404) {
      entry.status.state = 'absent';
      entry.status.error = null;
      this.waiters.forEach(check => check());
    } else {
      entry.status.state = 'error';
      entry.status.error = safeMessage(error);
      if (entry.failures === 1) {
        this.options.logger.warn(
          `GitOps: watch of ${key} on cluster ${this.name} failed: ${entry.status.error}`,
        );
      }
    }
    const base =
      entry.status.state === 'absent'
        ? 300_000
        : this.options.backoffMs ?? 1000;
    const delay = Math.min(
      base * 2 ** Math.min(entry.failures - 1, 10),
      Math.max(base, this.options.maxBackoffMs ?? 60_000),
    );
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.run(key), delay);
    entry.timer.unref?.();
  }

  /** One list call with the time-out; its own fetch so the time-out and TLS settings apply. */
  private async listOnce(path: string, fieldSelector?: string) {
    const cluster = this.options.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error(`cluster ${this.name} has no server`);
    const url = new URL(cluster.server + path);
    if (fieldSelector) url.searchParams.set('fieldSelector', fieldSelector);
    const init: any = await this.options.kubeConfig.applyToFetchOptions({});
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await fetch(url.toString(), {
        ...init,
        method: 'GET',
        signal: controller.signal as any,
      });
      if (!response.ok) {
        const error: any = new Error(
          `${response.status} ${response.statusText} listing ${path}`,
        );
        error.statusCode = response.status;
        throw error;
      }
      const body = (await response.json()) as {
        apiVersion?: string;
        kind?: string;
        items?: KubeObject[];
        metadata?: { resourceVersion?: string };
      };
      // Items of a list carry no apiVersion/kind (watch events do); the matching needs them.
      const kind = String(body.kind ?? '').replace(/List$/, '');
      body.items = (body.items ?? []).map(item => ({
        apiVersion: body.apiVersion,
        kind,
        ...item,
      }));
      return body;
    } catch (error: any) {
      if (controller.signal.aborted) {
        throw new Error(
          `no answer within ${this.options.timeoutMs} ms listing ${path}`,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An error's message without anything that looks like a credential. */
function safeMessage(error: any): string {
  const message = String(error?.message ?? error ?? 'unknown error');
  return message
    .replace(/(authorization|bearer|token)[=: ]+\S+/gi, '$1 ***')
    .replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
}
