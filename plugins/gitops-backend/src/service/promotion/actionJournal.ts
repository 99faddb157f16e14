import { ConflictError } from '@backstage/errors';
import { GitopsAction } from '@gitops-backstage/plugin-gitops-common';
import {
  ActionStore,
  ActionUpdate,
  DuplicateIdempotencyKeyError,
  StoredAction,
  publicAction,
} from '../store/ActionStore';
import { PlannedChange, WriteJournal } from './ChangeWriter';

/**
 * The journal of one change in the action store: the record is inserted as `Writing` before
 * the first push (with the client's idempotency key, the repository and the files), refreshed
 * when a conflict made the writer plan again, and removed when nothing was written. The caller
 * finishes it (`Committed`, `PullRequestOpened`) once the push has landed.
 */
export function actionJournal<T>(options: {
  store: ActionStore;
  /** The record as it will be stored; status and message are set here. */
  record: StoredAction;
  /** What of the record a plan decides (diff, versions, scaling). */
  fromPlan(planned: PlannedChange<T>): ActionUpdate;
}): WriteJournal<T> {
  const { store, record } = options;
  let inserted = false;
  return {
    async writing(planned, baseRevision) {
      const fromPlan: ActionUpdate = {
        ...options.fromPlan(planned),
        paths: planned.plan.files.map(f => f.path),
        message: `Writing on ${baseRevision.slice(0, 7)}`,
      };
      if (inserted) {
        await store.update(record.id, fromPlan, ['Writing']);
        return;
      }
      try {
        await store.insert({
          ...record,
          ...(fromPlan as Partial<StoredAction>),
          status: 'Writing',
        });
      } catch (error) {
        if (error instanceof DuplicateIdempotencyKeyError) {
          // Another instance took the same request a moment earlier: nothing is written here.
          throw new ConflictError(
            `A request with Idempotency-Key ${record.idempotencyKey} is being written; ask again to get its outcome`,
          );
        }
        throw error;
      }
      inserted = true;
    },
    async abandoned() {
      await store.remove(record.id, ['Writing']);
    },
  };
}

/**
 * The answer to a request whose `Idempotency-Key` already made a record: that record (200),
 * never a second change. A key reused for another change, or one still being written, is a 409.
 */
export function replayIdempotent(
  existing: StoredAction,
  wanted: { action: string; entityRef: string; to: string },
): { httpStatus: 200; action: GitopsAction } {
  const key = existing.idempotencyKey;
  if (
    existing.action !== wanted.action ||
    existing.entityRef !== wanted.entityRef ||
    existing.to !== wanted.to
  ) {
    throw new ConflictError(
      `Idempotency-Key ${key} was used for a ${existing.action} of ${existing.entityRef} in ${existing.to}; use a new key for a new change`,
    );
  }
  if (existing.status === 'Writing') {
    throw new ConflictError(
      `The request with Idempotency-Key ${key} is still being written (action ${existing.id}); ask again to get its outcome`,
    );
  }
  return { httpStatus: 200, action: publicAction(existing) };
}
