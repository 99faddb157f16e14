import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  AutomationEvent,
  AutomationEventKind,
  AutomationEventState,
  AutomationPause,
  GitopsVersion,
} from '@gitops-backstage/plugin-gitops-common';
import { Knex } from 'knex';
import { migratedClient } from './migratedClient';
import { versionKey } from './PolicyStore';

const EVENTS = 'gitops_automation_events';
const PAUSES = 'gitops_automation_pauses';

type EventRow = {
  entity_ref: string;
  environment: string;
  kind: string;
  version_key: string;
  version: string;
  source_environment: string | null;
  state: string;
  message: string | null;
  action_id: string | null;
  attempts: number;
  next_attempt_at: Date | string | null;
  claimed_by: string | null;
  claim_until: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
};

type PauseRow = {
  entity_ref: string;
  environment: string;
  paused_by: string;
  reason: string | null;
  created_at: Date | string;
};

/** Identifies one event: what the automation does to a version in an environment. */
export interface AutomationEventKey {
  entityRef: string;
  environment: string;
  kind: AutomationEventKind;
  version: GitopsVersion;
}

const iso = (value: Date | string | null) =>
  value === null ? null : new Date(value).toISOString();

/**
 * The portal automation's events and pauses in the plugin's database. The primary key makes
 * every instance agree that an event exists once; a claim (instance, until) taken by one
 * conditional update makes exactly one of them act on it — one commit per event across
 * replicas — and a claim of an instance that went away runs out.
 */
export class AutomationStore {
  static async create(
    database: DatabaseService | Knex,
  ): Promise<AutomationStore> {
    return new AutomationStore(await migratedClient(database));
  }

  private constructor(private readonly db: Knex) {}

  private where(key: AutomationEventKey) {
    return {
      entity_ref: key.entityRef,
      environment: key.environment,
      kind: key.kind,
      version_key: versionKey(key.version),
    };
  }

  /** Records an event to act on; `false` when it exists already (any instance's). */
  async offer(
    key: AutomationEventKey,
    sourceEnvironment: string | null,
    now: Date,
  ): Promise<boolean> {
    const inserted = await this.db<EventRow>(EVENTS)
      .insert({
        ...this.where(key),
        version: JSON.stringify(key.version),
        source_environment: sourceEnvironment,
        state: 'Waiting',
        message: null,
        action_id: null,
        attempts: 0,
        next_attempt_at: now,
        claimed_by: null,
        claim_until: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['entity_ref', 'environment', 'kind', 'version_key'])
      .ignore()
      .returning('entity_ref');
    return inserted.length > 0;
  }

  /**
   * Claims up to `limit` events that are due (waiting and not before now, or claimed by an
   * instance whose claim ran out); of two instances asking at once only one gets each.
   */
  async claimDue(
    instance: string,
    now: Date,
    claimMs: number,
    limit: number,
  ): Promise<AutomationEvent[]> {
    const due = (query: Knex.QueryBuilder) =>
      query.where(q =>
        q
          .where(p =>
            p.where('state', 'Waiting').where('next_attempt_at', '<=', now),
          )
          .orWhere(p =>
            p.where('state', 'Claimed').where('claim_until', '<', now),
          ),
      );
    const candidates: EventRow[] = await due(this.db<EventRow>(EVENTS).select())
      .orderBy('next_attempt_at', 'asc')
      .limit(limit);
    const claimed: AutomationEvent[] = [];
    for (const row of candidates) {
      const changes = {
        state: 'Claimed',
        claimed_by: instance,
        claim_until: new Date(now.getTime() + claimMs),
        attempts: row.attempts + 1,
        updated_at: now,
      };
      const updated = await due(
        this.db<EventRow>(EVENTS).where({
          entity_ref: row.entity_ref,
          environment: row.environment,
          kind: row.kind,
          version_key: row.version_key,
        }),
      ).update(changes);
      if (updated === 1) claimed.push(toEvent({ ...row, ...changes }));
    }
    return claimed;
  }

  /**
   * Ends a claim: a final state, or `Waiting` again until `nextAttemptAt`. Only the claiming
   * instance may, so an event taken over is not undone.
   */
  async finish(
    key: AutomationEventKey,
    instance: string,
    outcome: {
      state: Exclude<AutomationEventState, 'Claimed'>;
      message: string;
      actionId?: string | null;
      nextAttemptAt?: Date | null;
      /** Sets the count of attempts, e.g. back by one for a wait that was not a try. */
      attempts?: number;
    },
    now = new Date(),
  ): Promise<boolean> {
    const waiting = outcome.state === 'Waiting';
    const updated = await this.db<EventRow>(EVENTS)
      .where(this.where(key))
      .where({ claimed_by: instance, state: 'Claimed' })
      .update({
        state: outcome.state,
        message: outcome.message,
        action_id: outcome.actionId ?? null,
        next_attempt_at: waiting ? outcome.nextAttemptAt ?? now : null,
        claimed_by: null,
        claim_until: null,
        updated_at: now,
        ...(outcome.attempts !== undefined
          ? { attempts: Math.max(0, outcome.attempts) }
          : {}),
      });
    return updated > 0;
  }

  async get(key: AutomationEventKey): Promise<AutomationEvent | undefined> {
    const row = await this.db<EventRow>(EVENTS).where(this.where(key)).first();
    return row ? toEvent(row) : undefined;
  }

  /** Events changed at or after `since`, oldest change first (for views that follow them). */
  async changedSince(since: Date, limit = 5000): Promise<AutomationEvent[]> {
    const rows: EventRow[] = await this.db<EventRow>(EVENTS)
      .where('updated_at', '>=', since)
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows.map(toEvent);
  }

  /** An entity's events, newest first; of one environment when given. */
  async list(
    entityRef: string,
    environment?: string,
    limit = 50,
  ): Promise<AutomationEvent[]> {
    const query = this.db<EventRow>(EVENTS).where({ entity_ref: entityRef });
    if (environment) query.where({ environment });
    const rows: EventRow[] = await query
      .orderBy('created_at', 'desc')
      .limit(limit);
    return rows.map(toEvent);
  }

  /** Pauses an environment's automation; `false` when it was paused already. */
  async pause(
    entityRef: string,
    environment: string,
    by: string,
    reason: string | null,
    now = new Date(),
  ): Promise<boolean> {
    const inserted = await this.db<PauseRow>(PAUSES)
      .insert({
        entity_ref: entityRef,
        environment,
        paused_by: by,
        reason,
        created_at: now,
      })
      .onConflict(['entity_ref', 'environment'])
      .ignore()
      .returning('entity_ref');
    return inserted.length > 0;
  }

  /** Resumes it, its waiting events due at once; `false` when it was not paused. */
  async resume(
    entityRef: string,
    environment: string,
    now = new Date(),
  ): Promise<boolean> {
    const deleted = await this.db<PauseRow>(PAUSES)
      .where({ entity_ref: entityRef, environment })
      .delete();
    if (deleted > 0) {
      await this.db<EventRow>(EVENTS)
        .where({ entity_ref: entityRef, environment, state: 'Waiting' })
        .update({ next_attempt_at: now, updated_at: now });
    }
    return deleted > 0;
  }

  /** Every pause (few: one per environment somebody paused). */
  async pauses(): Promise<AutomationPause[]> {
    const rows: PauseRow[] = await this.db<PauseRow>(PAUSES).select();
    return rows.map(row => ({
      entityRef: row.entity_ref,
      environment: row.environment,
      by: row.paused_by,
      reason: row.reason,
      at: iso(row.created_at)!,
    }));
  }
}

function toEvent(row: EventRow): AutomationEvent {
  return {
    entityRef: row.entity_ref,
    environment: row.environment,
    kind: row.kind as AutomationEventKind,
    version: JSON.parse(row.version),
    sourceEnvironment: row.source_environment,
    state: row.state as AutomationEventState,
    message: row.message,
    actionId: row.action_id,
    attempts: row.attempts,
    nextAttemptAt: iso(row.next_attempt_at),
    createdAt: iso(row.created_at)!,
    at: iso(row.updated_at)!,
  };
}
