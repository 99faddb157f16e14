import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  GitCommitOptions,
  GitConflictError,
  GitPullRequest,
  GitPullRequestOptions,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';
import { Octokit } from '@octokit/rest';
import { LRUCache } from 'lru-cache';

/** What {@link GithubGitWriter} borrows from the provider it writes for. */
export interface GithubWriterContext {
  /** The shared client of a repository, and its owner and name. */
  client(
    repository: GitRepositoryRef,
  ): Promise<{ octokit: Octokit; owner: string; repo: string }>;
  /** The caller's signal combined with the provider's time-out, for one request. */
  signal(signal?: AbortSignal): AbortSignal;
  /** The provider's blob cache (sha → text): blobs written here need no read afterwards. */
  blobs: LRUCache<string, string>;
  /** A branch was moved or created here: the provider forgets what it knew of its head. */
  headChanged(repository: GitRepositoryRef, branch: string): void;
}

/**
 * The write half of the GitHub provider: commits through the Git Data API (blobs, tree,
 * commit, ref) and pull requests.
 *
 * @remarks
 * A commit of N files costs N + 4 mutating requests (N + 3 when the base tree is known), which
 * the throttling plugin paces at least one second apart as GitHub asks for content-creating
 * requests. The branch is moved with `force: false`, so GitHub refuses anything but a
 * fast-forward: a branch that moved since `baseRevision` is a {@link GitConflictError}.
 */
export class GithubGitWriter {
  /** Tree sha of each commit seen (immutable, so keyed by commit sha like the read caches). */
  private readonly commitTrees = new LRUCache<string, string>({ max: 1000 });

  constructor(private readonly context: GithubWriterContext) {}

  async commit(options: GitCommitOptions): Promise<string> {
    const { repository, baseRevision, newBranch } = options;
    for (const file of options.files) {
      // Same rule as the CLI provider, so both refuse the same paths.
      if (/(^|\/)\.\.?(\/|$)|^\/|\/$|\n/.test(file.path)) {
        throw new InputError(
          `Refusing to write outside the repository: ${file.path}`,
        );
      }
    }
    const client = await this.context.client(repository);
    const { octokit, owner, repo } = client;
    const where = `${owner}/${repo}`;
    const request = () => ({ signal: this.context.signal(options.signal) });

    // One after the other: the throttling plugin runs writes one at a time anyway, and a
    // failure then stops before creating more objects.
    const entries = [];
    for (const file of options.files) {
      const { data } = await octokit
        .request('POST /repos/{owner}/{repo}/git/blobs', {
          owner,
          repo,
          content: Buffer.from(file.content, 'utf8').toString('base64'),
          encoding: 'base64',
          request: request(),
        })
        .catch(fail(`Writing ${file.path} to ${where}`));
      this.context.blobs.set(data.sha, file.content);
      entries.push({
        path: file.path,
        mode: '100644' as const,
        type: 'blob' as const,
        sha: data.sha,
      });
    }

    const baseTree = await this.treeOf(
      client,
      repository,
      baseRevision,
      request,
    );
    const tree = await octokit
      .request('POST /repos/{owner}/{repo}/git/trees', {
        owner,
        repo,
        base_tree: baseTree,
        tree: entries,
        request: request(),
      })
      .catch(fail(`Writing the tree of the commit to ${where}`));
    const commit = await octokit
      .request('POST /repos/{owner}/{repo}/git/commits', {
        owner,
        repo,
        message: options.message,
        tree: tree.data.sha,
        parents: [baseRevision],
        author: { name: options.author.name, email: options.author.email },
        request: request(),
      })
      .catch(fail(`Writing the commit to ${where}`));
    const sha = commit.data.sha;
    this.commitTrees.set(`${repository.url}@${sha}`, tree.data.sha);

    if (newBranch) {
      await octokit
        .request('POST /repos/{owner}/{repo}/git/refs', {
          owner,
          repo,
          ref: `refs/heads/${newBranch}`,
          sha,
          request: request(),
        })
        .catch(error => {
          if (
            statusOf(error) === 422 &&
            /already exists/i.test(messageOf(error))
          ) {
            throw new GitConflictError(
              `Branch ${newBranch} of ${where} already exists`,
            );
          }
          return fail(`Creating branch ${newBranch} of ${where}`)(error);
        });
    } else {
      await octokit
        .request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
          owner,
          repo,
          ref: `heads/${repository.branch}`,
          sha,
          // Never forced: GitHub then only moves the branch along a fast-forward.
          force: false,
          request: request(),
        })
        .catch(error => {
          const status = statusOf(error);
          if (
            status === 409 ||
            (status === 422 && /fast.?forward/i.test(messageOf(error)))
          ) {
            throw new GitConflictError(
              `Branch ${
                repository.branch
              } of ${where} moved since ${baseRevision.slice(0, 7)}`,
            );
          }
          if (
            status === 422 &&
            /reference does not exist/i.test(messageOf(error))
          ) {
            throw new NotFoundError(
              `Branch "${repository.branch}" of ${where} not found on GitHub`,
            );
          }
          return fail(`Moving branch ${repository.branch} of ${where}`)(error);
        });
    }
    this.context.headChanged(repository, newBranch ?? repository.branch);
    return sha;
  }

  async openPullRequest(
    options: GitPullRequestOptions,
  ): Promise<GitPullRequest> {
    const { octokit, owner, repo } = await this.context.client(
      options.repository,
    );
    const { data } = await octokit
      .request('POST /repos/{owner}/{repo}/pulls', {
        owner,
        repo,
        head: options.head,
        base: options.repository.branch,
        title: options.title,
        body: options.body,
        request: { signal: this.context.signal(options.signal) },
      })
      .catch(
        fail(
          `Opening a pull request from ${options.head} into ${options.repository.branch} of ${owner}/${repo}`,
        ),
      );
    return { url: data.html_url, number: data.number };
  }

  /** Tree sha of a commit: known when the commit was written here, else one read. */
  private async treeOf(
    { octokit, owner, repo }: { octokit: Octokit; owner: string; repo: string },
    repository: GitRepositoryRef,
    revision: string,
    request: () => { signal: AbortSignal },
  ): Promise<string> {
    const key = `${repository.url}@${revision}`;
    const known = this.commitTrees.get(key);
    if (known) {
      return known;
    }
    const { data } = await octokit
      .request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
        owner,
        repo,
        commit_sha: revision,
        request: request(),
      })
      .catch(error => {
        if (statusOf(error) === 404 || statusOf(error) === 422) {
          throw new NotFoundError(
            `Commit ${revision} of ${owner}/${repo} not found on GitHub`,
          );
        }
        throw error;
      });
    this.commitTrees.set(key, data.tree.sha);
    return data.tree.sha;
  }
}

/**
 * Maps what GitHub answers to a write the way reads map theirs; anything else (rate limits,
 * server errors, time-outs) is passed on as it is.
 */
function fail(what: string) {
  return (error: unknown): never => {
    const status = statusOf(error);
    const message = messageOf(error);
    if (status === 404) {
      // GitHub answers 404, not 403, for a private repository the token cannot see.
      throw new NotFoundError(
        `${what}: not found on GitHub, or the token cannot see it`,
      );
    }
    if (status === 403 && !/rate limit/i.test(message)) {
      throw new NotAllowedError(`${what}: GitHub refused: ${message}`);
    }
    if (status === 422) {
      throw new InputError(`${what}: GitHub refused: ${message}`);
    }
    throw error;
  };
}

/** HTTP status of an Octokit `RequestError`. */
export function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error
    ? Number((error as { status: unknown }).status)
    : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
