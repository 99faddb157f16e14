import {
  BatchObservableResult,
  Counter,
  Histogram,
  Meter,
  MeterProvider,
  ObservableGauge,
  ObservableResult,
  metrics,
} from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';

/**
 * The meter's scope name: the one Backstage's own metrics service gives this plugin
 * (`backstage-plugin-<pluginId>`), so the plugin's series sit under one `otel_scope_name`.
 */
export const GITOPS_METER_NAME = 'backstage-plugin-gitops';

/** Every instrument of the plugin, by name (README "Metrics (OpenTelemetry)" lists them). */
export const GITOPS_METRIC_NAMES = {
  watchReconnects: 'gitops.watch.reconnect.count',
  watchLag: 'gitops.watch.lag',
  watchConnected: 'gitops.watch.connected',
  cacheObjects: 'gitops.cache.objects',
  overviewDuration: 'gitops.overview.duration',
  gitFetches: 'gitops.git.fetch.count',
  gitFetchDuration: 'gitops.git.fetch.duration',
  gitStaleRepositories: 'gitops.git.repositories.stale',
  registryLookups: 'gitops.registry.lookup.count',
  registryLookupDuration: 'gitops.registry.lookup.duration',
  actions: 'gitops.action.count',
  actionDuration: 'gitops.action.duration',
} as const;

/*
 * Bucket boundaries in seconds. The SDK's default boundaries (0, 5, 10, 25 … 10000) suit
 * milliseconds: with seconds, every overview and nearly every fetch would land in one bucket.
 */
const FAST_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
const REMOTE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** A change lives from its commit until the cluster runs it: seconds to hours. */
const ACTION_BUCKETS = [
  1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400,
];

interface GitopsInstruments {
  meter: Meter;
  watchReconnects: Counter;
  watchLag: ObservableGauge;
  watchConnected: ObservableGauge;
  cacheObjects: ObservableGauge;
  overviewDuration: Histogram;
  gitFetches: Counter;
  gitFetchDuration: Histogram;
  gitStaleRepositories: ObservableGauge;
  registryLookups: Counter;
  registryLookupDuration: Histogram;
  actions: Counter;
  actionDuration: Histogram;
}

function createInstruments(meter: Meter): GitopsInstruments {
  const names = GITOPS_METRIC_NAMES;
  return {
    meter,
    watchReconnects: meter.createCounter(names.watchReconnects, {
      description:
        'Watches restarted after they failed (refused, hung, silent past their deadline, 401), per cluster and kind',
      unit: '{reconnect}',
    }),
    watchLag: meter.createObservableGauge(names.watchLag, {
      description:
        'Seconds since the API server last confirmed a kind (list, opened watch, event, bookmark, clean end); the oldest of its namespaces',
      unit: 's',
    }),
    watchConnected: meter.createObservableGauge(names.watchConnected, {
      description:
        'Whether every watch of the kind is open (1) or not (0), per cluster and kind',
      unit: '1',
    }),
    cacheObjects: meter.createObservableGauge(names.cacheObjects, {
      description: 'Objects held in the watch cache, per cluster and kind',
      unit: '{object}',
    }),
    overviewDuration: meter.createHistogram(names.overviewDuration, {
      description:
        'Time to compute a fleet overview page (pages answered again within reuseSeconds are not counted)',
      unit: 's',
      advice: { explicitBucketBoundaries: FAST_BUCKETS },
    }),
    gitFetches: meter.createCounter(names.gitFetches, {
      description:
        'Fetches of a GitOps repository (git fetch or clone; a branch head read on GitHub), by outcome',
      unit: '{fetch}',
    }),
    gitFetchDuration: meter.createHistogram(names.gitFetchDuration, {
      description: 'Time of one fetch of a GitOps repository',
      unit: 's',
      advice: { explicitBucketBoundaries: REMOTE_BUCKETS },
    }),
    gitStaleRepositories: meter.createObservableGauge(
      names.gitStaleRepositories,
      {
        description:
          'Repositories whose last fetch failed: reads answer from the last fetched revision, marked stale',
        unit: '{repository}',
      },
    ),
    registryLookups: meter.createCounter(names.registryLookups, {
      description:
        'Registry lookups (tag lists, digests, annotations, chart indexes), answered from the cache or asked of the registry',
      unit: '{lookup}',
    }),
    registryLookupDuration: meter.createHistogram(
      names.registryLookupDuration,
      {
        description:
          'Time of a registry lookup that asked the registry (cache answers are not timed)',
        unit: 's',
        advice: { explicitBucketBoundaries: REMOTE_BUCKETS },
      },
    ),
    actions: meter.createCounter(names.actions, {
      description:
        'Promotions, rollbacks, scaling and sync requests reaching a status, on the instance that wrote it',
      unit: '{action}',
    }),
    actionDuration: meter.createHistogram(names.actionDuration, {
      description:
        'Time from a change being requested to its outcome (Succeeded: the cluster runs it; Failed)',
      unit: 's',
      advice: { explicitBucketBoundaries: ACTION_BUCKETS },
    }),
  };
}

let created:
  | { provider: MeterProvider; instruments: GitopsInstruments }
  | undefined;

/**
 * The plugin's instruments, from the global meter provider. `@opentelemetry/api` has no proxy
 * for meters: instruments made before an SDK registers stay no-ops for good, so they are made
 * on first use and again if the global provider was replaced (a test registering its own).
 * With no SDK configured they are no-ops and cost next to nothing.
 */
export function gitopsMetrics(): GitopsInstruments {
  const provider = metrics.getMeterProvider();
  if (created?.provider !== provider) {
    created = {
      provider,
      instruments: createInstruments(provider.getMeter(GITOPS_METER_NAME)),
    };
  }
  return created.instruments;
}

/** One kind of one cluster, as the watch gauges report it at collection time. */
export interface WatchSample {
  cluster: string;
  kind: string;
  /** Objects held in the cache. */
  objects: number;
  /** Seconds since the API server last confirmed the kind; null when it is not watched. */
  lagSeconds: number | null;
  /** Every watch of the kind is open; null when it is not watched (absent, forbidden). */
  connected: boolean | null;
}

/**
 * Reports the watch gauges from `read` at each collection (never on the watch's hot path).
 * @returns the function that stops reporting (the caches are stopped).
 */
export function observeWatches(read: () => Iterable<WatchSample>): () => void {
  const instruments = gitopsMetrics();
  const { meter, watchLag, watchConnected, cacheObjects } = instruments;
  const callback = (result: BatchObservableResult) => {
    for (const sample of read()) {
      const attributes = { cluster: sample.cluster, kind: sample.kind };
      result.observe(cacheObjects, sample.objects, attributes);
      if (sample.lagSeconds !== null) {
        result.observe(watchLag, sample.lagSeconds, attributes);
      }
      if (sample.connected !== null) {
        result.observe(watchConnected, sample.connected ? 1 : 0, attributes);
      }
    }
  };
  const observables = [watchLag, watchConnected, cacheObjects];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

export function recordWatchReconnect(cluster: string, kind: string) {
  gitopsMetrics().watchReconnects.add(1, { cluster, kind });
}

/** Times an overview computation: `ok`, `aborted` (every caller went away) or `error`. */
export async function measureOverview<T>(
  compute: () => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  const started = performance.now();
  const record = (outcome: string) =>
    gitopsMetrics().overviewDuration.record(
      (performance.now() - started) / 1000,
      { outcome },
    );
  try {
    const result = await compute();
    record('ok');
    return result;
  } catch (error) {
    record(signal.aborted ? 'aborted' : 'error');
    throw error;
  }
}

/** One fetch of a GitOps repository, as a Git provider reports it. */
export interface GitFetchResult {
  /** The repository URL (credentials are removed before it becomes an attribute). */
  repository: string;
  durationMs: number;
  ok: boolean;
}

/** Records a fetch of `provider` (`git`, `github`). */
export function recordGitFetch(provider: string, result: GitFetchResult) {
  const attributes = {
    repository: repositoryLabel(result.repository),
    provider,
    outcome: result.ok ? 'ok' : 'failed',
  };
  const instruments = gitopsMetrics();
  instruments.gitFetches.add(1, attributes);
  instruments.gitFetchDuration.record(result.durationMs / 1000, attributes);
}

/**
 * Reports, per provider, how many repositories answer from a stale mirror or head.
 * @returns the function that stops reporting.
 */
export function observeStaleRepositories(
  read: () => Iterable<{ provider: string; stale: number }>,
): () => void {
  const { gitStaleRepositories } = gitopsMetrics();
  const callback = (result: ObservableResult) => {
    for (const { provider, stale } of read()) {
      result.observe(stale, { provider });
    }
  };
  gitStaleRepositories.addCallback(callback);
  return () => gitStaleRepositories.removeCallback(callback);
}

/** What a registry lookup asked for. */
export type RegistryLookup = 'tags' | 'digest' | 'annotations' | 'chart-index';

/** A lookup answered from the cache (this instance's memory or the shared cache service). */
export function recordRegistryCacheHit(
  registry: string,
  lookup: RegistryLookup,
) {
  gitopsMetrics().registryLookups.add(1, {
    registry,
    lookup,
    outcome: 'cached',
  });
}

/**
 * Times a lookup that asks the registry: `ok`, `not_found` (a 404, or what `notFound` says of
 * the answer, such as a digest of a tag that does not exist) or `error`.
 */
export async function measureRegistryLookup<T>(
  registry: string,
  lookup: RegistryLookup,
  work: () => Promise<T>,
  notFound?: (value: T) => boolean,
): Promise<T> {
  const started = performance.now();
  const record = (outcome: string) => {
    const attributes = { registry, lookup, outcome };
    const instruments = gitopsMetrics();
    instruments.registryLookups.add(1, attributes);
    instruments.registryLookupDuration.record(
      (performance.now() - started) / 1000,
      attributes,
    );
  };
  try {
    const value = await work();
    record(notFound?.(value) ? 'not_found' : 'ok');
    return value;
  } catch (error) {
    record(
      (error as { status?: number })?.status === 404 ? 'not_found' : 'error',
    );
    throw error;
  }
}

/** The fields of an action record the metrics read. */
export interface ActionRecordLike {
  id: string;
  action: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

const FINISHED = new Set(['Succeeded', 'Failed']);

/**
 * A listener for the action store's changes: counts each record reaching a status, and on
 * Succeeded or Failed records how long it took since it was requested. The store calls its
 * listeners after every update, also one that left the status as it was (a message, a
 * branch): the last status seen per record keeps those from counting twice.
 */
export function actionMetricsListener(): (action: ActionRecordLike) => void {
  const lastStatus = new LRUCache<string, string>({ max: 10_000 });
  return action => {
    if (lastStatus.get(action.id) === action.status) return;
    lastStatus.set(action.id, action.status);
    const instruments = gitopsMetrics();
    instruments.actions.add(1, {
      action: action.action,
      status: action.status,
    });
    if (!FINISHED.has(action.status)) return;
    const ended = Date.parse(action.finishedAt ?? action.updatedAt);
    const began = Date.parse(action.createdAt);
    if (!Number.isFinite(ended) || !Number.isFinite(began)) return;
    instruments.actionDuration.record(Math.max(0, ended - began) / 1000, {
      action: action.action,
      outcome: action.status,
    });
  };
}

/** A repository URL fit for an attribute: no user or password, no query. */
export function repositoryLabel(url: string): string {
  return url.replace(/(\w+:\/\/)[^/@\s]+@/, '$1').replace(/[?#].*$/, '');
}
