import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AutomationEvent,
  AutomationPause,
  EnvironmentStatus,
} from '@gitops-backstage/plugin-gitops-common';
import { randomUUID } from 'node:crypto';
import { GitopsConfig } from '../config';
import { mapLimited } from '../mapLimited';
import {
  PolicyInputError,
  PolicyRefusedError,
} from '../policy/PolicyRefusedError';
import { formatVersion } from '../promotion/gates';
import {
  ActionResult,
  Actor,
  ChangeOptions,
} from '../promotion/changeRequests';
import { ChangeAuditor } from '../audit/auditChange';
import { AutomationEventKey, AutomationStore } from '../store/AutomationStore';
import { VerificationStore } from '../store/VerificationStore';
import { judgePromotion, judgeRollback, offersOf } from './automationPlan';
import { describeAutomation } from './portalAutomation';

/** What the runner reads and asks: the services of the backend. */
export interface AutomationRunnerOptions {
  config: GitopsConfig;
  catalog: CatalogService;
  auth: AuthService;
  store: AutomationStore;
  verifications: VerificationStore;
  /**
   * Pausing and resuming are audited here; the changes the automation makes are audited by
   * the PromotionService it asks, like anyone's.
   */
  audit: ChangeAuditor;
  logger: LoggerService;
  environments: {
    getEnvironments(
      entity: Entity,
      signal?: AbortSignal,
    ): Promise<{ environments: EnvironmentStatus[] }>;
  };
  promotions: {
    promote(
      entity: Entity,
      request: { from: string; to: string },
      actor: Actor,
      signal?: AbortSignal,
      options?: { automation?: boolean },
    ): Promise<ActionResult>;
    rollback(
      entity: Entity,
      request: { environment: string; toTag: string },
      actor: Actor,
      signal?: AbortSignal,
    ): Promise<ActionResult>;
  };
  now?: () => Date;
}

/** How an event ends this time (or waits). */
type Outcome = Parameters<AutomationStore['finish']>[2];

/**
 * The portal's own automation. Each pass reads the verifications that finished since the last
 * one and records the events they ask for (a version that Passed in `from` is taken by the
 * environments that auto-promote from there; a version that Failed where
 * `rollbackOnFailedVerification` is set is rolled back); then it claims the due events — one
 * instance each — and acts through the same PromotionService as the dialog, so the policy
 * engine decides every automated change. A gate that waits puts the event off until the
 * gate's `retryAt`; Git that moved on supersedes it.
 */
export class AutomationRunner {
  private readonly instance = randomUUID();
  private readonly now: () => Date;
  private watermark: Date;
  private viewWatermark = new Date(0);
  /** The latest events per (entity, environment, kind), for views. */
  private readonly latest = new Map<string, AutomationEvent>();
  private pausesByKey = new Map<string, AutomationPause>();

  constructor(private readonly options: AutomationRunnerOptions) {
    this.now = options.now ?? (() => new Date());
    this.watermark = new Date(
      this.now().getTime() - options.config.automation.lookbackMs,
    );
  }

  /** Whether any environment auto-promotes or auto-rolls back. */
  get configured(): boolean {
    return Object.values(this.options.config.policies).some(
      p => p.autoPromotion || p.rollbackOnFailedVerification,
    );
  }

  async schedule(scheduler: SchedulerService): Promise<void> {
    if (!this.configured) return;
    const seconds = this.options.config.automation.intervalMs / 1000;
    await scheduler.scheduleTask({
      id: 'gitops-automation-runner',
      frequency: { seconds },
      timeout: { minutes: 10 },
      initialDelay: { seconds: Math.min(seconds, 5) },
      // Every instance offers and claims; the database makes each event happen once.
      scope: 'local',
      fn: async () => {
        await this.runOnce();
      },
    });
  }

  /** One pass: record what finished verifications ask for, act on what is due, refresh views. */
  async runOnce(): Promise<{ offered: number; acted: number }> {
    const offered = await this.offerPass();
    const acted = await this.runDue();
    await this.refresh();
    return { offered, acted };
  }

  async offerPass(): Promise<number> {
    const { verifications, store, config } = this.options;
    // A second of overlap: a record written in the same instant as the last one read.
    const since = new Date(this.watermark.getTime() - 1000);
    const records = await verifications.changedSince(since);
    let offered = 0;
    for (const record of records) {
      for (const offer of offersOf(record, config.policies)) {
        const created = await store.offer(
          { entityRef: record.entityRef, ...offer },
          offer.sourceEnvironment,
          this.now(),
        );
        if (created) offered++;
      }
      const at = new Date(record.at);
      if (at > this.watermark) this.watermark = at;
    }
    return offered;
  }

  /** Claims due events and acts on them; @returns how many were claimed. */
  async runDue(limit = 20): Promise<number> {
    const claimed = await this.options.store.claimDue(
      this.instance,
      this.now(),
      this.options.config.automation.claimTimeoutMs,
      limit,
    );
    if (claimed.length === 0) return 0;
    this.pausesByKey = keyedPauses(await this.options.store.pauses());
    await mapLimited(claimed, 2, event => this.act(event));
    return claimed.length;
  }

  private async act(event: AutomationEvent): Promise<void> {
    const key: AutomationEventKey = event;
    let outcome: Outcome;
    try {
      outcome = await this.decide(event);
    } catch (error) {
      outcome = this.failed(event, error as Error);
    }
    await this.options.store.finish(key, this.instance, outcome, this.now());
    this.options.logger.info(
      `Automation ${event.kind} of ${formatVersion(event.version)} in ${
        event.environment
      } of ${event.entityRef}: ${outcome.state}, ${outcome.message}`,
    );
  }

  private async decide(event: AutomationEvent): Promise<Outcome> {
    const paused = this.pausesByKey.get(pauseKey(event));
    if (paused) {
      return this.later(
        event,
        `paused by ${paused.by}${paused.reason ? `: ${paused.reason}` : ''}`,
        null,
      );
    }
    const { catalog, auth, environments } = this.options;
    const entity = await catalog.getEntityByRef(event.entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      return {
        state: 'Superseded',
        message: `${event.entityRef} is not in the catalog any more`,
      };
    }
    const statuses = (await environments.getEnvironments(entity)).environments;
    const find = (name: string | null) => statuses.find(s => s.name === name);
    if (event.kind === 'promotion') {
      const judgement = judgePromotion({
        event,
        source: find(event.sourceEnvironment),
        target: find(event.environment),
        targetVerification: await this.options.verifications.get({
          entityRef: event.entityRef,
          environment: event.environment,
          version: event.version,
        }),
      });
      if (!judgement.act) return judgement;
      return this.attempt(event, () =>
        this.options.promotions.promote(
          entity,
          { from: event.sourceEnvironment!, to: event.environment },
          this.actor(
            `auto-promotion of ${event.environment} from ${event.sourceEnvironment}`,
            `${formatVersion(event.version)} passed verification in ${
              event.sourceEnvironment
            }`,
          ),
          undefined,
          { automation: true },
        ),
      );
    }
    const judgement = judgeRollback({
      event,
      target: find(event.environment),
      history: await this.options.verifications.list(
        event.entityRef,
        event.environment,
      ),
    });
    if (!judgement.act) return judgement;
    const to = judgement.rollbackTo!;
    return this.attempt(event, () =>
      this.options.promotions.rollback(
        entity,
        { environment: event.environment, toTag: to.tag! },
        this.actor(
          `rollback on failed verification in ${event.environment}`,
          `${formatVersion(event.version)} failed verification in ${
            event.environment
          }; ${formatVersion(to)} passed there last`,
        ),
      ),
    );
  }

  /** Makes the change; a refusal by a gate that may pass later puts the event off. */
  private async attempt(
    event: AutomationEvent,
    change: () => Promise<ActionResult>,
  ): Promise<Outcome> {
    try {
      const { action } = await change();
      if (action.status === 'NoChange') {
        return { state: 'Superseded', message: action.message ?? 'no change' };
      }
      const where = action.pullRequest
        ? `pull request ${action.pullRequest}`
        : `commit ${action.commit?.slice(0, 7)}`;
      return {
        state: 'Done',
        message: `${
          event.kind === 'promotion' ? 'promoted' : 'rolled back'
        }: ${where}`,
        actionId: action.id,
      };
    } catch (error) {
      if (error instanceof PolicyInputError) {
        return { state: 'Refused', message: error.message };
      }
      if (error instanceof PolicyRefusedError) {
        return this.later(event, error.message, error.retryAt);
      }
      throw error;
    }
  }

  /** Waits, without spending an attempt: a gate or a pause, not a failure. */
  private later(
    event: AutomationEvent,
    message: string,
    retryAt: string | null,
  ): Outcome {
    const settings = this.options.config.automation;
    const soonest = this.now().getTime() + settings.intervalMs;
    const at = retryAt ? Math.max(Date.parse(retryAt), soonest) : NaN;
    return {
      state: 'Waiting',
      message,
      nextAttemptAt: new Date(
        Number.isFinite(at) ? at : this.now().getTime() + settings.waitRetryMs,
      ),
      attempts: event.attempts - 1,
    };
  }

  /** An error (Git, the cluster): again with backoff, until the attempts are spent. */
  private failed(event: AutomationEvent, error: Error): Outcome {
    const settings = this.options.config.automation;
    if (event.attempts >= settings.maxAttempts) {
      return {
        state: 'Error',
        message: `gave up after ${event.attempts} attempts: ${error.message}`,
      };
    }
    return {
      state: 'Waiting',
      message: `attempt ${event.attempts} failed: ${error.message}`,
      nextAttemptAt: new Date(
        this.now().getTime() +
          settings.backoffMs * 2 ** Math.max(0, event.attempts - 1),
      ),
    };
  }

  private actor(policy: string, reason: string): Actor {
    const { author } = this.options.config.automation;
    return {
      ref: author.ref,
      name: author.name,
      email: author.email,
      trailers: [`Gitops-Policy: ${policy}`, `Gitops-Reason: ${reason}`],
    };
  }

  /** Follows the events and pauses of every instance, for views. */
  async refresh(): Promise<void> {
    const since = new Date(this.viewWatermark.getTime() - 1000);
    const [events, pauses] = await Promise.all([
      this.options.store.changedSince(since),
      this.options.store.pauses(),
    ]);
    for (const event of events) {
      const key = `${pauseKey(event)}#${event.kind}`;
      const known = this.latest.get(key);
      if (!known || known.createdAt <= event.createdAt) {
        this.latest.set(key, event);
      }
      const at = new Date(event.at);
      if (at > this.viewWatermark) this.viewWatermark = at;
    }
    this.pausesByKey = keyedPauses(pauses);
  }

  /** The latest event of each kind and the pause of an environment, as this instance knows. */
  stateOf(
    entityRef: string,
    environment: string,
  ): {
    promotion?: AutomationEvent;
    rollback?: AutomationEvent;
    paused?: AutomationPause;
  } {
    const key = `${entityRef}#${environment}`;
    return {
      promotion: this.latest.get(`${key}#promotion`),
      rollback: this.latest.get(`${key}#rollback`),
      paused: this.pausesByKey.get(key),
    };
  }

  /**
   * Adds the portal's automation to each environment of a view (beside the engines' image
   * automation the live state found), from memory: a view reads no database.
   */
  decorate<T extends { entityRef: string; environments: EnvironmentStatus[] }>(
    response: T,
  ): T {
    return {
      ...response,
      environments: response.environments.map(env => {
        const portal = describeAutomation(
          this.options.config,
          response.entityRef,
          env.name,
          this.stateOf(response.entityRef, env.name),
        );
        if (portal.length === 0) return env;
        return { ...env, automation: [...(env.automation ?? []), ...portal] };
      }),
    };
  }

  /** Pauses or resumes an environment's automation; takes effect for views at once. */
  async setPaused(
    entityRef: string,
    environment: string,
    paused: boolean,
    by: string,
    reason: string | null,
    options: Pick<ChangeOptions, 'request'> = {},
  ): Promise<void> {
    await this.options.audit.audit({
      change: {
        kind: 'automation-pause',
        action: paused ? 'pause' : 'resume',
        actor: by,
        entityRef,
        environment,
        requested: reason ? { reason } : {},
      },
      request: options.request,
      work: () => this.setPausedNow(entityRef, environment, paused, by, reason),
      outcome: () => ({
        result: { status: paused ? 'Paused' : 'Resumed' },
      }),
    });
  }

  private async setPausedNow(
    entityRef: string,
    environment: string,
    paused: boolean,
    by: string,
    reason: string | null,
  ): Promise<void> {
    if (paused) {
      await this.options.store.pause(entityRef, environment, by, reason);
    } else {
      await this.options.store.resume(entityRef, environment, this.now());
    }
    this.pausesByKey = keyedPauses(await this.options.store.pauses());
  }
}

function pauseKey(event: { entityRef: string; environment: string }) {
  return `${event.entityRef}#${event.environment}`;
}

function keyedPauses(pauses: AutomationPause[]): Map<string, AutomationPause> {
  return new Map(pauses.map(p => [pauseKey(p), p]));
}
