import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import {
  ImageRepositoryRef,
  RegistryProvider,
} from '@gitops-backstage/plugin-gitops-node';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { SharedCache } from '../cache/SharedCache';
import { SharedRequests } from '../cache/SharedRequests';
import { registryBaseUrl } from './imageRepository';
import {
  measureRegistryLookup,
  recordRegistryCacheHit,
} from '../telemetry/gitopsMetrics';

/** Credentials and transport of one registry host, from `gitops.registries`. */
export interface RegistryHostConfig {
  host: string;
  username?: string;
  /** Password or token used with `username` (basic auth, and for the bearer-token request). */
  password?: string;
  /** Plain HTTP (a local registry). */
  insecure?: boolean;
  /** API base URL when it is not derived from `host` (a mirror, a proxy, the demo registry). */
  url?: string;
}

/** Options of {@link OciRegistryClient}. */
export interface OciRegistryClientOptions {
  hosts: RegistryHostConfig[];
  logger: LoggerService;
  timeoutMs: number;
  /** How long tag lists and digests are reused. */
  cacheTtlMs: number;
  /** Tag lists and digests kept in memory (`gitops.registryCacheEntries`). Default 50,000. */
  cacheEntries?: number;
  /** Backstage's cache service: answers shared with the other backend instances. */
  sharedCache?: CacheService;
  /** A `Retry-After` longer than this fails the call instead of waiting. Default 10 s. */
  maxRetryAfterMs?: number;
  /** Page size asked for when listing tags. Default 100. */
  pageSize?: number;
}

/** A registry call failed; the message names host and repository, never credentials. */
export class RegistryError extends Error {
  readonly name = 'RegistryError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/**
 * What an image or chart version says about where it was built: the keys that matter are
 * `org.opencontainers.image.source` and `org.opencontainers.image.revision`.
 */
export interface OciVersionAnnotations {
  /** Digest of the manifest read (of the platform's manifest, for an index). */
  digest: string;
  /** The manifest's annotations, with its index's over them when the version is an index. */
  annotations: Record<string, string>;
  /** `config.Labels` of the image config (docker buildx writes the OCI keys there). */
  labels: Record<string, string>;
  /** A Helm chart's `Chart.yaml` fields, when the config blob is a chart's. */
  chart: {
    appVersion: string | null;
    annotations: Record<string, string>;
    sources: string[];
  } | null;
}

/** The OCI annotation naming the source repository an image was built from. */
export const OCI_SOURCE_ANNOTATION = 'org.opencontainers.image.source';
/** The OCI annotation naming the commit an image was built from. */
export const OCI_REVISION_ANNOTATION = 'org.opencontainers.image.revision';
const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
/** A config blob is a few KiB; a larger one is not read (it is not worth the memory). */
const MAX_CONFIG_BYTES = 1024 * 1024;

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * Reads tags and digests from any registry of the OCI distribution spec (GHCR, Docker Hub,
 * `distribution` itself, …): paginated tag lists (`n`, `last`, `Link: rel="next"`), manifest
 * HEAD for `Docker-Content-Digest`, bearer tokens from `WWW-Authenticate` (anonymous or with
 * the host's credentials), basic auth, `Retry-After` on 429, time-outs, and a TTL cache.
 */
export class OciRegistryClient implements RegistryProvider {
  private readonly tokens = new LRUCache<string, string>({
    max: 500,
    ttl: 4 * 60_000,
  });
  private readonly cache: SharedCache<string[] | string | null>;
  /** One lookup per key at a time (see SharedRequests). */
  private readonly requests = new SharedRequests();
  /** Annotations by `repository@reference`: for good by digest, for the cache TTL by tag. */
  private readonly annotations = new LRUCache<
    string,
    { value: OciVersionAnnotations | null }
  >({ max: 2000 });

  constructor(private readonly options: OciRegistryClientOptions) {
    this.cache = new SharedCache({
      store: options.sharedCache,
      prefix: 'registry:',
      ttlMs: options.cacheTtlMs,
      max: options.cacheEntries ?? 50_000,
      logger: options.logger,
    });
  }

  /** Whether lookups are configured for the host of an image. */
  serves(image: ImageRepositoryRef): boolean {
    return this.options.hosts.some(h => h.host === image.host);
  }

  async listTags(
    image: ImageRepositoryRef,
    options?: { signal?: AbortSignal },
  ): Promise<string[]> {
    const key = `tags ${image.host}/${image.repository}`;
    return this.requests.run(key, options?.signal, () =>
      this.fetchTags(key, image),
    );
  }

  private async fetchTags(
    key: string,
    image: ImageRepositoryRef,
  ): Promise<string[]> {
    const cached = await this.cache.get(key);
    if (cached !== undefined) {
      recordRegistryCacheHit(image.host, 'tags');
      return cached as string[];
    }
    const tags = await measureRegistryLookup(image.host, 'tags', () =>
      this.readTags(image),
    );
    await this.cache.set(key, tags);
    return tags;
  }

  private async readTags(image: ImageRepositoryRef): Promise<string[]> {
    const options = { signal: undefined };
    const base = this.baseUrl(image);
    const tags: string[] = [];
    let url: string | null = `${base}/v2/${image.repository}/tags/list?n=${
      this.options.pageSize ?? 100
    }`;
    for (let page = 0; url && page < 1000; page++) {
      const response = await this.request(image, url, 'GET', options?.signal);
      if (response.status === 404) {
        throw new RegistryError(
          `${image.host}/${image.repository} not found in the registry`,
          404,
        );
      }
      const body = (await response.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      url = nextLink(response.headers.get('link'), url);
    }
    return tags;
  }

  async getDigest(
    image: ImageRepositoryRef,
    tag: string,
    options?: { signal?: AbortSignal },
  ): Promise<string | null> {
    const key = `digest ${image.host}/${image.repository}:${tag}`;
    return this.requests.run(key, options?.signal, () =>
      this.fetchDigest(key, image, tag),
    );
  }

  private async fetchDigest(
    key: string,
    image: ImageRepositoryRef,
    tag: string,
  ): Promise<string | null> {
    const cached = await this.cache.get(key);
    if (cached !== undefined) {
      recordRegistryCacheHit(image.host, 'digest');
      return cached as string | null;
    }
    const digest = await measureRegistryLookup(
      image.host,
      'digest',
      () => this.readDigest(image, tag),
      // No digest: the tag does not exist (what an ImagePullBackOff usually means).
      found => found === null,
    );
    await this.cache.set(key, digest);
    return digest;
  }

  private async readDigest(
    image: ImageRepositoryRef,
    tag: string,
  ): Promise<string | null> {
    const url = `${this.baseUrl(image)}/v2/${
      image.repository
    }/manifests/${encodeURIComponent(tag)}`;
    let response = await this.request(
      image,
      url,
      countsManifestGets(image.host) ? 'HEAD' : 'GET',
    );
    if (response.status === 404) {
      await discardBody(response);
      return null;
    }
    const digest = response.headers.get('docker-content-digest');
    if (response.body === null) {
      if (digest) return digest;
      // Some registries leave the header out of HEAD answers: hash the manifest itself.
      response = await this.request(image, url, 'GET');
    }
    const body = Buffer.from(await response.arrayBuffer());
    return (
      digest ?? `sha256:${createHash('sha256').update(body).digest('hex')}`
    );
  }

  /**
   * The annotations and labels of a version (a tag or a `sha256:` digest); `null` when the
   * registry does not have it. An index (multi-platform image) answers with its own
   * annotations when they name source and revision, else with its linux/amd64 manifest's.
   */
  async getAnnotations(
    image: ImageRepositoryRef,
    reference: string,
    options?: { signal?: AbortSignal },
  ): Promise<OciVersionAnnotations | null> {
    const key = `${image.host}/${image.repository}@${reference}`;
    const cached = this.annotations.get(key);
    if (cached) {
      recordRegistryCacheHit(image.host, 'annotations');
      return cached.value;
    }
    return this.requests.run(
      `annotations ${key}`,
      options?.signal,
      async () => {
        const value = await measureRegistryLookup(
          image.host,
          'annotations',
          () => this.fetchAnnotations(image, reference),
          found => found === null,
        );
        // A digest's content never changes; a tag can be moved to another build.
        this.annotations.set(
          key,
          { value },
          reference.startsWith('sha256:')
            ? {}
            : { ttl: this.options.cacheTtlMs },
        );
        return value;
      },
    );
  }

  private async fetchAnnotations(
    image: ImageRepositoryRef,
    reference: string,
  ): Promise<OciVersionAnnotations | null> {
    const where = `${image.host}/${image.repository}`;
    const base = `${this.baseUrl(image)}/v2/${image.repository}`;
    const top = await this.readManifest(image, base, reference);
    if (!top) return null;
    let { manifest, digest } = top;
    let indexAnnotations: Record<string, string> = {};
    if (Array.isArray(manifest.manifests)) {
      indexAnnotations = stringMap(manifest.annotations);
      const child = platformManifest(manifest.manifests);
      if (
        !child ||
        (indexAnnotations[OCI_SOURCE_ANNOTATION] &&
          indexAnnotations[OCI_REVISION_ANNOTATION])
      ) {
        return {
          digest,
          annotations: indexAnnotations,
          labels: {},
          chart: null,
        };
      }
      const read = await this.readManifest(image, base, child.digest);
      if (!read) {
        throw new RegistryError(
          `${where}@${reference}: the index names ${child.digest}, which the registry does not have`,
          502,
        );
      }
      ({ manifest, digest } = read);
    }
    const annotations = {
      ...stringMap(manifest.annotations),
      ...indexAnnotations,
    };
    const config = manifest.config;
    let labels: Record<string, string> = {};
    let chart: OciVersionAnnotations['chart'] = null;
    if (
      typeof config?.digest === 'string' &&
      /^sha256:[0-9a-f]{64}$/.test(config.digest) &&
      !(Number(config.size) > MAX_CONFIG_BYTES)
    ) {
      const response = await this.request(
        image,
        `${base}/blobs/${config.digest}`,
        'GET',
      );
      const body = response.ok ? await jsonOf(response) : null;
      if (config.mediaType === HELM_CONFIG) {
        chart = {
          appVersion:
            typeof body?.appVersion === 'string' ? body.appVersion : null,
          annotations: stringMap(body?.annotations),
          sources: Array.isArray(body?.sources)
            ? body.sources.filter((s: unknown) => typeof s === 'string')
            : [],
        };
      } else {
        labels = stringMap(body?.config?.Labels);
      }
    }
    return { digest, annotations, labels, chart };
  }

  /** A manifest or index and its digest; `null` when the registry does not have it. */
  private async readManifest(
    image: ImageRepositoryRef,
    base: string,
    reference: string,
  ): Promise<{ manifest: any; digest: string } | null> {
    const response = await this.request(
      image,
      `${base}/manifests/${encodeURIComponent(reference)}`,
      'GET',
    );
    if (response.status === 404) {
      await discardBody(response);
      return null;
    }
    const body = Buffer.from(await response.arrayBuffer());
    let manifest: any;
    try {
      manifest = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError(
        `${image.host}/${image.repository}@${reference}: the manifest is not JSON`,
        502,
      );
    }
    const digest =
      response.headers.get('docker-content-digest') ??
      `sha256:${createHash('sha256').update(body).digest('hex')}`;
    return { manifest, digest };
  }

  /**
   * GETs a path below the repository's `/v2/<repository>/` (`referrers/<digest>`,
   * `manifests/<reference>`, `blobs/<digest>`) with the host's URL, credentials, token and
   * time-out, asking for `accept`. A 404 is answered; any other failure throws a
   * {@link RegistryError} with its status (a 400 or 405 tells a registry without a referrers
   * API). Not cached: the supply-chain reader caches what it makes of the answers.
   */
  getRepositoryPath(
    image: ImageRepositoryRef,
    path: string,
    options: { accept: string; signal?: AbortSignal },
  ): Promise<Response> {
    return this.request(
      image,
      `${this.baseUrl(image)}/v2/${image.repository}/${path}`,
      'GET',
      options.signal,
      options.accept,
    );
  }

  private baseUrl(image: ImageRepositoryRef) {
    const host = this.options.hosts.find(h => h.host === image.host);
    if (host?.url) return host.url.replace(/\/+$/, '');
    const local = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(image.host);
    return registryBaseUrl(image.host, host?.insecure ?? local);
  }

  /**
   * One authenticated request: the cached bearer token of the repository, a token fetched
   * after a 401 challenge, or basic auth; waits out a 429 once or twice when the registry says
   * how long.
   */
  private async request(
    image: ImageRepositoryRef,
    url: string,
    method: 'GET' | 'HEAD',
    signal?: AbortSignal,
    accept = MANIFEST_TYPES,
  ): Promise<Response> {
    const where = `${image.host}/${image.repository}`;
    const scope = `repository:${image.repository}:pull`;
    const tokenKey = `${image.host} ${scope}`;
    let challenged = false;
    for (let attempt = 0; attempt < 4; attempt++) {
      const headers: Record<string, string> = { accept };
      const token = this.tokens.get(tokenKey);
      const credentials = this.credentials(image.host);
      if (token) headers.authorization = `Bearer ${token}`;
      else if (credentials && challenged)
        headers.authorization = `Basic ${credentials}`;
      const response = await this.fetch(
        url,
        { method, headers },
        signal,
        where,
      );
      // An answer not returned is read to its end, so its connection is used again.
      if (!response.ok && response.status !== 404) await discardBody(response);
      if (response.status === 401 && !challenged) {
        challenged = true;
        const challenge = response.headers.get('www-authenticate') ?? '';
        if (/^bearer/i.test(challenge)) {
          this.tokens.set(
            tokenKey,
            await this.fetchToken(challenge, scope, image.host, signal, where),
          );
        }
        continue;
      }
      if (response.status === 429) {
        const wait = retryAfterMs(response.headers.get('retry-after'));
        if (
          wait === null ||
          wait > (this.options.maxRetryAfterMs ?? 10_000) ||
          attempt >= 2
        ) {
          throw new RegistryError(
            `${where}: registry rate limit (429), retry after ${
              response.headers.get('retry-after') ?? 'unknown'
            }`,
            429,
          );
        }
        await sleep(wait, signal);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        this.tokens.delete(tokenKey);
        throw new RegistryError(
          `${where}: the registry refused ${
            credentials ? 'the configured credentials' : 'anonymous access'
          } (${response.status})`,
          response.status,
        );
      }
      if (!response.ok && response.status !== 404) {
        throw new RegistryError(
          `${where}: registry answered ${response.status} ${response.statusText}`,
          response.status,
        );
      }
      return response;
    }
    throw new RegistryError(
      `${where}: registry kept asking for authentication`,
      401,
    );
  }

  private async fetchToken(
    challenge: string,
    scope: string,
    host: string,
    signal: AbortSignal | undefined,
    where: string,
  ): Promise<string> {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map(m => [
        m[1].toLowerCase(),
        m[2],
      ]),
    );
    if (!params.realm)
      throw new RegistryError(`${where}: bearer challenge without realm`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    const credentials = this.credentials(host);
    const response = await this.fetch(
      url.toString(),
      {
        method: 'GET',
        headers: credentials ? { authorization: `Basic ${credentials}` } : {},
      },
      signal,
      where,
    );
    if (!response.ok) {
      throw new RegistryError(
        `${where}: token request refused ${
          credentials ? 'the configured credentials' : 'anonymous access'
        } (${response.status})`,
        response.status,
      );
    }
    const body = (await response.json()) as {
      token?: string;
      access_token?: string;
    };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new RegistryError(`${where}: token answer without a token`);
    return token;
  }

  private async fetch(
    url: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
    where: string,
  ) {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      return await fetch(url, {
        ...init,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (timeout.aborted) {
        throw new RegistryError(
          `${where}: registry did not answer within ${this.options.timeoutMs} ms`,
          504,
        );
      }
      throw new RegistryError(
        `${where}: ${(error as Error).message}${causeOf(error)}`,
        502,
      );
    }
  }

  private credentials(host: string): string | undefined {
    const entry = this.options.hosts.find(h => h.host === host);
    return entry?.username && entry.password
      ? Buffer.from(`${entry.username}:${entry.password}`).toString('base64')
      : undefined;
  }
}

/**
 * The manifest of an index to read annotations from: linux/amd64 when listed, else the first
 * that is not an attestation (buildx lists its provenance as `unknown/unknown`).
 */
export function platformManifest(
  manifests: Array<{
    digest?: unknown;
    platform?: { os?: string; architecture?: string };
    annotations?: Record<string, string>;
  }>,
): { digest: string } | undefined {
  const images = manifests.filter(
    (m): m is typeof m & { digest: string } =>
      typeof m?.digest === 'string' &&
      m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
  );
  return (
    images.find(
      m => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64',
    ) ?? images[0]
  );
}

/** The string entries of a JSON object (annotations, labels); anything else is dropped. */
function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/**
 * Whether the registry counts a GET of a manifest against its pull rate limit and a HEAD not
 * (Docker Hub): there a digest is asked with HEAD. Elsewhere with GET, because fetch (undici)
 * closes the connection after every HEAD, to guard against servers that send a body anyway:
 * a fleet's digest lookups would each open a connection (a TLS handshake on a real registry).
 * 2,000 HEADs opened 2,000 connections to a local server and took twice as long as 2,000
 * GETs on one (measured).
 */
export function countsManifestGets(host: string): boolean {
  return /^((registry-1|index)\.)?docker\.io$/.test(host);
}

/** Reads a short answer that is not used (a 404) to its end: the connection stays usable. */
async function discardBody(response: Response) {
  await response.arrayBuffer().catch(() => undefined);
}

async function jsonOf(response: Response): Promise<any> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** The next page of a tag list from `Link: </v2/…?last=x&n=50>; rel="next"`. */
export function nextLink(link: string | null, current: string): string | null {
  const match = link?.match(/<([^>]+)>\s*;\s*rel="?next"?/);
  return match ? new URL(match[1], current).toString() : null;
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  return cause ? ` (${cause})` : '';
}
