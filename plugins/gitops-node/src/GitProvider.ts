/**
 * A GitOps repository: where to read it and which branch is the deployed one.
 *
 * @public
 */
export interface GitRepositoryRef {
  /** Clone URL (`https://…`, `git@…`, `file://…`) or an absolute path of a local repository. */
  url: string;
  /** Branch the GitOps engine reconciles. */
  branch: string;
}

/**
 * A commit, as a log of a path returns it.
 *
 * @public
 */
export interface GitCommit {
  sha: string;
  /** Parent shas; the first one is the first parent. */
  parents: string[];
  author: { name: string; email: string };
  /** Full commit message. */
  message: string;
  /** ISO 8601 commit time. */
  committedAt: string;
}

/**
 * Options every provider call accepts.
 *
 * @public
 */
export interface GitCallOptions {
  repository: GitRepositoryRef;
  /** Aborts the call when the caller goes away or its time-out passes. */
  signal?: AbortSignal;
}

/**
 * Options of {@link GitProvider.readFile}.
 *
 * @public
 */
export interface GitReadFileOptions extends GitCallOptions {
  /** Commit sha (or ref) to read at. */
  revision: string;
  /** Path of the file from the repository root, without leading slash. */
  path: string;
}

/**
 * Options of {@link GitProvider.changedPaths}.
 *
 * @public
 */
export interface GitChangedPathsOptions extends GitCallOptions {
  from: string;
  to: string;
}

/**
 * Options of {@link GitProvider.log}.
 *
 * @public
 */
export interface GitLogOptions extends GitCallOptions {
  /** Commit to start from (usually the resolved branch head). */
  revision: string;
  /** Only commits that touched one of these files or folders. */
  paths: string[];
  /** At most this many commits. */
  limit: number;
}

/**
 * Options of {@link GitProvider.commit}.
 *
 * @public
 */
export interface GitCommitOptions extends GitCallOptions {
  /** The commit the change was planned on; the new commit's parent. */
  baseRevision: string;
  /** Whole new contents of each changed file. */
  files: Array<{ path: string; content: string }>;
  message: string;
  author: { name: string; email: string };
  /**
   * Pull-request mode: create this new branch at the commit instead of moving
   * `repository.branch`. Fails with {@link GitConflictError} when the branch already exists.
   */
  newBranch?: string;
}

/**
 * Options of {@link GitProvider.openPullRequest}.
 *
 * @public
 */
export interface GitPullRequestOptions extends GitCallOptions {
  /** Branch holding the change (made by `commit` with `newBranch`); merged into `repository.branch`. */
  head: string;
  title: string;
  /** Markdown body. */
  body: string;
}

/**
 * A pull request a provider opened.
 *
 * @public
 */
export interface GitPullRequest {
  url: string;
  number: number;
}

/**
 * The branch moved since `baseRevision`: re-read, re-plan and try again.
 *
 * @public
 */
export class GitConflictError extends Error {
  readonly name = 'GitConflictError';
}

/**
 * A repository whose host stopped answering: reads come from the last fetched revision.
 *
 * @public
 */
export interface GitRepositoryStaleness {
  /** Repository URL, credentials removed. */
  repository: string;
  /** When the first fetch in a row failed (ISO 8601). */
  since: string;
  /** The last fetch's error, credentials removed. */
  lastError: string;
  /** The branch head reads answer with until a fetch succeeds, when one was read. */
  revision: string | null;
}

/**
 * Read access to GitOps repositories on one kind of Git host.
 *
 * @remarks
 * Implementations cache what is immutable (anything addressed by a commit sha) so repeated page
 * views of an unchanged repository cost no request to the host.
 *
 * @public
 */
export interface GitProvider {
  /** Identifier used in `gitops.repositories[].provider`, e.g. `git` or `github`. */
  readonly type: string;

  /**
   * Resolves the repository's branch to the commit sha it points at now. A provider with a
   * cached head may answer it when the host does not answer, and then reports the repository
   * in {@link GitProvider.staleness}.
   */
  resolveBranch(options: GitCallOptions): Promise<string>;

  /**
   * Why reads of `repository` come from a cached revision (the host did not answer the last
   * fetch), or `undefined` while the repository is current. Providers without a cache leave it out.
   */
  staleness?(repository: GitRepositoryRef): GitRepositoryStaleness | undefined;

  /** Every repository of this provider that is stale now (for `/health`). */
  staleRepositories?(): GitRepositoryStaleness[];

  /**
   * Reads the repository's branch from the host now, whatever the fetch interval: the host
   * said it was pushed to (a webhook), and reads after this resolves see the pushed commits.
   * Providers that cache nothing leave it out.
   *
   * `since` (ms since the epoch) lets a read that started at or after it count, so a caller
   * that only needs a read newer than a known failure shares the one running rather than
   * waiting for it and then for another. Without it, only a read started by this call counts.
   */
  refresh?(
    repository: GitRepositoryRef,
    options?: { since?: number },
  ): Promise<void>;

  /**
   * Reads a file at a revision.
   *
   * @returns the file's text, or `undefined` when no file exists at that path (a folder is not a file).
   */
  readFile(options: GitReadFileOptions): Promise<string | undefined>;

  /**
   * Commits reachable from `revision` that touched any of `paths`, newest first.
   */
  log(options: GitLogOptions): Promise<GitCommit[]>;

  /**
   * The folders directly inside `path` at `revision` (full paths, sorted); empty when there is
   * no such folder. Used to expand Argo CD git-directory generators.
   */
  listFolders?(options: GitReadFileOptions): Promise<string[]>;

  /**
   * The files added, removed or changed between two revisions (either order), or `undefined`
   * when the provider cannot tell cheaply. A desired state read at one revision is carried to
   * the next when none of the files it read changed: a commit to one service costs the others
   * nothing. Providers that leave it out have every state read again at a new revision.
   */
  changedPaths?(options: GitChangedPathsOptions): Promise<string[] | undefined>;

  /**
   * Commits files on top of `baseRevision` and moves the branch to it, only if the branch still
   * points at `baseRevision` (never a force push).
   *
   * @returns the new commit's sha.
   * @throws GitConflictError when the branch has moved.
   */
  commit?(options: GitCommitOptions): Promise<string>;

  /**
   * Opens a pull request from `head` into the repository's branch. Providers of hosts without
   * pull requests (plain Git remotes) leave it out; the branch is then the reviewable unit.
   */
  openPullRequest?(options: GitPullRequestOptions): Promise<GitPullRequest>;
}
