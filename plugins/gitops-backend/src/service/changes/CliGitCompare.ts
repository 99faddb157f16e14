import { LoggerService } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GitCompareError, gitCommand, redact } from './gitCommand';
import { LoggedCommit } from './pullRequests';

/** Options of {@link CliGitCompare}. */
export interface CliGitCompareOptions {
  /** Folder of the mirrors, one per clone URL. */
  cacheDir: string;
  /** Time-out of each git call (a clone and a fetch included). */
  timeoutMs: number;
  logger: LoggerService;
}

/** What to compare: commits in `to` that `from` does not have. */
export interface CompareRequest {
  from: string;
  to: string;
  maxCommits: number;
  signal?: AbortSignal;
}

/** Commits of a comparison, newest first, before pull requests are attached. */
export interface RawComparison {
  commits: LoggedCommit[];
  /** Commits in `to` not in `from`. */
  total: number;
  /** Commits in `from` not in `to`. */
  removed: number;
  truncated: boolean;
  /** The revisions the repository does not have, by name (`from`, `to`); empty when both are there. */
  missing: Array<'from' | 'to'>;
}

const RECORD = '\x1e';
const FIELD = '\x00';

/**
 * Compares two commits of any repository the git CLI reaches, in a bare, blob-less mirror
 * (commits and trees only: a log needs no file contents). The mirror is fetched only when a
 * revision is missing: commits never change, so what it has stays true.
 */
export class CliGitCompare {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly options: CliGitCompareOptions) {}

  async compare(
    cloneUrl: string,
    request: CompareRequest,
  ): Promise<RawComparison> {
    const { signal } = request;
    for (const revision of [request.from, request.to]) {
      // Never an option or a range: only what the annotations' check lets through.
      if (!/^[0-9a-f]{7,40}$/.test(revision)) {
        throw new Error(`"${revision}" is not a commit sha`);
      }
    }
    const dir = await this.mirror(cloneUrl, signal);
    const missing = await this.ensure(dir, request);
    if (missing.length > 0) {
      return { commits: [], total: 0, removed: 0, truncated: false, missing };
    }
    const range = [`${request.from}..${request.to}`];
    const counts = await this.git(
      [
        'rev-list',
        '--left-right',
        '--count',
        `${request.from}...${request.to}`,
      ],
      dir,
      signal,
    );
    const [removed, total] = counts.trim().split(/\s+/).map(Number);
    const log = await this.git(
      [
        'log',
        '--topo-order',
        `--max-count=${request.maxCommits + 1}`,
        '--format=%H%x00%P%x00%an%x00%aI%x00%B%x1e',
        ...range,
      ],
      dir,
      signal,
    );
    const commits = log
      .split(RECORD)
      .map(record => record.replace(/^\n/, ''))
      .filter(record => record.length > 0)
      .map(record => {
        const [sha, parents, author, at, message] = record.split(FIELD);
        return {
          sha,
          parents: parents ? parents.split(' ') : [],
          author,
          at: new Date(at).toISOString(),
          message: message.trimEnd(),
        };
      });
    return {
      commits: commits.slice(0, request.maxCommits),
      total,
      removed,
      truncated: commits.length > request.maxCommits,
      missing: [],
    };
  }

  /** Fetches when a revision is missing: first the branches and tags, then the sha itself. */
  private async ensure(
    dir: string,
    request: CompareRequest,
  ): Promise<Array<'from' | 'to'>> {
    const absent = async () => {
      const result: Array<'from' | 'to'> = [];
      for (const end of ['from', 'to'] as const) {
        if (!(await this.has(dir, request[end], request.signal)))
          result.push(end);
      }
      return result;
    };
    let missing = await absent();
    if (missing.length === 0) return missing;
    await this.shared(dir, () =>
      this.git(
        [
          'fetch',
          '--quiet',
          '--filter=blob:none',
          'origin',
          '+refs/heads/*:refs/heads/*',
          '+refs/tags/*:refs/tags/*',
        ],
        dir,
      ).then(() => undefined),
    );
    missing = await absent();
    // A commit of no branch (a deleted or force-pushed one) can still be asked for by its sha,
    // where the server allows it (GitHub does).
    const full = missing.filter(end => /^[0-9a-f]{40}$/.test(request[end]));
    if (full.length > 0) {
      await this.git(
        [
          'fetch',
          '--quiet',
          '--filter=blob:none',
          'origin',
          ...full.map(end => request[end]),
        ],
        dir,
        request.signal,
      ).catch(error => {
        if (!(error instanceof GitCompareError) || error.statusCode === 504)
          throw error;
      });
      missing = await absent();
    }
    return missing;
  }

  private async has(dir: string, revision: string, signal?: AbortSignal) {
    return this.git(
      ['cat-file', '-e', `${revision}^{commit}`],
      dir,
      signal,
    ).then(
      () => true,
      error => {
        if (error instanceof GitCompareError && error.statusCode !== 504)
          return false;
        throw error;
      },
    );
  }

  /** The mirror folder of a clone URL, cloned on first use. */
  private async mirror(
    cloneUrl: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const dir = path.join(
      this.options.cacheDir,
      createHash('sha256').update(cloneUrl).digest('hex').slice(0, 24),
    );
    const exists = await fs.stat(path.join(dir, 'HEAD')).then(
      () => true,
      () => false,
    );
    if (!exists) await this.shared(dir, () => this.clone(cloneUrl, dir));
    signal?.throwIfAborted();
    return dir;
  }

  private async clone(cloneUrl: string, dir: string) {
    const started = Date.now();
    await fs.mkdir(this.options.cacheDir, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      // `--` keeps a URL from being read as an option; a local server is told it may filter.
      await this.git([
        '-c',
        'uploadpack.allowFilter=true',
        'clone',
        '--bare',
        '--quiet',
        '--filter=blob:none',
        '--',
        cloneUrl,
        tmp,
      ]);
      await fs.rm(dir, { recursive: true, force: true });
      // Moved into place only when complete: a killed clone leaves no half mirror.
      await fs.rename(tmp, dir);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
    this.options.logger.info(
      `Cloned ${redact(cloneUrl)} for comparisons in ${
        Date.now() - started
      } ms`,
    );
  }

  /** One clone or fetch per mirror at a time; callers of the same one share it. */
  private shared(dir: string, run: () => Promise<void>): Promise<void> {
    let pending = this.inFlight.get(dir);
    if (!pending) {
      pending = run().finally(() => this.inFlight.delete(dir));
      this.inFlight.set(dir, pending);
    }
    return pending;
  }

  private git(args: string[], cwd?: string, signal?: AbortSignal) {
    return gitCommand({ args, cwd, signal, timeoutMs: this.options.timeoutMs });
  }
}
