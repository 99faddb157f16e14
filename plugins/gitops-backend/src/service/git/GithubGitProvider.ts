import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  GitCallOptions,
  GitCommit,
  GitCommitOptions,
  GitLogOptions,
  GitProvider,
  GitPullRequest,
  GitPullRequestOptions,
  GitReadFileOptions,
  GitRepositoryRef,
  GitRepositoryStaleness,
} from '@gitops-backstage/plugin-gitops-node';
import { FetchOutages } from '@gitops-backstage/plugin-gitops-repository';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { LRUCache } from 'lru-cache';
import { SharedCache } from '../cache/SharedCache';
import path from 'node:path';
import { GithubGitWriter, statusOf } from './GithubGitWriter';
import { recordGitFetch } from '../telemetry/gitopsMetrics';

/** Options of {@link GithubGitProvider}. */
export interface GithubGitProviderOptions {
  integrations: ScmIntegrationRegistry;
  logger: LoggerService;
  timeoutMs: number;
  /** Defaults to the credentials of `integrations.github` (token or GitHub App). */
  credentialsProvider?: GithubCredentialsProvider;
  /** A branch head is asked for again at most this often (a conditional request). Default 30. */
  fetchIntervalSeconds?: number;
  /** Backstage's cache service: heads and blobs shared with the other backend instances. */
  sharedCache?: CacheService;
}

type TreeEntry = { type: string; sha: string };

const ThrottledOctokit = Octokit.plugin(throttling, retry);

/**
 * The retry plugin's default list plus 409: a conflict (branch moved, ref exists) answers the
 * same however often it is asked, and a blind retry of a write must not mask it.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 422, 451];

/** Retries after a rate limit, per request. */
const RATE_LIMIT_RETRIES = 1;

/**
 * Reads and writes GitOps repositories through the GitHub REST API (`@octokit/rest` 20, on
 * the `@octokit/core` 5 the scaffolder GitHub module already brings, with the retry and
 * throttling plugins).
 * Writes are done by {@link GithubGitWriter}.
 *
 * Rate limit: the branch head is read with a conditional request (`If-None-Match`; a 304 does
 * not count against the limit) and everything below a commit sha (trees, blobs, path logs) is
 * cached by sha, so views of an unchanged repository cost no quota.
 */
export class GithubGitProvider implements GitProvider {
  readonly type = 'github';
  private readonly credentials: GithubCredentialsProvider;
  private readonly heads: SharedCache<{
    etag: string;
    sha: string;
    checkedAt: number;
  }>;
  /** Blobs by sha in the shared store; this instance's own copies are in `blobs`. */
  private readonly sharedBlobs: SharedCache<string>;
  /** Trees by commit in the shared store, as `[path, type, sha]` rows. */
  private readonly sharedTrees: SharedCache<string[][]>;
  private readonly trees = new LRUCache<string, Map<string, TreeEntry>>({
    max: 200,
  });
  private readonly blobs = new LRUCache<string, string>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: text => Math.max(1, text.length),
  });
  private readonly logs = new LRUCache<string, GitCommit[]>({ max: 2000 });
  private readonly clients = new LRUCache<
    string,
    InstanceType<typeof ThrottledOctokit>
  >({ max: 50 });
  private readonly writer = new GithubGitWriter({
    client: repository => this.client(repository),
    signal: signal => this.signal(signal),
    blobs: this.blobs,
    // resolveBranch revalidates its entry on every call, so a kept entry would only be
    // refreshed; dropping it keeps the ETag and the sha it stands for from ever disagreeing.
    headChanged: (repository, branch) =>
      this.heads.delete(headKey(repository, branch)),
  });

  /** Repositories whose head GitHub did not answer: reads use the head read before. */
  private readonly outages: FetchOutages;

  constructor(private readonly options: GithubGitProviderOptions) {
    this.outages = new FetchOutages(options.logger);
    this.credentials =
      options.credentialsProvider ??
      DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
    this.heads = new SharedCache({
      store: options.sharedCache,
      prefix: 'github-head:',
      // Kept past the interval: an old entry's ETag still makes the next read conditional.
      ttlMs: 24 * 3600_000,
      max: 1000,
      logger: options.logger,
    });
    this.sharedBlobs = new SharedCache({
      store: options.sharedCache,
      prefix: 'github-blob:',
      ttlMs: 24 * 3600_000,
      max: 0,
      logger: options.logger,
    });
    this.sharedTrees = new SharedCache({
      store: options.sharedCache,
      prefix: 'github-tree:',
      ttlMs: 24 * 3600_000,
      max: 0,
      logger: options.logger,
    });
  }

  staleness(repository: GitRepositoryRef): GitRepositoryStaleness | undefined {
    return this.outages.get(headKey(repository, repository.branch));
  }

  staleRepositories(): GitRepositoryStaleness[] {
    return this.outages.all();
  }

  /**
   * Asks GitHub for the branch head now (a push event named it). The kept entry is marked
   * due rather than dropped, so the request stays conditional; the head it stores is shared
   * with the other instances through the cache service.
   */
  async refresh(repository: GitRepositoryRef): Promise<void> {
    const key = headKey(repository, repository.branch);
    const known = await this.heads.get(key);
    if (known) await this.heads.set(key, { ...known, checkedAt: 0 });
    await this.resolveBranch({ repository });
  }

  async resolveBranch({ repository, signal }: GitCallOptions): Promise<string> {
    const { octokit, owner, repo } = await this.client(repository);
    const key = headKey(repository, repository.branch);
    const known = await this.heads.get(key);
    const interval = (this.options.fetchIntervalSeconds ?? 30) * 1000;
    // Within the fetch interval the head read last (by any instance) still holds.
    if (known && Date.now() - known.checkedAt < interval) return known.sha;
    // The head read is this provider's fetch: timed and counted like `git fetch`.
    const started = performance.now();
    const fetched = (ok: boolean) =>
      recordGitFetch(this.type, {
        repository: repository.url,
        durationMs: performance.now() - started,
        ok,
      });
    try {
      const response = await octokit.request(
        'GET /repos/{owner}/{repo}/commits/{ref}',
        {
          owner,
          repo,
          ref: repository.branch,
          headers: {
            accept: 'application/vnd.github.sha',
            ...(known ? { 'if-none-match': known.etag } : {}),
          },
          // With a head to fall back on, a failure answers it at once (marked stale) instead
          // of waiting the retry plugin's backoff (1 + 4 + 9 s) on every read.
          request: {
            signal: this.signal(signal),
            ...(known ? { retries: 0 } : {}),
          },
        },
      );
      fetched(true);
      // Octokit hands a vendor media type over as an ArrayBuffer unless it says charset=utf-8.
      const data: unknown = response.data;
      const sha = (
        data instanceof ArrayBuffer
          ? Buffer.from(data).toString('utf8')
          : String(data)
      ).trim();
      const etag = response.headers.etag;
      if (etag) {
        await this.heads.set(key, { etag, sha, checkedAt: Date.now() });
      }
      this.outages.recovered(key);
      return sha;
    } catch (error) {
      if (known && statusOf(error) === 304) {
        fetched(true);
        await this.heads.set(key, { ...known, checkedAt: Date.now() });
        this.outages.recovered(key);
        return known.sha;
      }
      // A caller that went away says nothing about the host.
      if (!signal?.aborted) fetched(false);
      const status = statusOf(error);
      if (known && !signal?.aborted && (!status || status >= 500)) {
        // GitHub did not answer (network, time-out, 5xx): answer the head read before, say
        // so, and ask again only after the interval, not on every read.
        this.outages.failed(key, repository.url, error);
        this.outages.shown(key, known.sha);
        await this.heads.set(key, { ...known, checkedAt: Date.now() });
        return known.sha;
      }
      if (statusOf(error) === 404 || statusOf(error) === 422) {
        throw new NotFoundError(
          `Branch "${repository.branch}" of ${owner}/${repo} not found on GitHub`,
        );
      }
      throw error;
    }
  }

  async readFile(options: GitReadFileOptions): Promise<string | undefined> {
    const tree = await this.tree(
      options.repository,
      options.revision,
      options.signal,
    );
    const entry = tree.get(options.path.replace(/^\/+|\/+$/g, ''));
    if (!entry || entry.type !== 'blob') {
      return undefined;
    }
    const cached =
      this.blobs.get(entry.sha) ?? (await this.sharedBlobs.get(entry.sha));
    if (cached !== undefined) {
      this.blobs.set(entry.sha, cached);
      return cached;
    }
    const { octokit, owner, repo } = await this.client(options.repository);
    const response = await octokit.request(
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha}',
      {
        owner,
        repo,
        file_sha: entry.sha,
        request: { signal: this.signal(options.signal) },
      },
    );
    const text = Buffer.from(
      response.data.content,
      response.data.encoding === 'base64' ? 'base64' : 'utf8',
    ).toString('utf8');
    this.blobs.set(entry.sha, text);
    await this.sharedBlobs.set(entry.sha, text);
    return text;
  }

  async log(options: GitLogOptions): Promise<GitCommit[]> {
    const key = `${options.repository.url}@${options.revision}:${
      options.limit
    }:${options.paths.join('\0')}`;
    const cached = this.logs.get(key);
    if (cached) {
      return cached;
    }
    const { octokit, owner, repo } = await this.client(options.repository);
    const bySha = new Map<string, GitCommit>();
    for (const file of options.paths) {
      const response = await octokit.request(
        'GET /repos/{owner}/{repo}/commits',
        {
          owner,
          repo,
          sha: options.revision,
          path: file,
          per_page: Math.min(100, options.limit),
          request: { signal: this.signal(options.signal) },
        },
      );
      for (const item of response.data) {
        bySha.set(item.sha, {
          sha: item.sha,
          parents: item.parents.map(parent => parent.sha),
          author: {
            name: item.commit.author?.name ?? item.author?.login ?? 'unknown',
            email: item.commit.author?.email ?? '',
          },
          message: item.commit.message,
          committedAt: new Date(
            item.commit.committer?.date ?? item.commit.author?.date ?? 0,
          ).toISOString(),
        });
      }
    }
    const commits = [...bySha.values()]
      .sort((a, b) => b.committedAt.localeCompare(a.committedAt))
      .slice(0, options.limit);
    this.logs.set(key, commits);
    return commits;
  }

  async listFolders(options: GitReadFileOptions): Promise<string[]> {
    const tree = await this.tree(
      options.repository,
      options.revision,
      options.signal,
    );
    const folder = options.path.replace(/^\/+|\/+$/g, '');
    return [...tree.entries()]
      .filter(
        ([entryPath, entry]) =>
          entry.type === 'tree' &&
          path.posix.dirname(entryPath) === (folder || '.'),
      )
      .map(([entryPath]) => entryPath)
      .sort();
  }

  commit(options: GitCommitOptions): Promise<string> {
    return this.writer.commit(options);
  }

  openPullRequest(options: GitPullRequestOptions): Promise<GitPullRequest> {
    return this.writer.openPullRequest(options);
  }

  private async tree(
    repository: GitRepositoryRef,
    revision: string,
    signal?: AbortSignal,
  ) {
    const key = `${repository.url}@${revision}`;
    const cached = this.trees.get(key);
    if (cached) {
      return cached;
    }
    // A tree at a commit never changes: another instance may have read it already.
    const immutable = /^[0-9a-f]{40}$/.test(revision);
    const shared = immutable ? await this.sharedTrees.get(key) : undefined;
    if (shared) {
      const tree = new Map(
        shared.map(([file, type, sha]) => [file, { type, sha }] as const),
      );
      this.trees.set(key, tree);
      return tree;
    }
    const { octokit, owner, repo } = await this.client(repository);
    const response = await octokit.request(
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
      {
        owner,
        repo,
        tree_sha: revision,
        recursive: 'true',
        request: { signal: this.signal(signal) },
      },
    );
    if (response.data.truncated) {
      this.options.logger.warn(
        `Tree of ${owner}/${repo}@${revision} is truncated by GitHub; files past the limit read as missing`,
      );
    }
    const tree = new Map<string, TreeEntry>();
    for (const item of response.data.tree) {
      if (item.path && item.sha && item.type) {
        tree.set(item.path, { type: item.type, sha: item.sha });
      }
    }
    this.trees.set(key, tree);
    if (immutable) {
      await this.sharedTrees.set(
        key,
        [...tree].map(([file, entry]) => [file, entry.type, entry.sha]),
      );
    }
    return tree;
  }

  private async client(repository: GitRepositoryRef) {
    const integration = this.options.integrations.github.byUrl(repository.url);
    if (!integration) {
      throw new InputError(
        `No GitHub integration configured for ${repository.url}; add it under integrations.github`,
      );
    }
    const match = new URL(repository.url).pathname.match(
      /^\/([^/]+)\/([^/]+?)(\.git)?\/?$/,
    );
    if (!match) {
      throw new InputError(`${repository.url} is not a GitHub repository URL`);
    }
    const { token } = await this.credentials.getCredentials({
      url: repository.url,
    });
    // One client per API and token: the throttling plugin paces requests only within a
    // client, so a client per call would never hold back a burst.
    const key = `${integration.config.apiBaseUrl}\0${token ?? ''}`;
    let octokit = this.clients.get(key);
    if (!octokit) {
      octokit = this.createClient(integration.config.apiBaseUrl, token);
      this.clients.set(key, octokit);
    }
    return { octokit, owner: match[1], repo: match[2] };
  }

  private createClient(baseUrl: string | undefined, token: string | undefined) {
    const { logger, timeoutMs } = this.options;
    // The plugin waits `retryAfter` seconds and sends the request again (a rate-limited request
    // was not carried out, so this is safe for writes too). The wait cannot be cancelled and
    // the request's time-out runs from the start, so a wait longer than that is not worth it.
    const onLimit =
      (kind: string) =>
      (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        const again =
          retryCount < RATE_LIMIT_RETRIES && retryAfter * 1000 < timeoutMs;
        logger.warn(
          `GitHub ${kind} hit on ${request.method} ${request.url}, ${
            again ? `retry in ${retryAfter}s` : `giving up (${retryAfter}s)`
          }`,
        );
        return again;
      };
    return new ThrottledOctokit({
      auth: token,
      baseUrl,
      retry: { doNotRetry: DO_NOT_RETRY },
      throttle: {
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
      },
    });
  }

  private signal(signal?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  }
}

function headKey(repository: GitRepositoryRef, branch: string) {
  return `${repository.url}#${branch}`;
}
