import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  GitopsApproval,
  GitopsFreeze,
  GitopsVersion,
} from '@gitops-backstage/plugin-gitops-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { migratedClient } from './migratedClient';

/** One key per version, so records of `v1.0.5` and of `v1.0.5@sha256:…` stay apart. */
export function versionKey(version: GitopsVersion): string {
  return `${version.tag ?? ''}@${version.digest ?? ''}#${
    version.chartVersion ?? ''
  }`.slice(0, 400);
}

type ApprovalRow = {
  id: string;
  entity_ref: string;
  environment: string;
  version_key: string;
  version: string;
  source_environment: string | null;
  approver: string;
  approver_groups: string;
  comment: string | null;
  created_at: Date | string;
};

type FreezeRow = {
  id: string;
  environments: string;
  reason: string;
  until: Date | string;
  created_by: string;
  created_at: Date | string;
  lifted_at: Date | string | null;
  lifted_by: string | null;
};

const iso = (value: Date | string) => new Date(value).toISOString();

/**
 * Approvals, the requests they answer, and freezes in the plugin's database, so every backend
 * instance decides the same and nothing is lost at a restart.
 */
export class PolicyStore {
  static async create(database: DatabaseService | Knex): Promise<PolicyStore> {
    return new PolicyStore(await migratedClient(database));
  }

  private readonly listeners: Array<(change: PolicyChange) => void> = [];

  private constructor(private readonly db: Knex) {}

  /** Called after an approval or freeze is written on this instance (to push signals). */
  onChange(listener: (change: PolicyChange) => void) {
    this.listeners.push(listener);
  }

  private changed(change: PolicyChange) {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // Written already; telling others is best effort.
      }
    }
  }

  /**
   * Records an approval; `false` when this approver already approved this version here
   * (the unique key decides, so two instances cannot both write it).
   */
  async approve(
    approval: Omit<GitopsApproval, 'id' | 'createdAt'> & { createdAt?: string },
  ): Promise<GitopsApproval | null> {
    const row: ApprovalRow = {
      id: randomUUID(),
      entity_ref: approval.entityRef,
      environment: approval.environment,
      version_key: versionKey(approval.version),
      version: JSON.stringify(approval.version),
      source_environment: approval.from,
      approver: approval.approver,
      approver_groups: JSON.stringify(approval.approverGroups),
      comment: approval.comment,
      created_at: new Date(approval.createdAt ?? Date.now()),
    };
    const inserted = await this.db<ApprovalRow>('gitops_approvals')
      .insert(row)
      .onConflict(['entity_ref', 'environment', 'version_key', 'approver'])
      .ignore()
      .returning('id');
    if (inserted.length === 0) return null;
    const stored = toApproval(row);
    this.changed({
      kind: 'approval',
      entityRef: stored.entityRef,
      approval: stored,
    });
    return stored;
  }

  /** Approvals of this version for this environment, oldest first. */
  async approvals(
    entityRef: string,
    environment: string,
    version: GitopsVersion,
  ): Promise<GitopsApproval[]> {
    const rows = await this.db<ApprovalRow>('gitops_approvals')
      .where({
        entity_ref: entityRef,
        environment,
        version_key: versionKey(version),
      })
      .orderBy('created_at', 'asc');
    return rows.map(toApproval);
  }

  /** Notes who asked for this version here: their own approval never counts for it. */
  async propose(
    entityRef: string,
    environment: string,
    version: GitopsVersion,
    requester: string,
  ): Promise<void> {
    const createdAt = new Date();
    await this.db('gitops_proposals')
      .insert({
        entity_ref: entityRef,
        environment,
        version_key: versionKey(version),
        requester,
        created_at: createdAt,
      })
      .onConflict(['entity_ref', 'environment', 'version_key', 'requester'])
      .ignore();
    this.changed({
      kind: 'proposal',
      entityRef,
      proposal: {
        entityRef,
        environment,
        versionKey: versionKey(version),
        requester,
        createdAt: createdAt.toISOString(),
      },
    });
  }

  /** Everyone who asked for this version in this environment. */
  async requesters(
    entityRef: string,
    environment: string,
    version: GitopsVersion,
  ): Promise<string[]> {
    const rows = await this.db('gitops_proposals')
      .where({
        entity_ref: entityRef,
        environment,
        version_key: versionKey(version),
      })
      .select('requester');
    return rows.map(r => r.requester as string);
  }

  /** Approvals recorded at or after `since`, oldest first (for caches that follow them). */
  async approvalsSince(since: Date, limit = 5000): Promise<GitopsApproval[]> {
    const rows = await this.db<ApprovalRow>('gitops_approvals')
      .where('created_at', '>=', since)
      .orderBy('created_at', 'asc')
      .limit(limit);
    return rows.map(toApproval);
  }

  /** Requests recorded at or after `since`, oldest first. */
  async proposalsSince(
    since: Date,
    limit = 5000,
  ): Promise<Array<ProposalKey & { requester: string; createdAt: string }>> {
    const rows = await this.db('gitops_proposals')
      .where('created_at', '>=', since)
      .orderBy('created_at', 'asc')
      .limit(limit);
    return rows.map(r => ({
      entityRef: r.entity_ref,
      environment: r.environment,
      versionKey: r.version_key,
      requester: r.requester,
      createdAt: iso(r.created_at),
    }));
  }

  async createFreeze(freeze: Omit<GitopsFreeze, 'id' | 'createdAt'>) {
    const row: FreezeRow = {
      id: randomUUID(),
      environments: JSON.stringify(freeze.environments),
      reason: freeze.reason,
      until: new Date(freeze.until),
      created_by: freeze.by,
      created_at: new Date(),
      lifted_at: null,
      lifted_by: null,
    };
    await this.db<FreezeRow>('gitops_freezes').insert(row);
    const stored = toFreeze(row);
    this.changed({ kind: 'freeze' });
    return stored;
  }

  /** Lifts a freeze; `false` when there is no active freeze with that id. */
  async liftFreeze(id: string, by: string, now = new Date()): Promise<boolean> {
    const updated = await this.db<FreezeRow>('gitops_freezes')
      .where({ id })
      .whereNull('lifted_at')
      .where('until', '>', now)
      .update({ lifted_at: now, lifted_by: by });
    if (updated > 0) this.changed({ kind: 'freeze' });
    return updated > 0;
  }

  /** Freezes not lifted and not ended at `now`, the one ending last first. */
  async activeFreezes(now = new Date()): Promise<GitopsFreeze[]> {
    const rows = await this.db<FreezeRow>('gitops_freezes')
      .whereNull('lifted_at')
      .where('until', '>', now)
      .orderBy('until', 'desc');
    return rows.map(toFreeze);
  }
}

/** What changed in the policy store (written on this instance). */
export type PolicyChange =
  | { kind: 'approval'; entityRef: string; approval: GitopsApproval }
  | {
      kind: 'proposal';
      entityRef: string;
      proposal: ProposalKey & { requester: string; createdAt: string };
    }
  | { kind: 'freeze' };

/** The version of an entity in an environment a request or approval is about. */
export interface ProposalKey {
  entityRef: string;
  environment: string;
  versionKey: string;
}

function toApproval(row: ApprovalRow): GitopsApproval {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    version: JSON.parse(row.version),
    from: row.source_environment,
    approver: row.approver,
    approverGroups: JSON.parse(row.approver_groups),
    comment: row.comment,
    createdAt: iso(row.created_at),
  };
}

function toFreeze(row: FreezeRow): GitopsFreeze {
  return {
    id: row.id,
    environments: JSON.parse(row.environments),
    reason: row.reason,
    until: iso(row.until),
    by: row.created_by,
    createdAt: iso(row.created_at),
  };
}
