import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  EnvironmentStatus,
  GitopsApproval,
  GitopsFreeze,
  GitopsVersion,
  VerificationRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { GitopsConfig, findEnvironment } from '../config';
import { desiredVersion, formatVersion } from '../promotion/gates';
import { PolicyStore } from '../store/PolicyStore';
import { VerificationStore } from '../store/VerificationStore';
import { PolicyService } from './PolicyService';
import { ChangeAuditor } from '../audit/auditChange';
import { ChangeOptions } from '../promotion/changeRequests';

/** Options of {@link PolicyRequests}. */
export interface PolicyRequestsOptions {
  config: GitopsConfig;
  policy: PolicyService;
  policyStore: PolicyStore;
  verifications: VerificationStore;
  /** Every approval, freeze and lifted freeze is one audit event. */
  audit: ChangeAuditor;
  logger: LoggerService;
  now?: () => Date;
}

/**
 * What people ask of the policy through REST: approving the version proposed for an
 * environment, re-running a verification, declaring and lifting freezes, and reading their
 * records. Deciding changes is the PolicyService's.
 */
export class PolicyRequests {
  private readonly now: () => Date;

  constructor(private readonly options: PolicyRequestsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Approvals of the version proposed now (or `version`) into an environment. */
  async approvals(
    entity: Entity,
    environment: string,
    statuses: EnvironmentStatus[],
    version?: string,
  ): Promise<{ version: GitopsVersion | null; items: GitopsApproval[] }> {
    const proposed = this.proposedVersion(environment, statuses, version);
    if (!proposed) return { version: null, items: [] };
    return {
      version: proposed,
      items: await this.options.policyStore.approvals(
        stringifyEntityRef(entity),
        environment,
        proposed,
      ),
    };
  }

  /**
   * The version a promotion would bring into an environment now: its first source's. A
   * `version` named by the caller must be that one, so an approval never outlives a proposal.
   */
  proposedVersion(
    environment: string,
    statuses: EnvironmentStatus[],
    version?: string,
  ): GitopsVersion | null {
    const target = findEnvironment(this.options.config, environment);
    const fromName = target.allowedSources[0];
    const source = fromName
      ? statuses.find(s => s.name === fromName)
      : undefined;
    const proposed = source ? desiredVersion(source) : null;
    if (version && proposed && !matchesVersion(proposed, version)) {
      throw new ConflictError(
        `${fromName} proposes ${formatVersion(
          proposed,
        )} for ${environment} now, not ${version}`,
      );
    }
    return proposed;
  }

  /** Records an approval; refuses the requester of the promotion and a second approval. */
  async approve(
    entity: Entity,
    request: { environment: string; version?: string; comment?: string },
    statuses: EnvironmentStatus[],
    approver: { ref: string; groups: string[] },
    options: Pick<ChangeOptions, 'request'> = {},
  ): Promise<GitopsApproval> {
    return this.options.audit.audit({
      change: {
        kind: 'approval',
        action: 'approve',
        actor: approver.ref,
        entityRef: stringifyEntityRef(entity),
        environment: request.environment,
        requested: request.version ? { version: request.version } : {},
      },
      request: options.request,
      work: () => this.approveNow(entity, request, statuses, approver),
      outcome: approval => ({
        plan: {
          version: formatVersion(approval.version),
          from: approval.from,
        },
        result: { status: 'Approved', approvalId: approval.id },
      }),
    });
  }

  private async approveNow(
    entity: Entity,
    request: { environment: string; version?: string; comment?: string },
    statuses: EnvironmentStatus[],
    approver: { ref: string; groups: string[] },
  ): Promise<GitopsApproval> {
    const { config, policyStore } = this.options;
    const environment = findEnvironment(config, request.environment);
    const entityRef = stringifyEntityRef(entity);
    if (config.policies[environment.name].requiredApprovals === 0) {
      throw new InputError(`${environment.name} requires no approvals`);
    }
    const version = this.proposedVersion(
      environment.name,
      statuses,
      request.version,
    );
    if (!version) {
      throw new ConflictError(
        `No version is proposed for ${environment.name} now`,
      );
    }
    const requesters = await policyStore.requesters(
      entityRef,
      environment.name,
      version,
    );
    if (requesters.includes(approver.ref)) {
      throw new ConflictError(
        `${approver.ref} asked for ${formatVersion(version)} in ${
          environment.name
        }: nobody approves their own request`,
      );
    }
    const approvers = this.options.policy.approversOf(entity, environment.name);
    if (
      !approvers.includes(approver.ref) &&
      !approver.groups.some(g => approvers.includes(g))
    ) {
      throw new ConflictError(
        `${approver.ref} is not an approver of ${
          environment.name
        } (approvers: ${approvers.join(', ') || 'none'})`,
      );
    }
    const stored = await policyStore.approve({
      entityRef,
      environment: environment.name,
      version,
      from: environment.allowedSources[0] ?? null,
      approver: approver.ref,
      approverGroups: approver.groups,
      comment: request.comment ?? null,
    });
    if (!stored) {
      throw new ConflictError(
        `${approver.ref} already approved ${formatVersion(version)} for ${
          environment.name
        }`,
      );
    }
    this.options.logger.info(
      `Approval of ${formatVersion(version)} for ${entityRef} ${
        environment.name
      } by ${approver.ref}`,
    );
    return stored;
  }

  /** The verification history of an environment, newest first. */
  verificationHistory(
    entity: Entity,
    environment: string,
  ): Promise<VerificationRecord[]> {
    findEnvironment(this.options.config, environment);
    return this.options.verifications.list(
      stringifyEntityRef(entity),
      environment,
    );
  }

  /** Runs a version's verification again (default: the version the environment runs). */
  async rerunVerification(
    entity: Entity,
    request: { environment: string; version?: string },
    statuses: EnvironmentStatus[],
    by: string,
  ): Promise<VerificationRecord> {
    const environment = findEnvironment(
      this.options.config,
      request.environment,
    );
    if (
      (this.options.config.verifications[environment.name]?.checks ?? [])
        .length === 0
    ) {
      throw new InputError(
        `${environment.name} has no verification checks configured`,
      );
    }
    const entityRef = stringifyEntityRef(entity);
    const history = await this.options.verifications.list(
      entityRef,
      environment.name,
      500,
    );
    const status = statuses.find(s => s.name === environment.name);
    const current = status ? desiredVersion(status) : null;
    const record = request.version
      ? history.find(r => matchesVersion(r.version, request.version!))
      : history.find(
          r => current && formatVersion(r.version) === formatVersion(current),
        );
    if (!record) {
      throw new NotFoundError(
        `${request.version ?? formatVersion(current)} was never verified in ${
          environment.name
        } (it runs there Synced and Healthy first)`,
      );
    }
    if (record.state === 'Running') {
      throw new ConflictError(
        `The verification of ${formatVersion(record.version)} in ${
          environment.name
        } is running`,
      );
    }
    await this.options.verifications.rerun(record, by, this.now());
    return (await this.options.verifications.get(record))!;
  }

  /** Declares a freeze. */
  async freeze(
    request: { environments: string[] | '*'; reason: string; until: string },
    by: string,
    options: Pick<ChangeOptions, 'request'> = {},
  ): Promise<GitopsFreeze> {
    return this.options.audit.audit({
      change: {
        kind: 'freeze',
        action: 'declare',
        actor: by,
        entityRef: null,
        environment: null,
        environments: request.environments,
        requested: { reason: request.reason, until: request.until },
      },
      request: options.request,
      work: () => this.freezeNow(request, by),
      outcome: freeze => ({
        result: { status: 'Declared', freezeId: freeze.id },
      }),
    });
  }

  private async freezeNow(
    request: { environments: string[] | '*'; reason: string; until: string },
    by: string,
  ): Promise<GitopsFreeze> {
    if (request.environments !== '*') {
      for (const name of request.environments)
        findEnvironment(this.options.config, name);
    }
    if (Date.parse(request.until) <= this.now().getTime()) {
      throw new InputError(
        `A freeze must end in the future, not at ${request.until}`,
      );
    }
    const freeze = await this.options.policyStore.createFreeze({
      ...request,
      by,
    });
    this.options.logger.info(
      `Freeze of ${
        request.environments === '*'
          ? 'every environment'
          : request.environments.join(', ')
      } until ${request.until} by ${by}: ${request.reason}`,
    );
    return freeze;
  }

  async liftFreeze(
    id: string,
    by: string,
    options: Pick<ChangeOptions, 'request'> = {},
  ): Promise<void> {
    await this.options.audit.audit({
      change: {
        kind: 'freeze',
        action: 'lift',
        actor: by,
        entityRef: null,
        environment: null,
        requested: { freezeId: id },
      },
      request: options.request,
      work: () => this.liftFreezeNow(id, by),
      // What the lifted freeze covered: the request names only its id.
      outcome: lifted => ({
        plan: lifted
          ? {
              environments: lifted.environments,
              reason: lifted.reason,
              until: lifted.until,
            }
          : {},
        result: { status: 'Lifted', freezeId: id },
      }),
    });
  }

  private async liftFreezeNow(
    id: string,
    by: string,
  ): Promise<GitopsFreeze | undefined> {
    const now = this.now();
    const lifted = (await this.options.policyStore.activeFreezes(now)).find(
      f => f.id === id,
    );
    if (!(await this.options.policyStore.liftFreeze(id, by, now))) {
      throw new NotFoundError(`No active freeze with id ${id}`);
    }
    this.options.logger.info(`Freeze ${id} lifted by ${by}`);
    return lifted;
  }
}

/** A tag, digest or chart version as people write it, against a version. */
function matchesVersion(version: GitopsVersion, text: string): boolean {
  return (
    version.tag === text ||
    version.digest === text ||
    version.chartVersion === text ||
    formatVersion(version) === text
  );
}
