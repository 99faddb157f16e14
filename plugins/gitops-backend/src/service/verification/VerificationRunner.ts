import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EnvironmentStatus,
  VerificationCheckResult,
  VerificationRecord,
} from '@gitops-backstage/plugin-gitops-common';
import {
  VerificationCheckKind,
  VerificationCheckSpec,
  VerificationContext,
} from '@gitops-backstage/plugin-gitops-node';
import { randomUUID } from 'node:crypto';
import { GitopsConfig, fillTemplate, findEnvironment } from '../config';
import { CacheRead } from '../live/kinds';
import { Reads } from '../live/keptReads';
import { mapLimited } from '../mapLimited';
import { QuietEntities, gitopsEntity, listGitopsEntities } from '../fleetPass';
import { FleetEntities } from '../fleet/FleetEntities';
import { desiredVersion, formatVersion, runsVersion } from '../promotion/gates';
import { VerificationStore, VerificationKey } from '../store/VerificationStore';
import { versionKey } from '../store/PolicyStore';

/** What the runner reads: the services of the backend. */
export interface VerificationRunnerOptions {
  config: GitopsConfig;
  catalog: CatalogService;
  auth: AuthService;
  store: VerificationStore;
  logger: LoggerService;
  kinds: Map<string, VerificationCheckKind>;
  /** The shared list of GitOps entities; without it each pass asks the catalog. */
  fleet?: FleetEntities;
  environments: {
    /**
     * What the whole fleet's answers are computed from (see `EnvironmentService.fleetStamp`):
     * a pass that would run at the stamp of one that left every entity quiet is skipped.
     */
    fleetStamp?(context?: {
      heads?: Map<string, Promise<string>>;
    }): Promise<string>;
    getEnvironments(
      entity: Entity,
      signal?: AbortSignal,
      context?: { heads?: Map<string, Promise<string>>; reads?: CacheRead[] },
    ): Promise<{ environments: EnvironmentStatus[] }>;
    basis(
      entity: Entity,
      context?: { heads?: Map<string, Promise<string>> },
    ): Promise<string>;
    isCurrent(reads: Reads): boolean;
  };
  now?: () => Date;
}

/** Runs planned per database statement, about (a pass writes while it reads on). */
const PLAN_BATCH_RUNS = 200;

/** What a pass found to plan for one entity, and what that was computed from. */
interface EntityPlans {
  entityRef: string;
  basis: string;
  reads: CacheRead[];
  runs: Array<{
    key: VerificationKey;
    notBefore: Date;
    /** `entity#environment`, and the version planned there (see `planned`). */
    memo: string;
    versionKey: string;
  }>;
}

/** Whether a check can run as configured; the reason when it cannot. */
type CheckReadiness = { ok: true } | { ok: false; reason: string };

/**
 * Verification after each deployment: a pass finds the environments that run a version
 * Synced and Healthy and plans one run per (entity, environment, version) in the database;
 * due runs are claimed (one instance each), their checks run, and the result is written —
 * errors are retried with backoff and end `Inconclusive` when the attempts are spent.
 */
export class VerificationRunner {
  private readonly instance = randomUUID();
  private readonly now: () => Date;
  /** Versions already planned per (entity, environment): no insert per pass. */
  private readonly planned = new Map<string, string>();
  /** Entities unchanged since their last pass (same head, same cluster objects). */
  private readonly quiet: QuietEntities;
  private readonly readiness = new Map<string, CheckReadiness>();

  constructor(private readonly options: VerificationRunnerOptions) {
    this.quiet = new QuietEntities(options.environments);
    this.now = options.now ?? (() => new Date());
    for (const [environment, verification] of Object.entries(
      options.config.verifications,
    )) {
      for (const check of verification.checks) {
        this.readiness.set(
          `${environment}/${check.name}`,
          this.validate(check),
        );
      }
    }
  }

  /** Whether any environment has checks (without, the runner is not scheduled). */
  get configured(): boolean {
    return Object.values(this.options.config.verifications).some(
      v => v.checks.length > 0,
    );
  }

  private validate(check: VerificationCheckSpec): CheckReadiness {
    const kind = this.options.kinds.get(check.kind);
    if (!kind) {
      throw new Error(
        `gitops verification check "${check.name}": unknown kind "${
          check.kind
        }" (known: ${[...this.options.kinds.keys()].join(', ')})`,
      );
    }
    try {
      kind.validate?.(check);
      return { ok: true };
    } catch (error) {
      // A check whose source is not set up (no Prometheus URL) says so on each run
      // rather than stopping the backend.
      this.options.logger.warn(
        `Verification check ${check.name} is not configured: ${
          (error as Error).message
        }`,
      );
      return { ok: false, reason: (error as Error).message };
    }
  }

  async schedule(scheduler: SchedulerService): Promise<void> {
    if (!this.configured) return;
    const seconds = this.options.config.policy.verification.intervalMs / 1000;
    await scheduler.scheduleTask({
      id: 'gitops-verification-runner',
      frequency: { seconds },
      timeout: { minutes: 10 },
      initialDelay: { seconds: Math.min(seconds, 5) },
      // Every instance plans and claims; the database makes each run happen once.
      scope: 'local',
      fn: async () => {
        await this.runOnce();
      },
    });
  }

  /** One pass: plan what newly runs healthy, then run what is due. */
  async runOnce(): Promise<{ planned: number; ran: number }> {
    const planned = await this.planPass();
    const ran = await this.runDue();
    return { planned, ran };
  }

  private checkedEnvironments(): string[] {
    return Object.entries(this.options.config.verifications)
      .filter(([, v]) => v.checks.length > 0)
      .map(([name]) => name);
  }

  /** Plans a run for each environment newly running a version Synced and Healthy. */
  async planPass(): Promise<number> {
    const names = this.checkedEnvironments();
    if (names.length === 0) return 0;
    const { catalog, auth, logger, fleet } = this.options;
    const items = await listGitopsEntities(catalog, auth, fleet);
    const heads = new Map<string, Promise<string>>();
    const stamp = await this.options.environments.fleetStamp?.({ heads });
    if (stamp && this.quiet.passUnchanged(stamp, items)) return 0;
    // The entities' runs are written in batches while the pass goes on, not one by one.
    const writes: Array<Promise<number>> = [];
    let batch: EntityPlans[] = [];
    let batchRuns = 0;
    const write = () => {
      if (batch.length > 0) writes.push(this.writePlans(batch));
      batch = [];
      batchRuns = 0;
    };
    await mapLimited(items, 4, async entity => {
      try {
        const wanted = await this.wantedPlans(entity, names, heads);
        if (!wanted) return;
        // Nothing to write: settled now, not held with its reads until a batch is written.
        if (wanted.runs.length === 0) {
          this.quiet.settle(wanted.entityRef, wanted.basis, wanted.reads);
          return;
        }
        batch.push(wanted);
        batchRuns += wanted.runs.length;
        if (batchRuns >= PLAN_BATCH_RUNS) write();
      } catch (error) {
        logger.warn(
          `Verification: ${stringifyEntityRef(entity)} not read: ${error}`,
        );
      }
    });
    write();
    const counts = await Promise.all(writes);
    if (stamp) this.quiet.passEnded(stamp, items);
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * The runs an entity needs planned (its environments newly running a version Synced and
   * Healthy), or undefined when it is unchanged since it was last settled.
   */
  private async wantedPlans(
    entity: Entity,
    names: string[],
    heads: Map<string, Promise<string>>,
  ): Promise<EntityPlans | undefined> {
    const entityRef = stringifyEntityRef(entity);
    const service = this.options.environments;
    const basis = await service.basis(entity, { heads });
    if (this.quiet.unchanged(entityRef, basis)) return undefined;
    const reads: CacheRead[] = [];
    const { environments } = await service.getEnvironments(entity, undefined, {
      heads,
      reads,
    });
    const runs: EntityPlans['runs'] = [];
    for (const env of environments) {
      if (!names.includes(env.name)) continue;
      const version = desiredVersion(env);
      if (!version || !settled(env) || !runsVersion(env, version)) continue;
      const memo = `${entityRef}#${env.name}`;
      const key = versionKey(version);
      if (this.planned.get(memo) === key) continue;
      const delay = this.options.config.verifications[env.name].delayMs;
      runs.push({
        key: { entityRef, environment: env.name, version },
        notBefore: new Date(this.now().getTime() + delay),
        memo,
        versionKey: key,
      });
    }
    return { entityRef, basis, reads, runs };
  }

  /**
   * Plans the entities' runs in the database, then remembers them planned and the entities
   * settled; a failed write leaves them for the next pass.
   * @returns how many runs this call planned.
   */
  private async writePlans(batch: EntityPlans[]): Promise<number> {
    const runs = batch.flatMap(entity => entity.runs);
    let planned: boolean[];
    try {
      planned = await this.options.store.planMany(runs);
    } catch (error) {
      this.options.logger.warn(
        `Verification: runs of ${batch.length} entities not planned: ${error}`,
      );
      return 0;
    }
    for (const run of runs) this.planned.set(run.memo, run.versionKey);
    for (const { entityRef, basis, reads } of batch) {
      this.quiet.settle(entityRef, basis, reads);
    }
    return planned.filter(Boolean).length;
  }

  /** Claims due runs and runs them; @returns how many ended or were rescheduled. */
  async runDue(limit = 20): Promise<number> {
    const settings = this.options.config.policy.verification;
    const claimed = await this.options.store.claimDue(
      this.instance,
      this.now(),
      settings.claimTimeoutMs,
      limit,
    );
    await mapLimited(claimed, 4, record => this.run(record));
    return claimed.length;
  }

  private async run(record: VerificationRecord): Promise<void> {
    const { config, logger, store } = this.options;
    const settings = config.policy.verification;
    const key: VerificationKey = {
      entityRef: record.entityRef,
      environment: record.environment,
      version: record.version,
    };
    let checks: VerificationCheckResult[];
    try {
      const { context, status } = await this.contextOf(record);
      const waiting = this.notSettled(record, status);
      if (waiting) {
        await this.postpone(record, key, waiting);
        return;
      }
      const specs = config.verifications[record.environment]?.checks ?? [];
      checks = await Promise.all(
        specs.map(spec => this.runCheck(spec, record.environment, context)),
      );
    } catch (error) {
      checks = [
        {
          name: 'context',
          kind: 'internal',
          state: 'Error',
          value: null,
          threshold: null,
          detail: `cannot prepare the checks: ${(error as Error).message}`,
          at: this.now().toISOString(),
        },
      ];
    }
    const outcome = overallState(checks);
    const retry = outcome === 'Error' && record.attempts < settings.maxAttempts;
    let state: 'Passed' | 'Failed' | 'Inconclusive' | 'Pending' = retry
      ? 'Pending'
      : 'Inconclusive';
    if (outcome !== 'Error') state = outcome;
    const nextAttemptAt = retry
      ? new Date(
          this.now().getTime() +
            settings.backoffMs * 2 ** Math.max(0, record.attempts - 1),
        )
      : null;
    await store.finish(key, this.instance, { state, checks, nextAttemptAt });
    logger.info(
      `Verification of ${record.entityRef} ${record.environment} ${versionKey(
        record.version,
      )}: ${state}${
        retry
          ? ` (attempt ${
              record.attempts
            }, again at ${nextAttemptAt!.toISOString()})`
          : ''
      }`,
    );
  }

  private async runCheck(
    spec: VerificationCheckSpec,
    environment: string,
    context: VerificationContext,
  ): Promise<VerificationCheckResult> {
    const at = () => this.now().toISOString();
    const readiness = this.readiness.get(`${environment}/${spec.name}`);
    if (readiness && !readiness.ok) {
      return {
        name: spec.name,
        kind: spec.kind,
        state: 'NotConfigured',
        value: null,
        threshold: null,
        detail: `not configured: ${readiness.reason}`,
        at: at(),
      };
    }
    const kind = this.options.kinds.get(spec.kind)!;
    const signal = AbortSignal.timeout(
      this.options.config.policy.verification.checkTimeoutMs,
    );
    try {
      const outcome = await kind.run(spec, context, signal);
      return { name: spec.name, kind: spec.kind, ...outcome, at: at() };
    } catch (error) {
      return {
        name: spec.name,
        kind: spec.kind,
        state: 'Error',
        value: null,
        threshold: null,
        detail: (error as Error).message,
        at: at(),
      };
    }
  }

  /**
   * Why the environment cannot be verified now, or `undefined` when it runs the version
   * Synced and Healthy with its rollout done. Checks run against a settled environment only:
   * a scale or a restart after the version was planned would otherwise fail a health check
   * that has nothing to do with the version.
   */
  private notSettled(
    record: VerificationRecord,
    status: EnvironmentStatus | undefined,
  ): { superseded: boolean; reason: string } | undefined {
    const label = formatVersion(record.version);
    if (!status) {
      return {
        superseded: false,
        reason: `${record.environment} cannot be read now`,
      };
    }
    const desired = desiredVersion(status);
    if (desired && versionKey(desired) !== versionKey(record.version)) {
      return {
        superseded: true,
        reason: `${record.environment} now declares ${formatVersion(desired)}`,
      };
    }
    if (!runsVersion(status, record.version) || !settled(status)) {
      const sync = status.sync;
      const rollout = status.live?.rollout.status;
      const state = [
        sync?.status,
        sync?.health,
        rollout && rollout !== 'Complete' ? `rollout ${rollout}` : undefined,
      ].filter(Boolean);
      return {
        superseded: false,
        reason: `${
          record.environment
        } is not running ${label} Synced and Healthy${
          state.length ? ` (${state.join(', ')})` : ''
        }`,
      };
    }
    return undefined;
  }

  /**
   * Puts a claimed run back: for a version the environment no longer declares, it ends
   * Inconclusive; otherwise it waits one settle delay again, and the attempt does not count.
   */
  private async postpone(
    record: VerificationRecord,
    key: VerificationKey,
    waiting: { superseded: boolean; reason: string },
  ): Promise<void> {
    const { config, store, logger } = this.options;
    const at = this.now();
    const check: VerificationCheckResult = {
      name: 'settled',
      kind: 'internal',
      state: 'Inconclusive',
      value: null,
      threshold: null,
      detail: waiting.superseded
        ? `not verified: ${waiting.reason}`
        : `waiting: ${waiting.reason}`,
      at: at.toISOString(),
    };
    const delay = Math.max(
      config.verifications[record.environment]?.delayMs ?? 0,
      config.policy.verification.intervalMs,
    );
    await store.finish(key, this.instance, {
      state: waiting.superseded ? 'Inconclusive' : 'Pending',
      checks: [check],
      nextAttemptAt: waiting.superseded ? null : new Date(at.getTime() + delay),
      attempts: waiting.superseded ? undefined : record.attempts - 1,
    });
    logger.info(
      `Verification of ${record.entityRef} ${record.environment} ${versionKey(
        record.version,
      )}: ${check.detail}`,
    );
  }

  private async contextOf(
    record: VerificationRecord,
  ): Promise<{ context: VerificationContext; status?: EnvironmentStatus }> {
    const { catalog, auth, config, fleet } = this.options;
    const entity = await gitopsEntity(catalog, auth, record.entityRef, fleet);
    if (!entity) throw new Error(`${record.entityRef} is not in the catalog`);
    const environment = findEnvironment(config, record.environment);
    const service = entity.metadata.name;
    const namespace = fillTemplate(environment.namespace, {
      service,
      env: environment.name,
    });
    const { environments } = await this.options.environments.getEnvironments(
      entity,
    );
    const status = environments.find(e => e.name === record.environment);
    const context: VerificationContext = {
      entityRef: record.entityRef,
      service,
      environment: record.environment,
      namespace,
      version: record.version,
      image: status?.desired?.image ?? null,
      revision: status?.desired?.source.revision ?? null,
      annotations: entity.metadata.annotations ?? {},
      templateValues: {},
      rollout: status?.rollout ?? null,
    };
    return { context, status };
  }
}

/** Synced and Healthy, with the rollout done. */
function settled(env: EnvironmentStatus): boolean {
  return (
    env.sync?.status === 'Synced' &&
    env.sync.health === 'Healthy' &&
    (env.live?.rollout.status ?? 'Complete') === 'Complete'
  );
}

/**
 * One state for all checks: a failure decides; then an error (retried); then an
 * inconclusive check; checks that are not configured do not count unless none is.
 */
export function overallState(
  checks: VerificationCheckResult[],
): 'Passed' | 'Failed' | 'Inconclusive' | 'Error' {
  const counted = checks.filter(c => c.state !== 'NotConfigured');
  if (counted.length === 0) return 'Inconclusive';
  if (counted.some(c => c.state === 'Failed')) return 'Failed';
  if (counted.some(c => c.state === 'Error')) return 'Error';
  if (counted.some(c => c.state === 'Inconclusive')) return 'Inconclusive';
  return 'Passed';
}
