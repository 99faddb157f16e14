import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  GitCallOptions,
  GitChangedPathsOptions,
  GitCommit,
  GitCommitOptions,
  GitConflictError,
  GitLogOptions,
  GitProvider,
  GitReadFileOptions,
  GitRepositoryRef,
  GitRepositoryStaleness,
} from '@gitops-backstage/plugin-gitops-node';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { CatFileBatch, CatFileBatchClosedError } from './CatFileBatch';
import {
  isBranchMoved,
  isLocalRefRace,
  isRefused,
  pushUrl,
} from './remoteAnswers';
import { FetchOutages, repositoryUnavailable } from './FetchOutages';
import { fastImportCommit } from './fastImportCommit';
import { HistoryIndex, commitOf } from './HistoryIndex';
import { TreePaths } from './TreePaths';
import { GitCommandError, redactCredentials, runGit } from './runGit';

/**
 * Options of {@link CliGitProvider}.
 *
 * @public
 */
export interface CliGitProviderOptions {
  /** Folder holding one bare mirror per repository URL. */
  cacheDir: string;
  /**
   * A branch read within this many seconds of the last fetch uses the cached mirror. A failed
   * fetch is retried at most this often too; meanwhile reads answer from the mirror.
   */
  fetchIntervalSeconds: number;
  timeoutMs: number;
  logger: LoggerService;
  /**
   * Called after each fetch or clone of a mirror (for metrics: duration, failures); must be
   * cheap and not throw. `repository` is the URL without credentials.
   */
  onFetch?: (result: {
    repository: string;
    durationMs: number;
    ok: boolean;
  }) => void;
}

export { isBranchMoved, pushUrl };

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Times a read is asked again of the reader that replaced the one it was queued on. One is
 * enough unless fetches follow each other faster than a reader answers.
 */
const READ_ATTEMPTS = 3;

/** Waits before fetching again after a local ref moved under a fetch (see fetchOrigin). */
const LOCAL_REF_RETRY_MS = [50, 200, 800];

/**
 * Reads any repository the git CLI can reach (HTTPS, SSH, local paths) through a cached bare
 * mirror: one clone per URL, then fetches at most every `fetchIntervalSeconds`.
 *
 * @public
 */
export class CliGitProvider implements GitProvider {
  readonly type = 'git';
  /** When each mirror was last fetched, or a fetch last failed (retries wait as long). */
  private readonly lastFetch = new Map<string, number>();
  private readonly outages: FetchOutages;
  private readonly inFlight = new Map<
    string,
    { fetch: Promise<string>; startedAt: number }
  >();
  /** A reader per mirror, replaced after each fetch so it sees the new packs. */
  private readonly batches = new Map<
    string,
    { fetchedAt: number; batch: CatFileBatch }
  >();
  private readonly heads = new Map<
    string,
    { sha: Promise<string>; fetchedAt: number }
  >();
  /** Files at a full sha never change: keyed `sha:path`. */
  private readonly files = new LRUCache<string, { text: string | null }>({
    // By size, not count: a fleet's overlays are many small files. States are cached by the
    // reader, so files are read again only where a commit changed them; what this serves is
    // the files an environment's state shares with the service's others (its base), read
    // close together. 4 MiB: at 10,000 services 16 MiB was full, and held 23 MiB with its
    // keys in a heap snapshot, for reads that come seconds apart.
    maxSize: 4 * 1024 * 1024,
    sizeCalculation: entry => Math.max(64, entry.text?.length ?? 0),
  });

  /** Trees read by id, to find files without Git walking them again per file. */
  private readonly paths = new TreePaths();

  /** Histories asked of each mirror, answered from one walk (see `HistoryIndex`). */
  private readonly history = new HistoryIndex((dir, args) =>
    this.git(args, dir),
  );

  constructor(private readonly options: CliGitProviderOptions) {
    this.outages = new FetchOutages(options.logger);
  }

  staleness(repository: GitRepositoryRef): GitRepositoryStaleness | undefined {
    return this.outages.get(this.mirrorDir(repository));
  }

  staleRepositories(): GitRepositoryStaleness[] {
    return this.outages.all();
  }

  async resolveBranch({ repository, signal }: GitCallOptions): Promise<string> {
    const dir = await this.mirror(repository, signal);
    // Refs only move on fetch: until the next one, the sha read last time still holds, and a
    // fleet view's thousand concurrent callers share one `rev-parse`, not one each.
    const key = `${dir}#${repository.branch}`;
    const fetchedAt = this.lastFetch.get(dir) ?? 0;
    let known = this.heads.get(key);
    if (!known || known.fetchedAt !== fetchedAt) {
      const sha = this.readHead(dir, repository);
      known = { sha, fetchedAt };
      this.heads.set(key, known);
      sha.then(
        head => this.outages.shown(dir, head),
        () => {
          if (this.heads.get(key) === known) this.heads.delete(key);
        },
      );
    }
    return signal ? untilAborted(known.sha, signal) : known.sha;
  }

  /** The branch head in the mirror; runs under the time-out, not one caller's signal. */
  private async readHead(dir: string, repository: GitRepositoryRef) {
    const out = await this.git(
      [
        'rev-parse',
        '--verify',
        '--quiet',
        `refs/heads/${repository.branch}^{commit}`,
      ],
      dir,
    ).catch(error => {
      if (error instanceof GitCommandError) {
        throw new NotFoundError(
          `Branch "${repository.branch}" not found in ${redactCredentials(
            repository.url,
          )}`,
        );
      }
      throw error;
    });
    return out.toString('utf8').trim();
  }

  async readFile(options: GitReadFileOptions): Promise<string | undefined> {
    const key = `${options.revision}:${options.path}`;
    // A full sha never moves: its files are kept, and found through its trees.
    const commit = FULL_SHA.test(options.revision);
    const cached = commit ? this.files.get(key) : undefined;
    if (cached) {
      return cached.text ?? undefined;
    }
    const dir = await this.mirror(options.repository, options.signal, false);
    const object = commit
      ? await this.paths.read(
          spec => this.readObject(dir, spec),
          options.revision,
          options.path,
        )
      : await this.readObject(dir, key);
    const text =
      object?.type === 'blob' ? object.content.toString('utf8') : null;
    if (commit) this.files.set(key, { text });
    return text ?? undefined;
  }

  /**
   * Reads an object through the mirror's long-running reader. A fetch replaces the reader
   * (so it sees the new packs) while reads may be queued on the old one: those the old one
   * ended without answering are asked again of the new one, never reported as failures. A
   * reader that dies for any other reason fails the reads queued on it.
   */
  private async readObject(dir: string, spec: string) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.batch(dir).read(spec);
      } catch (error) {
        if (
          !(error instanceof CatFileBatchClosedError) ||
          attempt >= READ_ATTEMPTS
        ) {
          throw error;
        }
      }
    }
  }

  /**
   * Fetches the repository now, whatever the fetch interval (a push event named it): reads
   * after this see the pushed commits. A fetch already running may have started before the
   * push, so it is waited for and followed by a new one; pushes arriving together share it.
   */
  async refresh(
    repository: GitRepositoryRef,
    options: { since?: number } = {},
  ): Promise<void> {
    const dir = this.mirrorDir(repository);
    const running = this.inFlight.get(dir);
    if (running) {
      if (options.since !== undefined && running.startedAt >= options.since) {
        await running.fetch;
        return;
      }
      await running.fetch.catch(() => undefined);
    }
    await this.startFetch(pushUrl(repository.url), dir);
  }

  /** `git diff-tree` between two commits of the mirror; more than 1,000 paths: undefined. */
  async changedPaths(
    options: GitChangedPathsOptions,
  ): Promise<string[] | undefined> {
    const dir = await this.mirror(options.repository, options.signal, false);
    const out = await this.git(
      [
        'diff-tree',
        '-r',
        '--name-only',
        '--no-renames',
        '-z',
        options.from,
        options.to,
      ],
      dir,
      options.signal,
    );
    const paths = out.toString('utf8').split('\0').filter(Boolean);
    // A change that big is a reorganisation: reading every state again costs less than
    // comparing each one's files with it.
    return paths.length > 1000 ? undefined : paths;
  }

  async log(options: GitLogOptions): Promise<GitCommit[]> {
    const dir = await this.mirror(options.repository, options.signal, false);
    const indexed = await this.history.log(
      dir,
      options.revision,
      options.paths,
      options.limit,
    );
    if (indexed) return indexed;
    const out = await this.git(
      [
        'log',
        `--max-count=${options.limit}`,
        '--format=%H%x00%P%x00%an%x00%ae%x00%cI%x00%B%x1e',
        options.revision,
        '--',
        ...options.paths,
      ],
      dir,
      options.signal,
    );
    return out
      .toString('utf8')
      .split('\x1e')
      .map(record => record.replace(/^\n/, ''))
      .filter(record => record.length > 0)
      .map(record => commitOf(record.split('\x00')));
  }

  async listFolders(options: GitReadFileOptions): Promise<string[]> {
    const dir = await this.mirror(options.repository, options.signal, false);
    const folder = options.path.replace(/^\/+|\/+$/g, '');
    const out = await this.git(
      [
        'ls-tree',
        '-d',
        '--name-only',
        options.revision,
        folder ? `${folder}/` : '.',
      ],
      dir,
      options.signal,
    ).catch(error => {
      if (error instanceof GitCommandError) return Buffer.from('');
      throw error;
    });
    return out.toString('utf8').split('\n').filter(Boolean).sort();
  }

  async commit(options: GitCommitOptions): Promise<string> {
    const { repository, baseRevision, signal } = options;
    const dir = await this.mirror(repository, signal, false);
    const sha = await fastImportCommit(
      (args, input) => this.git(args, dir, signal, input),
      {
        baseRevision,
        files: options.files,
        message: options.message,
        author: options.author,
      },
    );
    const target = options.newBranch ?? repository.branch;
    // Never forced: a branch that moved since baseRevision rejects the push. A new branch is
    // pushed with a lease that expects no ref, so an existing branch is never overwritten.
    await this.git(
      [
        'push',
        '--quiet',
        ...(options.newBranch
          ? [`--force-with-lease=refs/heads/${options.newBranch}:`]
          : []),
        pushUrl(repository.url),
        `${sha}:refs/heads/${target}`,
      ],
      dir,
      signal,
    ).catch(error => {
      if (error instanceof GitCommandError && isBranchMoved(error.stderr)) {
        // The next resolveBranch fetches, so a re-plan starts from the branch's new head.
        this.lastFetch.delete(dir);
        throw new GitConflictError(
          options.newBranch
            ? `Branch ${options.newBranch} already exists`
            : `Branch ${repository.branch} moved since ${baseRevision.slice(
                0,
                7,
              )}`,
        );
      }
      if (error instanceof GitCommandError && !isRefused(error.stderr)) {
        // The remote did not answer: the branch there is as it was. Reads go stale until a
        // fetch succeeds, and the write answers 503 rather than a 502 that invites a retry.
        this.outages.failed(dir, pushUrl(repository.url), error);
        throw repositoryUnavailable(this.outages.get(dir)!);
      }
      throw error;
    });
    if (!options.newBranch) {
      // The push landed: moving the mirror's branch only spares readers a fetch. A fetch of
      // another caller holding the branch's lock fails it; the next read fetches instead
      // (lastFetch cleared), and the commit is answered as made, never as failed.
      await this.git(
        ['update-ref', `refs/heads/${repository.branch}`, sha],
        dir,
        signal,
      ).catch(error => {
        if (!(error instanceof GitCommandError && isLocalRefRace(error.stderr)))
          throw error;
      });
      this.heads.delete(`${dir}#${repository.branch}`);
      this.lastFetch.delete(dir);
    }
    return sha;
  }

  /**
   * Returns the mirror folder of a repository, cloning it on first use and fetching when
   * `refresh` is set and the last fetch is older than the interval. Concurrent callers share
   * one clone or fetch; it runs under the time-out only, so one caller going away does not
   * cancel it for the others (that caller stops waiting).
   */
  private async mirror(
    repository: GitRepositoryRef,
    signal?: AbortSignal,
    refresh = true,
  ): Promise<string> {
    const dir = this.mirrorDir(repository);
    const last = this.lastFetch.get(dir);
    const fresh =
      last !== undefined &&
      (!refresh ||
        Date.now() - last < this.options.fetchIntervalSeconds * 1000);
    if (fresh) {
      return dir;
    }
    const pending = this.startFetch(pushUrl(repository.url), dir);
    if (this.outages.get(dir)) {
      // Already known not to answer: the retry runs in the background and reads answer from
      // the mirror now instead of waiting up to the time-out each fetch interval. A fetch
      // failing is recorded by cloneOrFetch; what else fails (a clone, the mirror gone) is
      // logged here, as nobody waits for it.
      pending.catch(error =>
        this.options.logger.warn(
          `Background fetch of ${redactCredentials(
            pushUrl(repository.url),
          )} failed: ${error}`,
        ),
      );
      return dir;
    }
    return signal ? untilAborted(pending, signal) : pending;
  }

  /** The clone or fetch of a mirror running now, or a new one. */
  private startFetch(url: string, dir: string): Promise<string> {
    let pending = this.inFlight.get(dir);
    if (!pending) {
      pending = {
        fetch: this.cloneOrFetch(url, dir).finally(() =>
          this.inFlight.delete(dir),
        ),
        startedAt: Date.now(),
      };
      this.inFlight.set(dir, pending);
    }
    return pending.fetch;
  }

  private mirrorDir(repository: GitRepositoryRef): string {
    // Asked per service by every fleet pass (heads, staleness): hashed once per URL.
    let dir = this.mirrorDirs.get(repository.url);
    if (dir === undefined) {
      dir = path.join(
        this.options.cacheDir,
        // Keyed by the resolved remote: the same relative path from two checkouts is two
        // repositories.
        createHash('sha256')
          .update(pushUrl(repository.url))
          .digest('hex')
          .slice(0, 24),
      );
      this.mirrorDirs.set(repository.url, dir);
    }
    return dir;
  }

  /**
   * `git fetch` of a mirror, again after a short wait when a ref of the mirror moved under it.
   * A commit moves the mirror's branch (`update-ref`, after its push) while a fetch of another
   * caller may be between reading that branch and writing it: git then fails the fetch with
   * "cannot lock ref", although the remote answered. Taken for an outage, that refused every
   * change for a fetch interval (seen in a burst of changes on two instances).
   */
  private async fetchOrigin(dir: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.git(['fetch', '--prune', '--quiet', 'origin'], dir);
        return;
      } catch (error) {
        const race =
          error instanceof GitCommandError && isLocalRefRace(error.stderr);
        if (!race || attempt >= LOCAL_REF_RETRY_MS.length) throw error;
        await new Promise(resolve =>
          setTimeout(resolve, LOCAL_REF_RETRY_MS[attempt]),
        );
      }
    }
  }

  /** Mirror folders by configured URL (the few repositories the config names). */
  private readonly mirrorDirs = new Map<string, string>();

  private async cloneOrFetch(url: string, dir: string) {
    const started = Date.now();
    const exists = await fs
      .stat(path.join(dir, 'HEAD'))
      .then(() => true)
      .catch(() => false);
    if (exists) {
      try {
        await this.fetchOrigin(dir);
      } catch (error) {
        this.fetched(url, started, false);
        // The mirror still holds the last fetched revision: answer from it, say so, and retry
        // after the fetch interval rather than on every read.
        this.outages.failed(dir, url, error);
        this.markFetched(dir);
        return dir;
      }
      this.fetched(url, started, true);
      this.outages.recovered(dir);
    } else {
      await fs.mkdir(this.options.cacheDir, { recursive: true });
      const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
      await this.git(['clone', '--mirror', '--quiet', url, tmp]).catch(
        async error => {
          this.fetched(url, started, false);
          await fs.rm(tmp, { recursive: true, force: true });
          throw error;
        },
      );
      this.fetched(url, started, true);
      // A clone is moved into place only when complete, so a killed clone leaves no half mirror.
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(tmp, dir);
      this.options.logger.info(
        `Cloned ${redactCredentials(url)} in ${Date.now() - started} ms`,
      );
    }
    this.markFetched(dir);
    return dir;
  }

  /**
   * Notes a fetch: strictly later than the one before, even within the same millisecond, as
   * the branch heads and the reader are renewed when this value changes.
   */
  private markFetched(dir: string) {
    const last = this.lastFetch.get(dir) ?? 0;
    this.lastFetch.set(dir, Math.max(Date.now(), last + 1));
  }

  private fetched(url: string, started: number, ok: boolean) {
    const { onFetch, logger } = this.options;
    if (!onFetch) return;
    try {
      onFetch({
        repository: redactCredentials(url),
        durationMs: Date.now() - started,
        ok,
      });
    } catch (error) {
      // A metrics hook must never fail a fetch.
      logger.debug(`onFetch hook failed: ${String(error)}`);
    }
  }

  private batch(dir: string): CatFileBatch {
    const fetchedAt = this.lastFetch.get(dir) ?? 0;
    const current = this.batches.get(dir);
    if (current && current.fetchedAt === fetchedAt) return current.batch;
    // The old reader still answers the reads queued on it, then ends; whatever it leaves
    // unanswered is asked again of this one (readObject).
    current?.batch.close();
    const batch = new CatFileBatch(dir);
    this.batches.set(dir, { fetchedAt, batch });
    return batch;
  }

  /** Ends the long-running readers (at backend shutdown). */
  close() {
    this.batches.forEach(({ batch }) => batch.close());
    this.batches.clear();
  }

  private git(
    args: string[],
    cwd?: string,
    signal?: AbortSignal,
    input?: string,
    env?: Record<string, string>,
  ) {
    return runGit({
      args,
      cwd,
      signal,
      input,
      env,
      timeoutMs: this.options.timeoutMs,
    });
  }
}

/** Resolves like `promise`, or rejects as soon as `signal` aborts (the work itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
