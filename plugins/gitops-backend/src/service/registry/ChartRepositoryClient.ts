import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { parse } from 'yaml';
import { SharedCache } from '../cache/SharedCache';
import { SharedRequests } from '../cache/SharedRequests';
import {
  OciRegistryClient,
  RegistryError,
  RegistryHostConfig,
} from './OciRegistryClient';
import {
  measureRegistryLookup,
  recordRegistryCacheHit,
} from '../telemetry/gitopsMetrics';

/** Where a chart comes from, as the desired state names it. */
export interface ChartSourceRef {
  /** `HelmRepository` or `OCIRepository` (a `GitRepository` chart is in Git, not here). */
  kind: string;
  /** `https://…` of a Helm repository, or `oci://…`. */
  url: string;
}

/** Options of {@link ChartRepositoryClient}. */
export interface ChartRepositoryClientOptions {
  /** Hosts lookups may go to (`gitops.registries`), with their URL overrides. */
  hosts: RegistryHostConfig[];
  /** For charts in OCI registries. */
  oci: OciRegistryClient;
  logger: LoggerService;
  timeoutMs: number;
  cacheTtlMs: number;
  sharedCache?: CacheService;
}

/**
 * Lists the versions of a Helm chart: from a Helm repository's `index.yaml` over HTTP(S), or
 * as the tags of an OCI repository (`oci://ghcr.io/stefanprodan/charts/podinfo`, Helm writing
 * `+` of build metadata as `_`). Only hosts configured in `gitops.registries` are asked: the
 * URL comes from the GitOps repository, and the backend must not fetch whatever a file names.
 */
export class ChartRepositoryClient {
  private readonly cache: SharedCache<string[]>;
  /** One index read per repository and chart at a time (see SharedRequests). */
  private readonly requests = new SharedRequests();

  constructor(private readonly options: ChartRepositoryClientOptions) {
    this.cache = new SharedCache({
      store: options.sharedCache,
      prefix: 'charts:',
      ttlMs: options.cacheTtlMs,
      max: 1000,
      logger: options.logger,
    });
  }

  /** Whether the chart's repository is on a configured host. */
  serves(source: ChartSourceRef): boolean {
    const host = hostOf(source.url);
    return host !== null && this.options.hosts.some(h => h.host === host);
  }

  /** The chart's versions, in the repository's order. */
  async versions(
    source: ChartSourceRef,
    chart: string,
    options?: { signal?: AbortSignal },
  ): Promise<string[]> {
    if (source.url.startsWith('oci://')) {
      const path = source.url.slice('oci://'.length).replace(/\/+$/, '');
      // An OCIRepository names the chart's own repository; a HelmRepository of type oci, the
      // folder the charts are in.
      const full = source.kind === 'OCIRepository' ? path : `${path}/${chart}`;
      const [host, ...rest] = full.split('/');
      const tags = await this.options.oci.listTags(
        { host, repository: rest.join('/') },
        options,
      );
      return tags.map(tag => tag.replace(/_/g, '+'));
    }
    const key = `${source.url} ${chart}`;
    return this.requests.run(key, options?.signal, () =>
      this.fetchIndex(source.url, chart),
    );
  }

  private async fetchIndex(url: string, chart: string): Promise<string[]> {
    const key = `${url} ${chart}`;
    const host = hostOf(url) ?? 'unknown';
    const cached = await this.cache.get(key);
    if (cached !== undefined) {
      recordRegistryCacheHit(host, 'chart-index');
      return cached;
    }
    const versions = await measureRegistryLookup(host, 'chart-index', () =>
      this.readIndex(url, chart),
    );
    await this.cache.set(key, versions);
    return versions;
  }

  private async readIndex(url: string, chart: string): Promise<string[]> {
    const indexUrl = `${this.baseUrl(url)}/index.yaml`;
    const where = `Helm repository ${url}`;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let text: string;
    try {
      const response = await fetch(indexUrl, { signal: timeout });
      if (!response.ok) {
        throw new RegistryError(
          `${where}: index.yaml answered ${response.status} ${response.statusText}`,
          response.status === 404 ? 404 : 502,
        );
      }
      text = await response.text();
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (timeout.aborted) {
        throw new RegistryError(
          `${where}: no answer within ${this.options.timeoutMs} ms`,
          504,
        );
      }
      throw new RegistryError(`${where}: ${(error as Error).message}`, 502);
    }
    let index: any;
    try {
      index = parse(text, { maxAliasCount: 100 });
    } catch (error) {
      throw new RegistryError(
        `${where}: index.yaml is not YAML (${(error as Error).message})`,
        502,
      );
    }
    const entries = index?.entries?.[chart];
    if (!Array.isArray(entries)) {
      throw new RegistryError(`${where}: no chart ${chart} in index.yaml`, 404);
    }
    return entries
      .filter((e: any) => e && typeof e.version === 'string' && !e.removed)
      .map((e: any) => String(e.version));
  }

  /** The repository's URL with the host's configured base URL in place of its origin. */
  private baseUrl(url: string): string {
    const parsed = new URL(url);
    const host = this.options.hosts.find(h => h.host === parsed.host);
    const origin = host?.url ? host.url.replace(/\/+$/, '') : parsed.origin;
    return `${origin}${parsed.pathname.replace(/\/+$/, '')}`;
  }
}

function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url.replace(/^oci:\/\//, 'https://'));
    return parsed.host;
  } catch {
    return null;
  }
}
