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

  constructor(
    private readonly options: {
      policyStore: PolicyStore;
      verifications: VerificationStore;
      refreshMs: number;
      now?: () => number;
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
    if (!this.reading) {
      const startedAt = this.now();
      const since = new Date(this.since.getTime() - OVERLAP_MS);
      this.reading = Promise.all([
        this.options.verifications.changedSince(since, PAGE),
        this.options.policyStore.approvalsSince(since, PAGE),
        this.options.policyStore.proposalsSince(since, PAGE),
      ])
        .then(([records, approvals, proposals]) => {
          // A full page may have left rows behind: go on from its last row, at once.
          const cut = [
            records.length === PAGE ? records[records.length - 1].at : null,
            approvals.length === PAGE
              ? approvals[approvals.length - 1].createdAt
              : null,
            proposals.length === PAGE
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
          if (cut.length > 0) {
            this.since = new Date(Math.min(...cut.map(t => Date.parse(t))));
            this.readAt = 0;
          } else {
            this.since = new Date(startedAt);
            this.readAt = startedAt;
          }
        })
        .finally(() => {
          this.reading = undefined;
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
