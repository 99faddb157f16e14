import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterConfig } from './clusterConfig';
import { ClusterWatch, KindWatchState } from './ClusterWatch';
import { ClusterObjects, Freshness, KindKey } from './kinds';
import { Reads, readsAt } from './keptReads';
import { WatchScope } from './watchScope';
import { observeWatches } from '../telemetry/gitopsMetrics';

/** Options of {@link LiveStateCache}. */
export interface LiveStateCacheOptions {
  clusters: ClusterConfig[];
  logger: LoggerService;
  /**
   * Time-out of one cluster call, the longest a read waits for a cold cluster, and the age
   * past which a cluster's data is served as stale.
   */
  timeoutMs: number;
  /** Server-side time-out of each watch, in seconds (see {@link ClusterWatchOptions}). */
  watchTimeoutSeconds?: number;
  /** Restart backoff of failed watches (tests shorten it). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How often a kind absent or forbidden is listed again (see {@link ClusterWatchOptions}). */
  recheckMs?: number;
  /**
   * The service namespaces of a cluster whose `namespaces.fromEnvironments` is set: each
   * environment's namespace template filled for the catalog's GitOps services on it.
   */
  serviceNamespaces?: (cluster: string) => Promise<string[]>;
  /** How often those namespaces are looked up again. Default 5 minutes. */
  namespaceRefreshMs?: number;
}

/** Health of one cluster's watches. */
export interface ClusterHealth {
  name: string;
  url: string;
  authProvider: string;
  /** Every kind listed and the data confirmed within the time-out. */
  ready: boolean;
  /** `cluster-wide` or the namespaces watched. */
  scope: 'cluster-wide' | WatchScope;
  observedAt: string | null;
  stale: boolean;
  staleReason: string | null;
  kinds: Partial<Record<KindKey, KindWatchState>>;
  /** Reads served from the cache since start, and the objects they returned. */
  reads: { calls: number; objects: number };
}

/** A cluster's objects and how current they are. */
export interface ClusterRead {
  objects: ClusterObjects;
  freshness: Freshness;
}

/**
 * The per-cluster watch caches. Once a cluster is warm, reading its objects costs no API call
 * and never waits: a cluster that stops answering is served from what is known, marked stale.
 * Only a cold cluster makes a read wait, at most the time-out, once: after that it is known to
 * be down and reads fail at once (for that environment only) while reconnects go on.
 */
export class LiveStateCache {
  private readonly watches = new Map<string, ClusterWatch>();
  private readonly clusters: ClusterConfig[];
  private refreshTimer?: NodeJS.Timeout;
  private stopObserving?: () => void;

  constructor(private readonly options: LiveStateCacheOptions) {
    this.clusters = options.clusters;
    for (const cluster of options.clusters) {
      const namespaces = cluster.namespaces;
      this.watches.set(
        cluster.name,
        new ClusterWatch({
          name: cluster.name,
          kubeConfig: cluster.kubeConfig,
          logger: options.logger,
          timeoutMs: options.timeoutMs,
          watchTimeoutSeconds: options.watchTimeoutSeconds,
          backoffMs: options.backoffMs,
          maxBackoffMs: options.maxBackoffMs,
          recheckMs: options.recheckMs,
          scope: namespaces && {
            service: namespaces.include,
            argocd: namespaces.argocd,
            flux: namespaces.flux,
          },
        }),
      );
    }
  }

  /** The client config of a cluster, for the few calls that write (engine sync requests). */
  kubeConfig(cluster: string) {
    return this.cluster(cluster).kubeConfig;
  }

  has(cluster: string): boolean {
    return this.watches.has(cluster);
  }

  start() {
    this.watches.forEach(watch => watch.start());
    // Objects, lag and connections are read when metrics are collected, not on each event.
    this.stopObserving ??= observeWatches(() =>
      [...this.watches.values()].flatMap(watch => watch.watchSamples()),
    );
    const dynamic = this.clusters.filter(c => c.namespaces?.fromEnvironments);
    if (dynamic.length > 0 && this.options.serviceNamespaces) {
      const refresh = () =>
        Promise.all(dynamic.map(c => this.refreshNamespaces(c)));
      void refresh();
      this.refreshTimer = setInterval(
        refresh,
        this.options.namespaceRefreshMs ?? 300_000,
      );
      this.refreshTimer.unref?.();
    }
  }

  async stop() {
    clearInterval(this.refreshTimer);
    this.stopObserving?.();
    this.stopObserving = undefined;
    await Promise.all([...this.watches.values()].map(watch => watch.stop()));
  }

  /**
   * The cached objects of a cluster and their age. Waits only for a cluster that has never
   * been read and is not yet known to be down.
   */
  async read(cluster: string, signal?: AbortSignal): Promise<ClusterRead> {
    const watch = this.watches.get(cluster);
    if (!watch) {
      throw new Error(
        `cluster "${cluster}" is not configured (gitops.clusters)`,
      );
    }
    if (!watch.hasData()) {
      if (watch.knownDown()) throw new Error(watch.unavailableMessage());
      await watch.whenReady(this.options.timeoutMs, signal);
    }
    return { objects: watch, freshness: watch.freshness() };
  }

  /** Every cluster has been read once, or is known to be down: what is computed now holds. */
  settled(): boolean {
    return [...this.watches.values()].every(
      watch => watch.hasData() || watch.knownDown(),
    );
  }

  /** Whether every read still answers what it did (see {@link recordReads}). */
  isCurrent(reads: Reads): boolean {
    return readsAt(reads, (cluster, kind, key) =>
      this.watches.get(cluster)?.version(kind, key),
    );
  }

  /** Moves whenever any cached object of any cluster changes. */
  clock(): string {
    return [...this.watches.entries()]
      .map(([name, watch]) => `${name}=${watch.clock()}`)
      .join(';');
  }

  /** Every cluster's state (up, current, kinds read): a change here may change any view. */
  state(): string {
    return [...this.watches.entries()]
      .map(([name, watch]) => `${name}=${watch.state()}`)
      .join(';');
  }

  health(): ClusterHealth[] {
    return this.clusters.map(cluster => {
      const watch = this.watches.get(cluster.name)!;
      const freshness = watch.freshness();
      return {
        name: cluster.name,
        url: cluster.url,
        authProvider: cluster.authProvider,
        ready: watch.isReady() && !freshness.stale,
        scope: cluster.namespaces ? watch.scope()! : 'cluster-wide',
        ...freshness,
        kinds: watch.health(),
        reads: watch.readStats(),
      };
    });
  }

  private cluster(name: string) {
    const found = this.clusters.find(c => c.name === name);
    if (!found) {
      throw new Error(`cluster "${name}" is not configured (gitops.clusters)`);
    }
    return found;
  }

  private async refreshNamespaces(cluster: ClusterConfig) {
    const namespaces = cluster.namespaces!;
    try {
      const fromCatalog = await this.options.serviceNamespaces!(cluster.name);
      this.watches.get(cluster.name)!.setScope({
        service: [...namespaces.include, ...fromCatalog],
        argocd: namespaces.argocd,
        flux: namespaces.flux,
      });
    } catch (error) {
      this.options.logger.warn(
        `GitOps: cannot list the service namespaces of cluster ${
          cluster.name
        } from the catalog: ${(error as Error).message}`,
      );
    }
  }
}
