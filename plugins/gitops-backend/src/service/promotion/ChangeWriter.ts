import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, isError } from '@backstage/errors';
import { GitConflictError } from '@gitops-backstage/plugin-gitops-node';
import { ServiceTarget } from '../ServiceLocator';
import { UpstreamError } from '../errors';
import { KeyedMutex } from './KeyedMutex';
import {
  Plan,
  repositoryUnavailable,
} from '@gitops-backstage/plugin-gitops-repository';

/** A change planned on one revision of the branch. */
export interface PlannedChange<T> {
  plan: Plan;
  message: string;
  /** Whatever the caller wants back from the attempt that landed (versions, gates…). */
  details: T;
}

/** Options of {@link ChangeWriter.write}. */
export interface WriteOptions<T> {
  target: ServiceTarget;
  author: { name: string; email: string };
  /** Pull-request mode: the new branch, PR title and body builder. */
  pullRequest?: {
    branch: string;
    title: (planned: PlannedChange<T>) => string;
    body: (planned: PlannedChange<T>) => string;
  };
  /** Plans the change on a revision; the planner is pure and is re-run after a conflict. */
  planAt(revision: string): Promise<PlannedChange<T>>;
  /** Records the change before it is pushed (see {@link WriteJournal}). */
  journal?: WriteJournal<T>;
  /**
   * Aborts planning when the caller goes away. Once a push has started it runs to its end: a
   * push cut in the middle would leave the caller not knowing whether the change landed.
   */
  signal?: AbortSignal;
}

/**
 * The record a change is known by while it is written. `writing` is called before each push
 * attempt, so the record exists before anything can land and a backend that stops between
 * push and record leaves a `Writing` record for recovery to match to its commit. `abandoned`
 * is called when nothing was written (refused, gave up, or planned a no-op after a re-plan);
 * after a push whose outcome is unknown neither is called again and the record stays for
 * recovery to settle.
 */
export interface WriteJournal<T> {
  writing(
    planned: PlannedChange<T>,
    baseRevision: string,
    attempt: number,
  ): Promise<void>;
  abandoned(reason: string): Promise<void>;
}

/** What a write produced; `commit` is `null` when the plan was a no-op. */
export interface WriteResult<T> {
  planned: PlannedChange<T>;
  baseRevision: string;
  commit: string | null;
  branch: string | null;
  pullRequest: string | null;
  attempts: number;
}

/** Options of {@link ChangeWriter}. */
export interface ChangeWriterOptions {
  logger: LoggerService;
  maxAttempts: number;
  /** Waits between attempts; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Writes a planned change to the GitOps branch: plan on the head, commit, push without force;
 * when another writer got there first, re-read the new head, plan again (the change may now be
 * different, or a no-op) and retry after a jittered backoff. Writes from this backend to one
 * branch queue behind each other, so they race only with other backend instances.
 */
export class ChangeWriter {
  private readonly mutex = new KeyedMutex();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ChangeWriterOptions) {
    this.sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
  }

  /** Plans on the current head only; nothing is written. */
  async dryRun<T>(options: WriteOptions<T>): Promise<WriteResult<T>> {
    const { target, signal } = options;
    const base = await upstream('read the branch', () =>
      target.provider.resolveBranch({ repository: target.repository, signal }),
    );
    const planned = await options.planAt(base);
    return {
      planned,
      baseRevision: base,
      commit: null,
      branch: null,
      pullRequest: null,
      attempts: 0,
    };
  }

  write<T>(options: WriteOptions<T>): Promise<WriteResult<T>> {
    const { repository } = options.target;
    return this.mutex.run(`${repository.url}#${repository.branch}`, () =>
      this.writeQueued(options),
    );
  }

  private async writeQueued<T>(
    options: WriteOptions<T>,
  ): Promise<WriteResult<T>> {
    const { target } = options;
    const { provider, repository } = target;
    if (!provider.commit) {
      throw new ConflictError(
        `The "${provider.type}" Git provider cannot write; ${repository.url} is read-only here`,
      );
    }
    const max = Math.max(1, this.options.maxAttempts);
    const { journal } = options;
    let journaled = false;
    // Nothing was written: the journal's record goes (a no-op or a refusal is not a change).
    const abandon = async (reason: string) => {
      if (journal && journaled) await journal.abandoned(reason);
    };
    const down = provider.staleness?.(repository);
    if (down && provider.refresh) {
      // One fetch or push that timed out (a loaded host, a slow link) is not an outage: before
      // a write is refused, the remote is asked again, by a fetch newer than the failure, and
      // the plan is made on what it brought. A remote that still does not answer costs the
      // write one fetch time-out, then the 503 below.
      await provider
        .refresh(repository, { since: Date.parse(down.since) })
        .catch(() => undefined);
    }
    for (let attempt = 1; ; attempt++) {
      let planning: WriteResult<T>;
      try {
        planning = await this.dryRun(options);
      } catch (error) {
        await abandon(messageOf(error));
        throw error;
      }
      const { planned, baseRevision } = planning;
      if (planned.plan.noop) {
        await abandon('planned no change');
        return { ...planning, attempts: attempt };
      }
      // Planned on the last fetched revision while the remote does not answer: a push cannot
      // land, so answer 503 before writing anything rather than after a push time-out.
      const stale = provider.staleness?.(repository);
      if (stale) {
        await abandon(stale.lastError);
        throw repositoryUnavailable(stale);
      }
      if (journal) {
        await journal.writing(planned, baseRevision, attempt);
        journaled = true;
      }
      try {
        const commit = await provider.commit({
          repository,
          baseRevision,
          files: planned.plan.files.map(f => ({
            path: f.path,
            content: f.after,
          })),
          message: planned.message,
          author: options.author,
          newBranch: options.pullRequest?.branch,
        });
        let pullRequest: string | null = null;
        if (options.pullRequest && provider.openPullRequest) {
          pullRequest = (
            await upstream('open the pull request', () =>
              provider.openPullRequest!({
                repository,
                head: options.pullRequest!.branch,
                title: options.pullRequest!.title(planned),
                body: options.pullRequest!.body(planned),
              }),
            )
          ).url;
        }
        return {
          planned,
          baseRevision,
          commit,
          branch: options.pullRequest?.branch ?? null,
          pullRequest,
          attempts: attempt,
        };
      } catch (error) {
        if (!(error instanceof GitConflictError)) {
          // The push may or may not have landed: the journal's record stays `Writing` and
          // recovery settles it by looking for the commit.
          if (!isKnown(error)) {
            this.options.logger.warn(
              `Write to ${repository.url} failed: ${messageOf(error)}`,
            );
          }
          throw isKnown(error)
            ? error
            : // The message is already redacted; the cause (stderr, stack) stays in the log.
              new UpstreamError(
                `Could not write to ${repository.url}: ${messageOf(error)}`,
              );
        }
        if (options.pullRequest || attempt >= max) {
          await abandon(error.message);
          throw new ConflictError(
            options.pullRequest
              ? `${error.message}; nothing was written`
              : `${repository.branch} of ${repository.url} kept moving: gave up after ${attempt} attempts; nothing was written`,
          );
        }
        // Full jitter keeps replicas that collided from colliding again in lockstep.
        // Short: the instance that just landed a change plans its next one on its own head at
        // once, so a long wait here only lets it land more of its queue before this one.
        const backoff = Math.min(1000, 100 * 2 ** (attempt - 1));
        this.options.logger.info(
          `${repository.branch} of ${repository.url} moved during a write (attempt ${attempt}); re-planning`,
        );
        await this.sleep(Math.random() * backoff);
      }
    }
  }
}

/** Runs a Git host call, turning a host failure into a 502 with what was being done. */
async function upstream<R>(what: string, call: () => Promise<R>): Promise<R> {
  try {
    return await call();
  } catch (error) {
    if (isKnown(error) || error instanceof GitConflictError) throw error;
    throw new UpstreamError(`Could not ${what}: ${messageOf(error)}`);
  }
}

/** Errors that already carry their HTTP meaning (Backstage error types or a status code). */
function isKnown(error: unknown): boolean {
  if (!isError(error)) return false;
  return (
    [
      'InputError',
      'NotFoundError',
      'NotAllowedError',
      'ConflictError',
      'UpstreamError',
      'ManifestError',
      'ServiceUnavailableError',
    ].includes(error.name) || typeof (error as any).statusCode === 'number'
  );
}

function messageOf(error: unknown): string {
  return isError(error) ? error.message : String(error);
}
