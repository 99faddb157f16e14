import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterConfig } from './clusterConfig';
import { ClusterWatch, KindWatchState } from './ClusterWatch';
import { ClusterObjects, KindKey } from './kinds';

/** Options of {@link LiveStateCache}. */
export interface LiveStateCacheOptions {
  clusters: ClusterConfig[];
  logger: LoggerService;
  /** Time-out of one cluster call, and the longest a read waits for a cold cluster. */
  timeoutMs: number;
}

/** Health of one cluster's watches. */
export interface ClusterHealth {
  name: string;
  url: string;
  authProvider: string;
  ready: boolean;
  kinds: Record<KindKey, KindWatchState>;
}

/**
 * The per-cluster watch caches. Once a cluster is warm, reading its objects costs no API call;
 * a cold or failing cluster makes a read wait at most the time-out, then fail for that
 * environment only.
 */
export class LiveStateCache {
  private readonly watches = new Map<string, ClusterWatch>();
  private readonly clusters: ClusterConfig[];

  constructor(private readonly options: LiveStateCacheOptions) {
    this.clusters = options.clusters;
    for (const cluster of options.clusters) {
      this.watches.set(
        cluster.name,
        new ClusterWatch({
          name: cluster.name,
          kubeConfig: cluster.kubeConfig,
          logger: options.logger,
          timeoutMs: options.timeoutMs,
        }),
      );
    }
  }

  /** The client config of a cluster, for the few calls that write (engine sync requests). */
  kubeConfig(cluster: string) {
    const found = this.clusters.find(c => c.name === cluster);
    if (!found) {
      throw new Error(
        `cluster "${cluster}" is not configured (gitops.clusters)`,
      );
    }
    return found.kubeConfig;
  }

  has(cluster: string): boolean {
    return this.watches.has(cluster);
  }

  start() {
    this.watches.forEach(watch => watch.start());
  }

  async stop() {
    await Promise.all([...this.watches.values()].map(watch => watch.stop()));
  }

  /** The cached objects of a cluster, once it has been listed. */
  async objects(
    cluster: string,
    signal?: AbortSignal,
  ): Promise<ClusterObjects> {
    const watch = this.watches.get(cluster);
    if (!watch) {
      throw new Error(
        `cluster "${cluster}" is not configured (gitops.clusters)`,
      );
    }
    await watch.whenReady(this.options.timeoutMs, signal);
    return watch;
  }

  health(): ClusterHealth[] {
    return this.clusters.map(cluster => {
      const watch = this.watches.get(cluster.name)!;
      return {
        name: cluster.name,
        url: cluster.url,
        authProvider: cluster.authProvider,
        ready: watch.isReady(),
        kinds: watch.health(),
      };
    });
  }
}
