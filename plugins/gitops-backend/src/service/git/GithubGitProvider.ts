import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  GitCallOptions,
  GitCommit,
  GitLogOptions,
  GitProvider,
  GitReadFileOptions,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { LRUCache } from 'lru-cache';

/** Options of {@link GithubGitProvider}. */
export interface GithubGitProviderOptions {
  integrations: ScmIntegrationRegistry;
  logger: LoggerService;
  timeoutMs: number;
  /** Defaults to the credentials of `integrations.github` (token or GitHub App). */
  credentialsProvider?: GithubCredentialsProvider;
}

type TreeEntry = { type: string; sha: string };

const ThrottledOctokit = Octokit.plugin(throttling, retry);

/**
 * Reads GitOps repositories through the GitHub REST API (`@octokit/core` with the retry and
 * throttling plugins: the versions the scaffolder GitHub module already brings).
 *
 * Rate limit: the branch head is read with a conditional request (`If-None-Match`; a 304 does
 * not count against the limit) and everything below a commit sha (trees, blobs, path logs) is
 * cached by sha, so views of an unchanged repository cost no quota.
 */
export class GithubGitProvider implements GitProvider {
  readonly type = 'github';
  private readonly credentials: GithubCredentialsProvider;
  private readonly heads = new Map<string, { etag: string; sha: string }>();
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

  constructor(private readonly options: GithubGitProviderOptions) {
    this.credentials =
      options.credentialsProvider ??
      DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
  }

  async resolveBranch({ repository, signal }: GitCallOptions): Promise<string> {
    const { octokit, owner, repo } = await this.client(repository);
    const key = `${repository.url}#${repository.branch}`;
    const known = this.heads.get(key);
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
          request: { signal: this.signal(signal) },
        },
      );
      // Octokit hands a vendor media type over as an ArrayBuffer unless it says charset=utf-8.
      const data: unknown = response.data;
      const sha = (
        data instanceof ArrayBuffer
          ? Buffer.from(data).toString('utf8')
          : String(data)
      ).trim();
      const etag = response.headers.etag;
      if (etag) {
        this.heads.set(key, { etag, sha });
      }
      return sha;
    } catch (error) {
      if (known && statusOf(error) === 304) {
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
    const cached = this.blobs.get(entry.sha);
    if (cached !== undefined) {
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
    for (const path of options.paths) {
      const response = await octokit.request(
        'GET /repos/{owner}/{repo}/commits',
        {
          owner,
          repo,
          sha: options.revision,
          path,
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
    const logger = this.options.logger;
    return new ThrottledOctokit({
      auth: token,
      baseUrl,
      throttle: {
        onRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _o: unknown,
          retryCount: number,
        ) => {
          logger.warn(
            `GitHub rate limit hit on ${request.method} ${request.url}, retry in ${retryAfter}s`,
          );
          return retryCount < 1;
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
        ) => {
          logger.warn(
            `GitHub secondary rate limit on ${request.method} ${request.url} (${retryAfter}s)`,
          );
          return false;
        },
      },
    });
  }

  private signal(signal?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  }
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error
    ? Number((error as { status: unknown }).status)
    : undefined;
}
