import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { LRUCache } from 'lru-cache';
import { UpstreamError } from '../errors';
import { mapLimited } from '../mapLimited';
import { CompareRequest, RawComparison } from './CliGitCompare';
import {
  FoundPullRequest,
  LoggedCommit,
  attributePullRequests,
} from './pullRequests';

/** Options of {@link GithubCompare}. */
export interface GithubCompareOptions {
  integrations: ScmIntegrationRegistry;
  logger: LoggerService;
  timeoutMs: number;
  /** Defaults to the credentials of `integrations.github` (token or GitHub App). */
  credentialsProvider?: GithubCredentialsProvider;
  /** Commits per comparison whose pull request is asked for when no message names it. */
  pullRequestLookups: number;
}

/** A comparison with the pull requests the host knows, by commit sha. */
export type GithubComparison = RawComparison & {
  pullRequests: Map<string, FoundPullRequest & { url: string | null }>;
};

const ThrottledOctokit = Octokit.plugin(throttling, retry);
const PAGE = 100;

/**
 * Compares two commits through the GitHub REST API (`repos.compareCommitsWithBasehead`), for
 * sources on hosts with a GitHub integration: no clone, the integration's credentials. Pull
 * requests come from merge and squash messages first; commits still without one are asked
 * about (`repos.listPullRequestsAssociatedWithCommit`, rebase merges), a bounded number.
 */
export class GithubCompare {
  private readonly credentials: GithubCredentialsProvider;
  private readonly clients = new LRUCache<
    string,
    InstanceType<typeof ThrottledOctokit>
  >({ max: 50 });

  constructor(private readonly options: GithubCompareOptions) {
    this.credentials =
      options.credentialsProvider ??
      DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
  }

  async compare(
    source: string,
    request: CompareRequest,
  ): Promise<GithubComparison> {
    const { octokit, owner, repo } = await this.client(source);
    const basehead = `${request.from}...${request.to}`;
    // One deadline for the whole comparison (its pages and look-ups): a dialog waits for it.
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal
      ? AbortSignal.any([request.signal, deadline])
      : deadline;
    const page = async (n: number) => {
      const response = await octokit.rest.repos
        .compareCommitsWithBasehead({
          owner,
          repo,
          basehead,
          per_page: PAGE,
          page: n,
          request: { signal },
        })
        .catch(error => {
          throw this.failure(
            error,
            `Comparing ${basehead} in ${owner}/${repo}`,
            deadline,
            request.signal,
          );
        });
      return response.data;
    };
    let first;
    try {
      first = await page(1);
    } catch (error) {
      // GitHub answers 404 both for a sha it does not have and for two unrelated ones.
      if ((error as { cause?: { status?: number } }).cause?.status === 404) {
        return { ...empty(), missing: ['from', 'to'], pullRequests: new Map() };
      }
      throw error;
    }
    const total = first.total_commits;
    // GitHub lists oldest first: the newest `maxCommits` are on the last pages.
    const wanted = Math.max(0, total - request.maxCommits);
    const pages = [];
    for (let n = Math.floor(wanted / PAGE) + 1; (n - 1) * PAGE < total; n++) {
      pages.push(n === 1 ? first : await page(n));
    }
    const listed = pages.flatMap(p => p.commits);
    const offset = Math.floor(wanted / PAGE) * PAGE;
    const commits: LoggedCommit[] = listed
      .slice(Math.max(0, wanted - offset))
      .map(c => ({
        sha: c.sha,
        parents: c.parents.map(p => p.sha),
        author: c.commit.author?.name ?? c.author?.login ?? 'unknown',
        at: new Date(
          c.commit.author?.date ?? c.commit.committer?.date ?? 0,
        ).toISOString(),
        message: c.commit.message,
      }))
      .reverse();
    const found = attributePullRequests(commits, commits[0]?.sha ?? '');
    const pullRequests = new Map<
      string,
      FoundPullRequest & { url: string | null }
    >([...found].map(([sha, pr]) => [sha, { ...pr, url: null }]));
    const unknown = commits
      .filter(c => !found.has(c.sha))
      .slice(0, this.options.pullRequestLookups);
    await mapLimited(unknown, 4, async commit => {
      const pr = await this.associatedPullRequest(
        octokit,
        owner,
        repo,
        commit.sha,
        signal,
      );
      if (pr) pullRequests.set(commit.sha, pr);
    });
    return {
      commits,
      total,
      removed: first.behind_by,
      truncated: total > commits.length,
      missing: [],
      pullRequests,
    };
  }

  /** The merged pull request a commit came with; null when none or the host will not say. */
  private async associatedPullRequest(
    octokit: InstanceType<typeof ThrottledOctokit>,
    owner: string,
    repo: string,
    sha: string,
    signal: AbortSignal,
  ) {
    try {
      const { data } =
        await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner,
          repo,
          commit_sha: sha,
          request: { signal },
        });
      const pr = data.find(p => p.merged_at) ?? data[0];
      return pr
        ? { number: pr.number, title: pr.title, url: pr.html_url }
        : null;
    } catch (error) {
      if (signal.aborted) return null;
      // One commit's pull request is a nicety: the list stands without it.
      this.options.logger.debug(
        `No pull request for ${owner}/${repo}@${sha}: ${
          (error as Error).message
        }`,
      );
      return null;
    }
  }

  private async client(source: string) {
    const match = new URL(source).pathname.match(
      /^\/([^/]+)\/([^/]+?)(\.git)?\/?$/,
    );
    const integration = this.options.integrations.github.byUrl(source);
    if (!match || !integration) {
      throw new UpstreamError(
        `${source} is not a repository of a GitHub integration`,
      );
    }
    const { token } = await this.credentials.getCredentials({ url: source });
    // One client per API and token: throttling paces requests only within a client.
    const key = `${integration.config.apiBaseUrl}\0${token ?? ''}`;
    let octokit = this.clients.get(key);
    if (!octokit) {
      octokit = new ThrottledOctokit({
        auth: token,
        baseUrl: integration.config.apiBaseUrl,
        // One retry of a 5xx, after a second: the dialog is waiting.
        retry: { doNotRetry: [400, 401, 403, 404, 409, 422, 451], retries: 1 },
        throttle: {
          // A rate-limited comparison answers 502 at once: a dialog must not wait minutes.
          onRateLimit: () => false,
          onSecondaryRateLimit: () => false,
        },
      });
      this.clients.set(key, octokit);
    }
    return { octokit, owner: match[1], repo: match[2] };
  }

  private failure(
    error: unknown,
    what: string,
    deadline: AbortSignal,
    callerSignal?: AbortSignal,
  ) {
    if (callerSignal?.aborted) return callerSignal.reason ?? error;
    const status = (error as { status?: number }).status;
    const timedOut = deadline.aborted;
    return new UpstreamError(
      timedOut
        ? `${what}: GitHub did not answer within ${this.options.timeoutMs} ms`
        : `${what}: GitHub answered ${status ?? (error as Error).message}`,
      error,
      timedOut ? 504 : 502,
    );
  }
}

function empty() {
  return { commits: [], total: 0, removed: 0, truncated: false };
}
