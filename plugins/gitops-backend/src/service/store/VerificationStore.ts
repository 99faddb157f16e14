import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  GitopsVersion,
  VerificationCheckResult,
  VerificationRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { Knex } from 'knex';
import { migratedClient } from './migratedClient';
import { versionKey } from './PolicyStore';

const TABLE = 'gitops_verifications';
/** Rows per insert of {@link VerificationStore.planMany} (13 parameters each). */
const PLAN_ROWS = 200;

type Row = {
  entity_ref: string;
  environment: string;
  version_key: string;
  version: string;
  state: string;
  checks: string;
  attempts: number;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  next_attempt_at: Date | string | null;
  claimed_by: string | null;
  claim_until: Date | string | null;
  requested_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
};

/** Identifies one verification: a version in an environment of an entity. */
export interface VerificationKey {
  entityRef: string;
  environment: string;
  version: GitopsVersion;
}

const iso = (value: Date | string | null) =>
  value === null ? null : new Date(value).toISOString();

/**
 * Verifications in the plugin's database, one row per (entity, environment, version): the
 * primary key makes every instance agree on which run exists, and a claim (instance, until)
 * makes exactly one of them run it; a claim of an instance that went away runs out.
 */
export class VerificationStore {
  static async create(
    database: DatabaseService | Knex,
  ): Promise<VerificationStore> {
    return new VerificationStore(await migratedClient(database));
  }

  private readonly listeners: Array<(record: VerificationRecord) => void> = [];

  private constructor(private readonly db: Knex) {}

  /** Called after a record changed on this instance (to push signals). */
  onChange(listener: (record: VerificationRecord) => void) {
    this.listeners.push(listener);
  }

  private changed(record: VerificationRecord | undefined) {
    if (!record) return;
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // Written already; telling others is best effort.
      }
    }
  }

  private where(key: VerificationKey) {
    return {
      entity_ref: key.entityRef,
      environment: key.environment,
      version_key: versionKey(key.version),
    };
  }

  /**
   * Plans the run of a version newly seen Synced and Healthy, unless it exists.
   * @returns whether this call planned it.
   */
  async plan(key: VerificationKey, notBefore: Date): Promise<boolean> {
    const [planned] = await this.planMany([{ key, notBefore }]);
    return planned;
  }

  /**
   * {@link plan} for many runs, in one statement per {@link PLAN_ROWS} rows: a pass over a
   * cold fleet plans two runs per service, and one round trip (and one commit) per run was
   * most of the database's share of a start on PostgreSQL (10,000 inserts and as many reads
   * back at 5,000 services, measured). The inserted rows come back from the insert itself.
   * @returns per run, in order, whether this call planned it (a run asked twice: the first).
   */
  async planMany(
    plans: Array<{ key: VerificationKey; notBefore: Date }>,
  ): Promise<boolean[]> {
    const now = new Date();
    const planned = new Set<string>();
    const rowKey = (
      row: Pick<Row, 'entity_ref' | 'environment' | 'version_key'>,
    ) => JSON.stringify([row.entity_ref, row.environment, row.version_key]);
    for (let start = 0; start < plans.length; start += PLAN_ROWS) {
      const rows = plans
        .slice(start, start + PLAN_ROWS)
        .map(({ key, notBefore }) => ({
          ...this.where(key),
          version: JSON.stringify(key.version),
          state: 'Pending',
          checks: '[]',
          attempts: 0,
          started_at: null,
          finished_at: null,
          next_attempt_at: notBefore,
          claimed_by: null,
          claim_until: null,
          requested_by: null,
          created_at: now,
          updated_at: now,
        }));
      const inserted: Row[] = await this.db<Row>(TABLE)
        .insert(rows)
        .onConflict(['entity_ref', 'environment', 'version_key'])
        .ignore()
        .returning('*');
      for (const row of inserted) {
        planned.add(rowKey(row));
        this.changed(toRecord(row));
      }
    }
    return plans.map(({ key }) => planned.delete(rowKey(this.where(key))));
  }

  /**
   * Claims up to `limit` runs that are due (planned and not before now, or claimed by an
   * instance whose claim ran out). Each claim is one conditional update, so of two instances
   * asking at once only one gets a run.
   */
  async claimDue(
    instance: string,
    now: Date,
    claimMs: number,
    limit: number,
  ): Promise<VerificationRecord[]> {
    const due = (query: Knex.QueryBuilder) =>
      query.where(q =>
        q
          .where(p =>
            p.where('state', 'Pending').where('next_attempt_at', '<=', now),
          )
          .orWhere(p =>
            p.where('state', 'Running').where('claim_until', '<', now),
          ),
      );
    const candidates: Row[] = await due(this.db<Row>(TABLE).select())
      .orderBy('next_attempt_at', 'asc')
      .limit(limit);
    const claimed: VerificationRecord[] = [];
    for (const row of candidates) {
      const updated = await due(
        this.db<Row>(TABLE).where({
          entity_ref: row.entity_ref,
          environment: row.environment,
          version_key: row.version_key,
        }),
      ).update({
        state: 'Running',
        claimed_by: instance,
        claim_until: new Date(now.getTime() + claimMs),
        started_at: now,
        attempts: row.attempts + 1,
        updated_at: now,
      });
      if (updated === 1) {
        const record = toRecord({
          ...row,
          state: 'Running',
          claimed_by: instance,
          started_at: now,
          attempts: row.attempts + 1,
          updated_at: now,
        });
        claimed.push(record);
        this.changed(record);
      }
    }
    return claimed;
  }

  /**
   * Ends a claimed run: a final state, or `Pending` again with the time of the next attempt
   * (an error to retry). Only the claiming instance may, so a run taken over is not undone.
   */
  async finish(
    key: VerificationKey,
    instance: string,
    outcome: {
      state: 'Passed' | 'Failed' | 'Inconclusive' | 'Pending';
      checks: VerificationCheckResult[];
      nextAttemptAt?: Date | null;
      /** Sets the count of attempts, e.g. back by one for a run put off, not tried. */
      attempts?: number;
    },
    now = new Date(),
  ): Promise<boolean> {
    const final = outcome.state !== 'Pending';
    const updated = await this.db<Row>(TABLE)
      .where(this.where(key))
      .where({ claimed_by: instance, state: 'Running' })
      .update({
        state: outcome.state,
        checks: JSON.stringify(outcome.checks),
        finished_at: final ? now : null,
        next_attempt_at: final ? null : outcome.nextAttemptAt ?? now,
        claimed_by: null,
        claim_until: null,
        updated_at: now,
        ...(outcome.attempts !== undefined
          ? { attempts: Math.max(0, outcome.attempts) }
          : {}),
      });
    if (updated > 0) this.changed(await this.get(key));
    return updated > 0;
  }

  /** Runs a version's verification again (on request); `false` when there is none. */
  async rerun(
    key: VerificationKey,
    requestedBy: string,
    now = new Date(),
  ): Promise<boolean> {
    const updated = await this.db<Row>(TABLE)
      .where(this.where(key))
      .whereNot('state', 'Running')
      .update({
        state: 'Pending',
        attempts: 0,
        next_attempt_at: now,
        finished_at: null,
        requested_by: requestedBy,
        updated_at: now,
      });
    if (updated > 0) this.changed(await this.get(key));
    return updated > 0;
  }

  async get(key: VerificationKey): Promise<VerificationRecord | undefined> {
    const row = await this.db<Row>(TABLE).where(this.where(key)).first();
    return row ? toRecord(row) : undefined;
  }

  /** An entity's records of these (environment, version) pairs, in one query. */
  async getMany(
    entityRef: string,
    pairs: Array<{ environment: string; version: GitopsVersion }>,
  ): Promise<VerificationRecord[]> {
    if (pairs.length === 0) return [];
    const rows: Row[] = await this.db<Row>(TABLE)
      .where({ entity_ref: entityRef })
      .whereIn(
        ['environment', 'version_key'],
        pairs.map(p => [p.environment, versionKey(p.version)]),
      );
    return rows.map(toRecord);
  }

  /** Records changed at or after `since`, oldest change first (for caches that follow them). */
  async changedSince(since: Date, limit = 5000): Promise<VerificationRecord[]> {
    const rows: Row[] = await this.db<Row>(TABLE)
      .where('updated_at', '>=', since)
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** The verification history of an environment, newest first. */
  async list(
    entityRef: string,
    environment: string,
    limit = 50,
  ): Promise<VerificationRecord[]> {
    const rows = await this.db<Row>(TABLE)
      .where({ entity_ref: entityRef, environment })
      .orderBy('created_at', 'desc')
      .limit(limit);
    return rows.map(toRecord);
  }
}

function toRecord(row: Row): VerificationRecord {
  return {
    entityRef: row.entity_ref,
    environment: row.environment,
    version: JSON.parse(row.version),
    state: row.state as VerificationRecord['state'],
    checks: JSON.parse(row.checks),
    attempts: row.attempts,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    nextAttemptAt: iso(row.next_attempt_at),
    at: iso(row.updated_at)!,
    requestedBy: row.requested_by,
  };
}
