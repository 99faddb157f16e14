import { GitCommit } from '@gitops-backstage/plugin-gitops-node';
import { FULL_OBJECT_ID } from './objectIds';

/** A commit and the paths it changed (against its parent; every path for a root commit), sorted. */
interface IndexedCommit extends GitCommit {
  paths: string[];
}

/** A mirror's indexed history: newest first, each commit's parent the next one. */
interface Chain {
  commits: IndexedCommit[];
  /** Position of each commit in `commits`. */
  positions: Map<string, number>;
  /** The last commit is a root commit: the chain is the whole history of its head. */
  complete: boolean;
}

/** Runs git in a mirror; resolves with its standard output. */
export type RunGitInMirror = (dir: string, args: string[]) => Promise<Buffer>;

/** Bounds of what one mirror's index holds; past them, `git log` answers. */
export interface HistoryIndexLimits {
  /** Commits read when a history is first indexed (default 10,000). */
  commits: number;
  /** Changed paths kept over all indexed commits (default 500,000). */
  paths: number;
}

const FORMAT = '%x1e%H%x00%P%x00%an%x00%ae%x00%cI%x00%B';

/**
 * Answers `git log <revision> -- <paths>` from one walk of a mirror's history with the files
 * each commit changed, instead of one git process per question: the deployment ledger asks
 * for the history of every environment (15,000 at 5,000 services), and each `git log` was a
 * process reading the repository's packs again — 11 % of a core at 5,000 services for the hour
 * the first pass lasts. A new head is read incrementally (only the commits since).
 *
 * Exact where it answers: only a linear history (no merge commits, whose default
 * simplification depends on the paths asked) and literal paths are answered; otherwise, or
 * past the limits, `log` answers undefined and the caller asks git.
 */
export class HistoryIndex {
  private readonly chains = new Map<string, Chain | null>();
  private readonly reading = new Map<string, Promise<Chain | null>>();
  private readonly limits: HistoryIndexLimits;

  constructor(
    private readonly run: RunGitInMirror,
    limits: Partial<HistoryIndexLimits> = {},
  ) {
    this.limits = { commits: 10_000, paths: 500_000, ...limits };
  }

  /**
   * The first `limit` commits from `revision` that changed one of `paths` (a file, or a folder
   * and everything in it), newest first; undefined when the index cannot answer exactly.
   */
  async log(
    dir: string,
    revision: string,
    paths: string[],
    limit: number,
  ): Promise<GitCommit[] | undefined> {
    if (!FULL_OBJECT_ID.test(revision)) return undefined;
    // git reads these as pathspec magic or globs: git answers.
    if (paths.some(p => /[*?[\]\\]|^:/.test(p))) return undefined;
    const wanted = paths.map(p => {
      const relative = p.replace(/^(\.\/+)+/, '').replace(/\/+$/, '');
      return relative === '.' ? '' : relative;
    });
    const chain = await this.chainAt(dir, revision);
    if (!chain) return undefined;
    const found: GitCommit[] = [];
    for (
      let i = chain.positions.get(revision)!;
      i < chain.commits.length && found.length < limit;
      i++
    ) {
      const { paths: changed, ...commit } = chain.commits[i];
      if (wanted.some(p => touches(changed, p))) found.push(commit);
    }
    // Fewer than asked from an index that stops before the root: older commits may match.
    if (found.length < limit && !chain.complete) return undefined;
    return found;
  }

  private async chainAt(dir: string, revision: string): Promise<Chain | null> {
    const known = this.chains.get(dir);
    if (known?.positions.has(revision)) return known;
    const key = `${dir}\0${revision}`;
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.extend(dir, revision, known ?? undefined)
        .catch(() => null)
        .finally(() => this.reading.delete(key));
      this.reading.set(key, pending);
    }
    const chain = await pending;
    if (chain) this.chains.set(dir, chain);
    return chain?.positions.has(revision) ? chain : null;
  }

  /** Reads the commits of `revision` not in `known` and puts them before the ones they follow. */
  private async extend(
    dir: string,
    revision: string,
    known: Chain | undefined,
  ): Promise<Chain | null> {
    const args = [
      'log',
      '--root',
      '--no-renames',
      '--name-only',
      '-z',
      `--format=${FORMAT}`,
      `--max-count=${this.limits.commits}`,
      revision,
    ];
    if (known) args.push('--not', known.commits[0].sha);
    const read = parseLog(await this.run(dir, args));
    if (read.some(c => c.parents.length > 1)) return null;
    const oldest = read[read.length - 1];
    let rest: IndexedCommit[] = [];
    let complete: boolean;
    if (!oldest) {
      // Nothing new: `revision` is an older commit of the known history, or not in it.
      return known ?? null;
    } else if (oldest.parents.length === 0) {
      complete = true;
    } else if (known?.positions.has(oldest.parents[0])) {
      // A head that moved on (or branched off an older commit) from the known history.
      rest = known.commits.slice(known.positions.get(oldest.parents[0])!);
      complete = known.complete;
    } else if (read.length >= this.limits.commits && !known) {
      complete = false; // the newest commits of a long history
    } else {
      return null;
    }
    const commits = [...read, ...rest].slice(0, this.limits.commits);
    const paths = commits.reduce((n, c) => n + c.paths.length, 0);
    if (paths > this.limits.paths) return null;
    return {
      commits,
      positions: new Map(commits.map((c, i) => [c.sha, i])),
      complete: complete && commits.length === read.length + rest.length,
    };
  }
}

/**
 * Whether one of the sorted changed files is `path` or lies in the folder `path` (two binary
 * searches: a root commit lists every file of the repository).
 */
function touches(sorted: string[], path: string): boolean {
  if (path === '') return sorted.length > 0;
  if (sorted[lowerBound(sorted, path)] === path) return true;
  const folder = `${path}/`;
  return sorted[lowerBound(sorted, folder)]?.startsWith(folder) ?? false;
}

/** The first index whose value is not below `value`. */
function lowerBound(sorted: string[], value: string): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Parses `git log -z --name-only` with {@link FORMAT}: each record starts with \x1e, its
 * fields and then its paths are separated by NUL (the message, last field, ends with a
 * newline; the paths follow a newline).
 */
function parseLog(out: Buffer): IndexedCommit[] {
  return out
    .toString('utf8')
    .split('\x1e')
    .filter(record => record.length > 0)
    .map(record => {
      const fields = record.split('\0');
      const paths = fields
        .slice(6)
        .map((p, i) => (i === 0 ? p.replace(/^\n/, '') : p))
        .filter(p => p.length > 0)
        .sort();
      return { ...commitOf(fields), paths };
    });
}

/**
 * A commit from the fields of `%H%x00%P%x00%an%x00%ae%x00%cI%x00%B`, split at NUL (what
 * `CliGitProvider.log` and the index ask git for).
 */
export function commitOf(fields: string[]): GitCommit {
  const [sha, parents, name, email, committedAt, message] = fields;
  return {
    sha,
    parents: parents ? parents.split(' ') : [],
    author: { name, email },
    committedAt: new Date(committedAt).toISOString(),
    message: message.trimEnd(),
  };
}
