import { DatabaseService } from '@backstage/backend-plugin-api';
import { DeploymentRecord } from '@gitops-backstage/plugin-gitops-common';
import { Knex } from 'knex';
import { migratedClient } from './migratedClient';
import { randomUUID } from 'node:crypto';

const TABLE = 'gitops_deployments';

interface Row {
  id: string;
  entity_ref: string;
  environment: string;
  revision: string;
  version: string;
  previous_version: string | null;
  kind: DeploymentRecord['kind'];
  outcome: DeploymentRecord['outcome'];
  action_id: string | null;
  committed_at: string | Date;
  observed_at: string | Date;
  backfilled: boolean | number;
}

/**
 * The deployment ledger in the plugin's database: one row per change an environment ran or
 * failed to run, keyed by (entity, environment, commit), so every backend instance may record
 * what it sees and the first one wins.
 */
export class DeploymentLedger {
  static async create(
    database: DatabaseService | Knex,
  ): Promise<DeploymentLedger> {
    return new DeploymentLedger(await migratedClient(database));
  }

  private constructor(private readonly db: Knex) {}

  /**
   * Records a change unless one with its (entity, environment, revision) is already there.
   * @returns whether this call wrote it.
   */
  async record(
    record: Omit<DeploymentRecord, 'id'> & { id?: string },
  ): Promise<boolean> {
    const inserted = await this.db<Row>(TABLE)
      .insert({
        id: record.id ?? randomUUID(),
        entity_ref: record.entityRef,
        environment: record.environment,
        revision: record.revision,
        version: record.version.slice(0, 255),
        previous_version: record.previousVersion?.slice(0, 255) ?? null,
        kind: record.kind,
        outcome: record.outcome,
        action_id: record.actionId,
        committed_at: new Date(record.committedAt),
        observed_at: new Date(record.observedAt),
        backfilled: record.backfilled,
      })
      .onConflict(['entity_ref', 'environment', 'revision'])
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  /** Rows of these entities (all when not given), oldest observation first. */
  async list(
    filter: { entityRefs?: string[] } = {},
  ): Promise<DeploymentRecord[]> {
    const query = this.db<Row>(TABLE).orderBy([
      { column: 'observed_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
    if (filter.entityRefs) {
      if (filter.entityRefs.length === 0) return [];
      // Chunks keep each statement within the databases' parameter limits.
      const rows: Row[] = [];
      for (let i = 0; i < filter.entityRefs.length; i += 500) {
        rows.push(
          ...(await query
            .clone()
            .whereIn('entity_ref', filter.entityRefs.slice(i, i + 500))),
        );
      }
      return rows.map(toRecord).sort(byObservation);
    }
    return (await query).map(toRecord);
  }

  /** The latest row of each (entity, environment), keyed `<entityRef>#<environment>`. */
  async latest(): Promise<Map<string, DeploymentRecord>> {
    const newest = this.db<Row>(TABLE)
      .select('entity_ref', 'environment')
      .max({ newest: 'observed_at' })
      .groupBy('entity_ref', 'environment')
      .as('newest');
    const rows: Row[] = await this.db<Row>(`${TABLE} as t`)
      .join(newest, function on() {
        this.on('t.entity_ref', '=', 'newest.entity_ref')
          .andOn('t.environment', '=', 'newest.environment')
          .andOn('t.observed_at', '=', 'newest.newest');
      })
      .select('t.*')
      .orderBy('t.id');
    const latest = new Map<string, DeploymentRecord>();
    for (const record of rows.map(toRecord)) {
      latest.set(`${record.entityRef}#${record.environment}`, record);
    }
    return latest;
  }
}

function toRecord(row: Row): DeploymentRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    revision: row.revision,
    version: row.version,
    previousVersion: row.previous_version,
    kind: row.kind,
    outcome: row.outcome,
    actionId: row.action_id,
    committedAt: new Date(row.committed_at).toISOString(),
    observedAt: new Date(row.observed_at).toISOString(),
    backfilled: Boolean(row.backfilled),
  };
}

function byObservation(a: DeploymentRecord, b: DeploymentRecord) {
  return a.observedAt.localeCompare(b.observedAt) || a.id.localeCompare(b.id);
}
