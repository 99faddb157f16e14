import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  GitopsAction,
  GitopsActionStatus,
} from '@gitops-backstage/plugin-gitops-common';
import { Knex } from 'knex';
import { migratedClient } from './migratedClient';

const TABLE = 'gitops_actions';

/** Statuses the tracker still follows. */
export const PENDING_STATUSES: GitopsActionStatus[] = [
  'Committed',
  'PullRequestOpened',
];

type Row = {
  id: string;
  action: string;
  entity_ref: string;
  environment: string;
  source_environment: string | null;
  actor: string;
  request: string;
  gates: string;
  version: string | null;
  previous_version: string | null;
  scaling: string | null;
  diff: string;
  commit_sha: string | null;
  branch: string | null;
  pull_request: string | null;
  status: string;
  message: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
  idempotency_key?: string | null;
  repository?: string | null;
  paths?: string | null;
};

/** A stored action and the request that made it. */
export interface StoredAction extends GitopsAction {
  id: string;
  request: unknown;
  /** The client's `Idempotency-Key`, unique over all records. */
  idempotencyKey?: string | null;
  /** URL of the repository the change is written to (changes that write Git). */
  repository?: string | null;
  /** The files the change writes. */
  paths?: string[] | null;
}

/** What an update may change: the status, and while `Writing` the plan of a re-planned attempt. */
export type ActionUpdate = Partial<
  Pick<
    GitopsAction,
    | 'status'
    | 'message'
    | 'commit'
    | 'branch'
    | 'pullRequest'
    | 'finishedAt'
    | 'diff'
    | 'version'
    | 'previousVersion'
    | 'scaling'
  > & {
    paths: string[];
    /** `null` frees the key of a change that was never written, so a retry with it runs. */
    idempotencyKey: null;
    /** When the change happened, if not now (the time an answer already gave). */
    updatedAt: string;
  }
>;

/** Another record already holds this idempotency key (a concurrent request with the same key). */
export class DuplicateIdempotencyKeyError extends Error {
  readonly name = 'DuplicateIdempotencyKeyError';
}

/**
 * Promotions, rollbacks, scaling and sync requests in the plugin's database (SQLite or
 * PostgreSQL, whatever the backend uses), so their outcome survives restarts and every backend
 * instance answers `GET /promotions/:id` the same.
 */
export class ActionStore {
  static async create(database: DatabaseService | Knex): Promise<ActionStore> {
    return new ActionStore(await migratedClient(database));
  }

  private readonly listeners: Array<(action: StoredAction) => void> = [];

  private constructor(private readonly db: Knex) {}

  /**
   * Called with the record after each insert and each update that changed it on this
   * instance (e.g. to push a signal); a listener's failure never fails the write.
   */
  onChange(listener: (action: StoredAction) => void) {
    this.listeners.push(listener);
  }

  private async changed(action: StoredAction | undefined) {
    if (!action) return;
    for (const listener of this.listeners) {
      try {
        listener(action);
      } catch {
        // The record is written; telling others about it is best effort.
      }
    }
  }

  async insert(action: StoredAction): Promise<void> {
    await this.db<Row>(TABLE)
      .insert({
        id: action.id,
        action: action.action,
        entity_ref: action.entityRef,
        environment: action.to,
        source_environment: action.from,
        actor: action.actor,
        request: JSON.stringify(action.request ?? null),
        gates: JSON.stringify(action.gates),
        version: json(action.version),
        previous_version: json(action.previousVersion),
        scaling: json(action.scaling),
        diff: action.diff,
        commit_sha: action.commit,
        branch: action.branch,
        pull_request: action.pullRequest,
        status: action.status,
        message: action.message,
        created_at: new Date(action.createdAt),
        updated_at: new Date(action.updatedAt),
        finished_at: action.finishedAt ? new Date(action.finishedAt) : null,
        idempotency_key: action.idempotencyKey ?? null,
        repository: action.repository ?? null,
        paths: json(action.paths),
      })
      .catch(error => {
        if (action.idempotencyKey && isUniqueViolation(error)) {
          throw new DuplicateIdempotencyKeyError(
            `Idempotency-Key ${action.idempotencyKey} is already used`,
          );
        }
        throw error;
      });
    await this.changed(action);
  }

  /**
   * Whether the database answers a trivial query within `timeoutMs` (for `/health`): while it
   * does not, changes answer 503 and write nothing.
   */
  async ping(
    timeoutMs: number,
  ): Promise<{ ready: boolean; error: string | null }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.db.raw('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      return { ready: true, error: null };
    } catch (error) {
      // The driver's message, without the SQL knex adds to it.
      const message = String((error as Error)?.message ?? error).replace(
        /^select 1 - /,
        '',
      );
      return { ready: false, error: message };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The record made by the request with this `Idempotency-Key`, if any. */
  async getByIdempotencyKey(key: string): Promise<StoredAction | undefined> {
    const row = await this.db<Row>(TABLE)
      .where({ idempotency_key: key })
      .first();
    return row ? toAction(row) : undefined;
  }

  /** Records still `Writing` that were last touched before `before`, oldest first. */
  async listUnfinishedWrites(
    before: Date,
    limit = 100,
  ): Promise<StoredAction[]> {
    const rows = await this.db<Row>(TABLE)
      .where({ status: 'Writing' })
      .andWhere('updated_at', '<', before)
      .orderBy('created_at', 'asc')
      .limit(limit);
    return rows.map(toAction);
  }

  /**
   * Removes a record that never became a change (its write was refused or planned nothing),
   * only while it has one of `onlyIf`'s statuses. @returns whether it was removed.
   */
  async remove(id: string, onlyIf: GitopsActionStatus[]): Promise<boolean> {
    return (
      (await this.db<Row>(TABLE)
        .where({ id })
        .whereIn('status', onlyIf)
        .delete()) > 0
    );
  }

  async get(id: string): Promise<StoredAction | undefined> {
    const row = await this.db<Row>(TABLE).where({ id }).first();
    return row ? toAction(row) : undefined;
  }

  /**
   * Changes status fields. With `onlyIf`, only while the record still has one of those
   * statuses, so two tracker runs cannot finish one record twice.
   *
   * @returns whether the record was changed.
   */
  async update(
    id: string,
    update: ActionUpdate,
    onlyIf?: GitopsActionStatus[],
  ): Promise<boolean> {
    const patch: Partial<Row> = {
      updated_at: update.updatedAt ? new Date(update.updatedAt) : new Date(),
    };
    if (update.status !== undefined) patch.status = update.status;
    if (update.message !== undefined) patch.message = update.message;
    if (update.commit !== undefined) patch.commit_sha = update.commit;
    if (update.branch !== undefined) patch.branch = update.branch;
    if (update.pullRequest !== undefined)
      patch.pull_request = update.pullRequest;
    if (update.finishedAt !== undefined)
      patch.finished_at = update.finishedAt
        ? new Date(update.finishedAt)
        : null;
    if (update.diff !== undefined) patch.diff = update.diff;
    if (update.version !== undefined) patch.version = json(update.version);
    if (update.previousVersion !== undefined)
      patch.previous_version = json(update.previousVersion);
    if (update.scaling !== undefined) patch.scaling = json(update.scaling);
    if (update.paths !== undefined) patch.paths = json(update.paths);
    if (update.idempotencyKey === null) patch.idempotency_key = null;
    let query = this.db<Row>(TABLE).where({ id });
    if (onlyIf) query = query.whereIn('status', onlyIf);
    const updated = (await query.update(patch)) > 0;
    if (updated && this.listeners.length > 0)
      await this.changed(await this.get(id));
    return updated;
  }

  /** Records the tracker still follows, oldest first. */
  async listPending(limit = 200): Promise<StoredAction[]> {
    const rows = await this.db<Row>(TABLE)
      .whereIn('status', PENDING_STATUSES)
      .orderBy('created_at', 'asc')
      .limit(limit);
    return rows.map(toAction);
  }

  /** An entity's actions, newest first; optionally of one environment. */
  async listForEntity(
    entityRef: string,
    options: { environment?: string; limit?: number } = {},
  ): Promise<StoredAction[]> {
    let query = this.db<Row>(TABLE).where({ entity_ref: entityRef });
    if (options.environment)
      query = query.andWhere({ environment: options.environment });
    const rows = await query
      .orderBy('created_at', 'desc')
      .limit(options.limit ?? 100);
    return rows.map(toAction);
  }
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** A record as the API answers it: without the request and the write's bookkeeping. */
export function publicAction(stored: StoredAction): GitopsAction {
  const {
    request: _request,
    idempotencyKey: _key,
    repository: _repository,
    paths: _paths,
    ...action
  } = stored;
  return action;
}

/** A unique index refused the row (PostgreSQL 23505, SQLite's UNIQUE constraint). */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    (typeof e?.message === 'string' &&
      /UNIQUE constraint failed|duplicate key value/i.test(e.message))
  );
}

function parse<T>(value: string | null): T | null {
  return value === null ? null : (JSON.parse(value) as T);
}

function iso(value: Date | string | number): string {
  // SQLite hands back epoch milliseconds (as a number or a string), PostgreSQL a Date.
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    return new Date(Number(value)).toISOString();
  }
  return new Date(value).toISOString();
}

function toAction(row: Row): StoredAction {
  return {
    id: row.id,
    action: row.action as StoredAction['action'],
    entityRef: row.entity_ref,
    status: row.status as GitopsActionStatus,
    from: row.source_environment,
    to: row.environment,
    actor: row.actor,
    request: parse(row.request),
    gates: parse(row.gates) ?? [],
    version: parse(row.version),
    previousVersion: parse(row.previous_version),
    scaling: parse(row.scaling),
    diff: row.diff,
    commit: row.commit_sha,
    branch: row.branch,
    pullRequest: row.pull_request,
    message: row.message,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    idempotencyKey: row.idempotency_key ?? null,
    repository: row.repository ?? null,
    paths: parse(row.paths ?? null),
  };
}
