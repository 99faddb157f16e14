import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EnvironmentStatus,
  EnvironmentsResponse,
  GitopsApproval,
  GitopsFreeze,
  GitopsVersion,
  PolicyChangeKind,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { EvidenceProvider } from '@gitops-backstage/plugin-gitops-node';
import { EnvironmentConfig, GitopsConfig, findEnvironment } from '../config';
import { EnvironmentPolicy } from './policyConfig';
import { verificationOf, verificationProblem } from './verificationView';
import { EnvironmentEvidenceService } from '../evidence/EnvironmentEvidenceService';
import { policyForService } from '../evidence/supplyChainPolicy';
import { desiredVersion, formatVersion } from '../promotion/gates';
import { PolicyStore } from '../store/PolicyStore';
import { VerificationStore } from '../store/VerificationStore';
import { PolicyCache, PolicyData, storePolicyData } from './PolicyCache';
import {
  PolicyDecision,
  ProvidedGate,
  VerificationEvidence,
  coveringFreezes,
  evaluatePolicy,
} from './policyEngine';

/** Options of {@link PolicyService}. */
export interface PolicyServiceOptions {
  config: GitopsConfig;
  policyStore: PolicyStore;
  verifications: VerificationStore;
  evidenceProviders: EvidenceProvider[];
  /** Supply-chain evidence of proposed versions, for `policy.supplyChain`'s gates. */
  supplyChain?: EnvironmentEvidenceService;
  logger: LoggerService;
  now?: () => Date;
  /** How long the active freezes are read again at most (views read the copy). */
  freezeCacheMs?: number;
}

/** One change to decide. */
export interface ChangeToDecide {
  kind: PolicyChangeKind;
  entity: Entity;
  to: EnvironmentConfig;
  from: EnvironmentConfig | null;
  /** Every environment of the entity, as the environments endpoint answers now. */
  statuses: EnvironmentStatus[];
  versionSince: Date | null;
  requester: string;
  override: { by: string; reason: string } | null;
  signal?: AbortSignal;
  /**
   * For a view: verifications, approvals and requests from the in-memory copy, and no
   * evidence provider asked. Otherwise (a dry run, a change) the stores and the providers.
   */
  view?: boolean;
}

/**
 * Gathers what the policy engine looks at — verifications, approvals, freezes, evidence — from
 * the database and the providers, and asks it. Views read only the database and a copy of the
 * active freezes: no network call per view.
 */
export class PolicyService {
  private readonly now: () => Date;
  private freezeCache: { at: number; freezes: Promise<GitopsFreeze[]> } | null =
    null;

  private readonly stored: PolicyData;
  private readonly cached: PolicyCache;

  constructor(private readonly options: PolicyServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.stored = storePolicyData(options.policyStore, options.verifications);
    this.cached = new PolicyCache({
      policyStore: options.policyStore,
      verifications: options.verifications,
      refreshMs: options.freezeCacheMs ?? 5000,
      now: () => this.now().getTime(),
    });
    options.policyStore.onChange(change => {
      if (change.kind === 'freeze') this.freezeCache = null;
    });
  }

  /** The active freezes, read at most every few seconds. */
  activeFreezes(): Promise<GitopsFreeze[]> {
    const ttl = this.options.freezeCacheMs ?? 5000;
    const now = this.now();
    if (!this.freezeCache || now.getTime() - this.freezeCache.at > ttl) {
      const freezes = this.options.policyStore.activeFreezes(now);
      this.freezeCache = { at: now.getTime(), freezes };
      freezes.catch(() => {
        this.freezeCache = null;
      });
    }
    return this.freezeCache.freezes.then(all =>
      all.filter(f => Date.parse(f.until) > this.now().getTime()),
    );
  }

  /** The approvers of an environment: its policy's, else the entity's owner. */
  approversOf(entity: Entity, environment: string): string[] {
    const configured = this.options.config.policies[environment]?.approvers;
    if (configured && configured.length > 0) return configured;
    const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
    if (typeof owner !== 'string' || !owner) return [];
    return [
      stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ),
    ];
  }

  /** Decides a change with everything the engine needs, read now. */
  async decide(change: ChangeToDecide): Promise<PolicyDecision> {
    const { config } = this.options;
    const entityRef = stringifyEntityRef(change.entity);
    const policy = policyFor(config.policies[change.to.name], change.kind);
    const source = change.from
      ? change.statuses.find(s => s.name === change.from!.name) ?? null
      : null;
    const moving = change.kind === 'promotion' || change.kind === 'automation';
    const version = moving && source ? desiredVersion(source) : null;
    const data = change.view ? this.cached : this.stored;
    const [
      verifications,
      approvals,
      proposers,
      freezes,
      evidence,
      supplyChain,
    ]: [
      VerificationEvidence[],
      GitopsApproval[],
      string[],
      GitopsFreeze[],
      ProvidedGate[],
      VersionEvidence | null,
    ] = await Promise.all([
      version
        ? this.verificationEvidence(
            data,
            entityRef,
            policy.verifiedIn,
            version,
            change.statuses,
          )
        : [],
      version && policy.requiredApprovals > 0
        ? data.approvals(entityRef, change.to.name, version)
        : [],
      version && policy.requiredApprovals > 0
        ? data.requesters(entityRef, change.to.name, version)
        : [],
      this.activeFreezes(),
      moving && !change.view
        ? this.askEvidence(entityRef, change, version)
        : [],
      moving && this.options.supplyChain?.enabled
        ? this.options.supplyChain.forPromotion({
            from: source ?? undefined,
            to: change.statuses.find(s => s.name === change.to.name),
            view: !!change.view,
            signal: change.signal,
          })
        : null,
    ]);
    const target = change.statuses.find(s => s.name === change.to.name);
    const decision = evaluatePolicy({
      kind: change.kind,
      to: change.to,
      policy,
      from: change.from,
      source,
      versionSince: change.versionSince,
      verifications,
      // A requester's approval never counts, nor one of anybody who asked for it before.
      approvals: approvals.filter(a => !proposers.includes(a.approver)),
      approvers: this.approversOf(change.entity, change.to.name),
      requester: change.requester,
      freezes,
      evidence,
      supplyChain: {
        service: change.entity.metadata.name,
        evidence: supplyChain,
        targetPinsDigest: !!target?.desired?.digest,
        view: !!change.view,
      },
      override: change.override,
      timeZone: config.policy.timeZone,
      now: this.now(),
    });
    return { ...decision, evidence: supplyChain };
  }

  /** Notes who asked for a version that waits for approvals. */
  async recordProposal(
    entity: Entity,
    environment: string,
    version: GitopsVersion,
    requester: string,
  ) {
    await this.options.policyStore.propose(
      stringifyEntityRef(entity),
      environment,
      version,
      requester,
    );
  }

  private async verificationEvidence(
    data: PolicyData,
    entityRef: string,
    environments: string[],
    version: GitopsVersion,
    statuses: EnvironmentStatus[],
  ): Promise<VerificationEvidence[]> {
    if (environments.length === 0) return [];
    const records = await data.verifications(
      entityRef,
      environments.map(environment => ({ environment, version })),
    );
    return environments.map(environment => {
      const status = statuses.find(s => s.name === environment);
      const declared = status ? desiredVersion(status) : null;
      return {
        environment,
        record: records.find(r => r.environment === environment) ?? null,
        declaresVersion:
          !!declared && formatVersion(declared) === formatVersion(version),
      };
    });
  }

  private async askEvidence(
    entityRef: string,
    change: ChangeToDecide,
    version: GitopsVersion | null,
  ): Promise<ProvidedGate[]> {
    const required = this.options.config.policies[change.to.name].evidence;
    const source = change.from
      ? change.statuses.find(s => s.name === change.from!.name)
      : undefined;
    return Promise.all(
      required.map(async requirement => {
        const provider = this.options.evidenceProviders.find(
          p => p.name === requirement.provider,
        );
        if (!provider) {
          return {
            name: requirement.provider,
            state: 'fail' as const,
            message: `no evidence provider "${requirement.provider}" is installed`,
          };
        }
        try {
          const result = await provider.evaluate(
            {
              entityRef,
              environment: change.to.name,
              from: change.from?.name ?? null,
              version,
              image: source?.desired?.image ?? null,
              kind: change.kind,
              options: requirement.options,
            },
            change.signal,
          );
          return { name: provider.name, ...result };
        } catch (error) {
          return {
            name: provider.name,
            state: 'wait' as const,
            message: `${provider.name} could not answer: ${
              (error as Error).message
            }`,
          };
        }
      }),
    );
  }

  /**
   * Adds to each environment what the policy knows: the verification of the version it runs,
   * an active freeze, what its policy asks for, and the gates of the next promotion into it
   * (without evidence providers or a soak measured from history: those are asked on a dry run).
   */
  async decorate(
    entity: Entity,
    response: EnvironmentsResponse,
  ): Promise<EnvironmentsResponse> {
    try {
      return await this.decorated(entity, response);
    } catch (error) {
      // The database being away costs the policy's part of the answer, not the answer.
      const warning = `Promotion policy not read: ${(error as Error).message}`;
      this.options.logger.warn(`${response.entityRef}: ${warning}`);
      return {
        ...response,
        environments: response.environments.map(env => ({
          ...env,
          warnings: [...(env.warnings ?? []), warning],
        })),
      };
    }
  }

  private async decorated(
    entity: Entity,
    response: EnvironmentsResponse,
  ): Promise<EnvironmentsResponse> {
    const { config } = this.options;
    const entityRef = response.entityRef;
    const running = response.environments
      .map(env => ({ environment: env.name, version: desiredVersion(env) }))
      .filter(
        (p): p is { environment: string; version: GitopsVersion } =>
          !!p.version,
      );
    // From the cache: a view reads no database (a dry run or a change reads the stores).
    const [records, freezes] = await Promise.all([
      this.cached.verifications(entityRef, running),
      this.activeFreezes(),
    ]);
    const environments = await Promise.all(
      response.environments.map(async env => {
        const environment = findEnvironment(config, env.name);
        const policy = config.policies[env.name];
        const checks = config.verifications[env.name]?.checks ?? [];
        const version = desiredVersion(env);
        const record = version
          ? records.find(
              r =>
                r.environment === env.name &&
                formatVersion(r.version) === formatVersion(version),
            )
          : undefined;
        const [freeze] = coveringFreezes(freezes, env.name, this.now());
        const fromName = environment.allowedSources[0];
        let gates: EnvironmentStatus['gates'] = null;
        if (fromName) {
          const from = findEnvironment(config, fromName);
          const decision = await this.decide({
            kind: 'promotion',
            entity,
            to: environment,
            from,
            statuses: response.environments,
            versionSince: null,
            requester: '',
            view: true,
            override: null,
          }).catch(() => null);
          const source = response.environments.find(s => s.name === fromName);
          gates = decision
            ? {
                from: fromName,
                version: source ? desiredVersion(source) : null,
                // The soak needs the history and providers may call out: a dry run says.
                items: decision.gates.filter(g => g.name !== 'soak'),
              }
            : null;
        }
        return {
          ...env,
          verification: verificationOf(env, version, record, checks.length > 0),
          freeze: freeze
            ? {
                id: freeze.id,
                reason: freeze.reason,
                until: freeze.until,
                by: freeze.by,
              }
            : null,
          gates,
          policy: {
            requiredApprovals: policy.requiredApprovals,
            approvers: this.approversOf(entity, env.name),
            verifiedIn: policy.verifiedIn,
            windows: policy.windows.map(
              ({ kind, schedule, duration, timeZone, reason }) => ({
                kind,
                schedule,
                duration,
                timeZone,
                reason,
              }),
            ),
            verificationChecks: checks.map(c => c.name),
            supplyChain: policyForService(
              policy.supplyChain,
              entity.metadata.name,
            ),
          },
          problems:
            record?.state === 'Failed'
              ? [...env.problems, verificationProblem(env.name, record)]
              : env.problems,
        };
      }),
    );
    return { ...response, environments };
  }
}

/**
 * The policy a change is held to: the portal's auto-promotion takes only versions verified in
 * its source, so that verification is one of its gates even when the policy does not list it.
 */
function policyFor(
  policy: EnvironmentPolicy,
  kind: ChangeToDecide['kind'],
): EnvironmentPolicy {
  const from = policy.autoPromotion?.from;
  if (kind !== 'automation' || !from || policy.verifiedIn.includes(from)) {
    return policy;
  }
  return { ...policy, verifiedIn: [from, ...policy.verifiedIn] };
}
