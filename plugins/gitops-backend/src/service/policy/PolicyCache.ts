import {
  GitopsApproval,
  GitopsVersion,
  VerificationRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { PolicyStore, versionKey } from '../store/PolicyStore';
import { VerificationStore } from '../store/VerificationStore';

/** What the policy reads per entity: from the database, or from the cache below. */
export interface PolicyData {
  verifications(
    entityRef: string,
    pairs: Array<{ environment: string; version: GitopsVersion }>,
  ): Promise<VerificationRecord[]>;
  approvals(
    entityRef: string,
    environment: string,
    version: GitopsVersion,
  ): Promise<GitopsApproval[]>;
  requesters(
    entityRef: string,
    environment: string,
    version: GitopsVersion,
  ): Promise<string[]>;
}

/** The stores themselves: what a change is decided on. */
export function storePolicyData(
  policyStore: PolicyStore,
  verifications: VerificationStore,
): PolicyData {
  return {
    verifications: (entityRef, pairs) =>
      verifications.getMany(entityRef, pairs),
    approvals: (entityRef, environment, version) =>
      policyStore.approvals(entityRef, environment, version),
    requesters: (entityRef, environment, version) =>
      policyStore.requesters(entityRef, environment, version),
  };
}

/** Rows written at about the same time may commit out of order: read a little back. */
const OVERLAP_MS = 5000;
/** Rows read per table and round. */
const PAGE = 5000;

const key = (entityRef: string, environment: string, version: string) =>
  `${entityRef}#${environment}#${version}`;

/**
 * Verifications, approvals and requests of the whole fleet in memory, for views: each table
 * is read again only for what changed since the last read (at most every `refreshMs`, shared
 * by every view of that moment), and what this instance writes goes in at once. A view costs
 * no database query; another instance's write shows within `refreshMs`. Changes are decided
 * on the stores, not on this.
 */
export class PolicyCache implements PolicyData {
  private readonly records = new Map<string, VerificationRecord>();
  private readonly approvalsByKey = new Map<string, GitopsApproval[]>();
  private readonly requestersByKey = new Map<string, Set<string>>();
  private since = new Date(0);
  private readAt = 0;
  private reading?: Promise<void>;
  /** The last round filled a page: the next goes on from its end, not a little back. */
  private catchingUp = false;
  /** Pages are this many times `pageSize` while a full one ended where it began. */
  private widen = 1;

  constructor(
    private readonly options: {
      policyStore: PolicyStore;
      verifications: VerificationStore;
      refreshMs: number;
      now?: () => number;
      /** Rows read per table and round. Default 5,000. */
      pageSize?: number;
    },
  ) {
    options.verifications.onChange(record => this.putRecord(record));
    options.policyStore.onChange(change => {
      if (change.kind === 'approval') this.putApproval(change.approval);
      if (change.kind === 'proposal') {
        const { entityRef, environment, versionKey: version } = change.proposal;
        this.putRequester(
          key(entityRef, environment, version),
          change.proposal.requester,
        );
      }
    });
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  /** Reads what changed since the last read, once per `refreshMs` for all callers. */
  private fresh(): Promise<void> {
    if (this.now() - this.readAt < this.options.refreshMs) {
      return this.reading ?? Promise.resolve();
    }
    return this.read();
  }

  private read(): Promise<void> {
    if (!this.reading) {
      const startedAt = this.now();
      const page = (this.options.pageSize ?? PAGE) * this.widen;
      // A little back (OVERLAP_MS), but after a full page from where it ended: read back, a
      // backlog of more than a page within OVERLAP_MS (a fleet's first plans) came again forever.
      const since = this.catchingUp
        ? this.since
        : new Date(this.since.getTime() - OVERLAP_MS);
      let more = false;
      this.reading = Promise.all([
        this.options.verifications.changedSince(since, page),
        this.options.policyStore.approvalsSince(since, page),
        this.options.policyStore.proposalsSince(since, page),
      ])
        .then(([records, approvals, proposals]) => {
          // A full page may have left rows behind: go on from its last row.
          const cut = [
            records.length === page ? records[records.length - 1].at : null,
            approvals.length === page
              ? approvals[approvals.length - 1].createdAt
              : null,
            proposals.length === page
              ? proposals[proposals.length - 1].createdAt
              : null,
          ].filter((t): t is string => t !== null);
          for (const record of records) this.putRecord(record);
          for (const approval of approvals) this.putApproval(approval);
          for (const p of proposals) {
            this.putRequester(
              key(p.entityRef, p.environment, p.versionKey),
              p.requester,
            );
          }
          const next =
            cut.length > 0
              ? new Date(Math.min(...cut.map(t => Date.parse(t))))
              : undefined;
          more = next !== undefined;
          this.catchingUp = more;
          // A full page of rows of one instant ends where it began: the next is twice as
          // large, until it gets past that instant.
          const stuck = more && next!.getTime() <= since.getTime();
          this.widen = stuck ? this.widen * 2 : 1;
          this.since = more ? next! : new Date(startedAt);
          // Views take what is read so far and do not wait for the rest of a backlog.
          this.readAt = startedAt;
        })
        .finally(() => {
          this.reading = undefined;
          // The rest of a backlog, at once, in the background (a failure: the next view's).
          if (more) this.read().catch(() => {});
        });
    }
    return this.reading;
  }

  private putRecord(record: VerificationRecord) {
    const k = key(
      record.entityRef,
      record.environment,
      versionKey(record.version),
    );
    const known = this.records.get(k);
    if (!known || Date.parse(known.at) <= Date.parse(record.at)) {
      this.records.set(k, record);
    }
  }

  private putApproval(approval: GitopsApproval) {
    const k = key(
      approval.entityRef,
      approval.environment,
      versionKey(approval.version),
    );
    const list = this.approvalsByKey.get(k) ?? [];
    if (!list.some(a => a.id === approval.id)) {
      list.push(approval);
      list.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      this.approvalsByKey.set(k, list);
    }
  }

  private putRequester(k: string, requester: string) {
    const set = this.requestersByKey.get(k) ?? new Set<string>();
    set.add(requester);
    this.requestersByKey.set(k, set);
  }

  async verifications(
    entityRef: string,
    pairs: Array<{ environment: string; version: GitopsVersion }>,
  ): Promise<VerificationRecord[]> {
    await this.fresh();
    return pairs
      .map(p =>
        this.records.get(key(entityRef, p.environment, versionKey(p.version))),
      )
      .filter((r): r is VerificationRecord => !!r);
  }

  async approvals(
    entityRef: string,
    environment: string,
    version: GitopsVersion,
  ): Promise<GitopsApproval[]> {
    await this.fresh();
    return [
      ...(this.approvalsByKey.get(
        key(entityRef, environment, versionKey(version)),
      ) ?? []),
    ];
  }

  async requesters(
    entityRef: string,
    environment: string,
    version: GitopsVersion,
  ): Promise<string[]> {
    await this.fresh();
    return [
      ...(this.requestersByKey.get(
        key(entityRef, environment, versionKey(version)),
      ) ?? []),
    ];
  }
}
