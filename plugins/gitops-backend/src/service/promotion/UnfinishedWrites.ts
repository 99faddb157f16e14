import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { GitProvider } from '@gitops-backstage/plugin-gitops-node';
import { GitopsConfig } from '../config';
import { ActionStore, StoredAction } from '../store/ActionStore';
import { actionIdOf } from './commitMessage';

/** Options of {@link UnfinishedWrites}. */
export interface UnfinishedWritesOptions {
  config: GitopsConfig;
  store: ActionStore;
  /** Git providers by type, as the locator has them. */
  providers: Map<string, GitProvider>;
  logger: LoggerService;
  now?: () => Date;
}

/** How a pass settled one record. */
export type SettledWrite = 'landed' | 'notWritten' | 'unknown';

/**
 * Finishes changes whose backend stopped while writing them. A change is recorded `Writing`
 * before its push; a record still `Writing` after `promotion.unfinishedWriteSeconds` was cut
 * off. Its commit carries the record's id as a trailer, so the branch says what happened: the
 * commit is there (it landed: `Committed` or `PullRequestOpened`, and the tracker follows it
 * from now on) or it is not (nothing was written: `Failed`, ask again). A repository that does
 * not answer leaves the record for the next pass rather than guessing.
 */
export class UnfinishedWrites {
  private readonly now: () => Date;

  constructor(private readonly options: UnfinishedWritesOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Registers the pass; the scheduler runs it on one instance at a time. */
  async schedule(scheduler: SchedulerService): Promise<void> {
    const grace = this.options.config.promotion.unfinishedWriteSeconds;
    await scheduler.scheduleTask({
      id: 'gitops-unfinished-writes',
      frequency: { seconds: Math.max(1, Math.min(60, Math.round(grace / 2))) },
      // A pass is a few Git reads; a short time-out frees the task's lock soon when the
      // instance running it dies.
      timeout: { seconds: 60 },
      initialDelay: { seconds: Math.min(5, grace) },
      fn: async () => {
        await this.runOnce();
      },
    });
  }

  /** One pass. @returns how each cut-off record was settled, by id. */
  async runOnce(): Promise<Map<string, SettledWrite>> {
    const { store, config } = this.options;
    const before = new Date(
      this.now().getTime() - config.promotion.unfinishedWriteSeconds * 1000,
    );
    const settled = new Map<string, SettledWrite>();
    for (const record of await store.listUnfinishedWrites(before)) {
      try {
        settled.set(record.id, await this.settle(record));
      } catch (error) {
        // The repository did not answer: the branch cannot say yet, so ask on the next pass.
        this.options.logger.warn(
          `Could not settle the unfinished ${record.action} ${record.id} of ${
            record.entityRef
          }: ${(error as Error).message}`,
        );
        settled.set(record.id, 'unknown');
      }
    }
    return settled;
  }

  private async settle(record: StoredAction): Promise<SettledWrite> {
    const { store, config, providers, logger } = this.options;
    const configured = config.repositories.find(
      r => r.url === record.repository,
    );
    const provider = configured && providers.get(configured.provider);
    if (!configured || !provider) {
      await store.update(
        record.id,
        {
          status: 'Failed',
          message: `The backend stopped while writing this change, and its repository is no longer configured: whether it landed is not known`,
          finishedAt: this.now().toISOString(),
        },
        ['Writing'],
      );
      return 'notWritten';
    }
    const branch = record.branch ?? configured.branch;
    const repository = { url: configured.url, branch };
    const stale = provider.staleness?.(repository);
    if (stale) {
      throw new Error(
        `${stale.repository} does not answer: ${stale.lastError}`,
      );
    }
    const head = await provider.resolveBranch({ repository }).catch(error => {
      // A pull request's branch that was never pushed does not exist: nothing landed.
      if (record.branch) return null;
      throw error;
    });
    const landed = head
      ? (
          await provider.log({
            repository,
            revision: head,
            paths: record.paths ?? [],
            limit: 100,
          })
        ).find(commit => actionIdOf(commit.message) === record.id)
      : undefined;
    if (landed) {
      const changed = await store.update(
        record.id,
        {
          status: record.branch ? 'PullRequestOpened' : 'Committed',
          commit: landed.sha,
          message: `The backend stopped after the push; ${landed.sha.slice(
            0,
            7,
          )} is on ${branch}${
            record.branch ? ' (open a pull request for it)' : ''
          }`,
        },
        ['Writing'],
      );
      if (changed) {
        logger.info(
          `Unfinished ${record.action} ${record.id} of ${record.entityRef} had landed as ${landed.sha}; tracking it`,
        );
      }
      return 'landed';
    }
    const changed = await store.update(
      record.id,
      {
        status: 'Failed',
        message: `The backend stopped before the push landed: nothing was written to ${branch}; ask again`,
        finishedAt: this.now().toISOString(),
        // A retry with the same key must run the change, not replay this failure.
        idempotencyKey: null,
      },
      ['Writing'],
    );
    if (changed) {
      logger.info(
        `Unfinished ${record.action} ${record.id} of ${record.entityRef} never landed; recorded as Failed`,
      );
    }
    return 'notWritten';
  }
}
