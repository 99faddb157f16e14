import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  DesiredState,
  EnvironmentStatus,
  GitopsAction,
  GitopsActionKind,
  GitopsScaling,
  GitopsVersion,
  PromotionGate,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { randomUUID } from 'node:crypto';
import { EnvironmentConfig, GitopsConfig, findEnvironment } from '../config';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { EnvironmentService } from '../EnvironmentService';
import { HistoryService } from '../HistoryService';
import { ServiceLocator } from '../ServiceLocator';
import { ActionStore, publicAction } from '../store/ActionStore';
import { ChangeWriter, PlannedChange } from './ChangeWriter';
import { desiredVersion, exactChartVersion } from './gates';
import { PolicyService } from '../policy/PolicyService';
import { enforcePolicy } from '../policy/enforcePolicy';
import { chartVersionChange } from './chartVersion';
import { versionArrival, versionForTarget } from './versionLookup';
import { PlanChange } from '@gitops-backstage/plugin-gitops-repository';
import { pullRequestBody } from './pullRequestBody';
import { actionJournal, replayIdempotent } from './actionJournal';
import { ChangeIntent, Details, planOnRevision } from './planOnRevision';
import {
  ActionResult,
  Actor,
  ChangeOptions,
  PromoteRequest,
  RollbackRequest,
  ScaleRequest,
} from './changeRequests';
import {
  AuditMeta,
  AuditedChange,
  ChangeAuditor,
  actionOutcome,
  automationOf,
} from '../audit/auditChange';

/** Options of {@link PromotionService}. */
export interface PromotionServiceOptions {
  config: GitopsConfig;
  locator: ServiceLocator;
  reader: DesiredStateReader;
  environments: EnvironmentService;
  history: HistoryService;
  store: ActionStore;
  writer: ChangeWriter;
  /** The policy engine with its evidence: every change is decided there. */
  policy: PolicyService;
  /** Every promotion, rollback and scale is one audit event, whoever asks. */
  audit: ChangeAuditor;
  logger: LoggerService;
  /** The digest of `image:tag`, for environments that pin digests; `null` when unknown. */
  resolveDigest(
    image: string,
    tag: string,
    signal?: AbortSignal,
  ): Promise<string | null>;
  /** Whether the tracker can follow an environment (its cluster is configured). */
  tracks(environment: EnvironmentConfig): boolean;
  now?: () => Date;
}

/**
 * Promotions, rollbacks and scaling as Git commits (or pull requests): checks the request
 * against the environments and gates, plans the edit on the branch head, writes it through
 * the repository's Git provider and records it for the tracker.
 */
export class PromotionService {
  private readonly now: () => Date;

  constructor(private readonly options: PromotionServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async get(id: string): Promise<GitopsAction> {
    const action = await this.options.store.get(id);
    if (!action) throw new NotFoundError(`No GitOps action with id ${id}`);
    return publicAction(action);
  }

  /**
   * Promotes what `from` declares into `to`. `automation`: the portal's auto-promotion asks,
   * so the policy decides it as automation (every gate must pass, no override).
   */
  async promote(
    entity: Entity,
    request: PromoteRequest,
    actor: Actor,
    signal?: AbortSignal,
    options: ChangeOptions = {},
  ): Promise<ActionResult> {
    return this.audited(
      {
        kind: 'promotion',
        action: 'promote',
        entity,
        environment: request.to,
        from: request.from,
        request,
        requested: {},
        actor,
        options,
      },
      () => this.promoteNow(entity, request, actor, signal, options),
    );
  }

  private async promoteNow(
    entity: Entity,
    request: PromoteRequest,
    actor: Actor,
    signal: AbortSignal | undefined,
    options: ChangeOptions,
  ): Promise<ActionResult> {
    const from = this.environment(request.from);
    const to = this.environment(request.to);
    if (from.name === to.name) {
      throw new InputError(`Cannot promote ${to.name} to itself`);
    }
    const statuses = await this.options.environments.getEnvironments(
      entity,
      signal,
    );
    const source = statuses.environments.find(e => e.name === from.name)!;
    const versionSince =
      to.minSoakMinutes > 0
        ? await this.versionSince(entity, from.name, source, signal)
        : null;
    const targetChart = statuses.environments.find(e => e.name === to.name)
      ?.desired?.chart;
    const { gates, evidence } = await enforcePolicy(this.options.policy, {
      kind: options.automation ? 'automation' : 'promotion',
      entity,
      to,
      from,
      statuses: statuses.environments,
      versionSince,
      requester: actor.ref,
      override: request.override,
      dryRun: request.dryRun,
      signal,
      // Said next to the gates, so nobody expects the range to be pinned by the promotion.
      notes:
        targetChart?.range && source.desired?.chart
          ? [
              {
                name: 'chartVersion',
                state: 'pass',
                passed: true,
                message: `${to.name} takes chart ${targetChart.name} ${targetChart.version}, a range: the engine installs the newest match, and the range is kept`,
                retryAt: null,
                evidence: null,
              },
            ]
          : [],
    });
    const sourceVersion = desiredVersion(source);
    return this.change({
      entity,
      kind: 'promote',
      from: from.name,
      to,
      request,
      gates,
      evidence,
      actor,
      signal,
      idempotencyKey: options.idempotencyKey,
      plan: async (_target, current) => {
        if (!sourceVersion) return null; // dry run with a failed versionKnown gate
        const version = await this.versionFor(current, sourceVersion, signal);
        return {
          change: {
            kind: 'version',
            tag: version.tag,
            digest: version.digest,
            ...chartVersionChange(
              source.desired,
              exactChartVersion(source),
              current,
            ),
          },
          subject: {
            action: 'promote',
            from: from.name,
            before: versionOf(current),
            after: version,
          },
          details: {
            previousVersion: versionOf(current),
            version,
            scaling: null,
          },
        };
      },
    });
  }

  async rollback(
    entity: Entity,
    request: RollbackRequest,
    actor: Actor,
    signal?: AbortSignal,
    options: ChangeOptions = {},
  ): Promise<ActionResult> {
    return this.audited(
      {
        kind: 'rollback',
        action: 'rollback',
        entity,
        environment: request.environment,
        request,
        requested: request.toRevision
          ? { toRevision: request.toRevision }
          : { toTag: request.toTag ?? null },
        actor,
        options,
      },
      () => this.rollbackNow(entity, request, actor, signal, options),
    );
  }

  private async rollbackNow(
    entity: Entity,
    request: RollbackRequest,
    actor: Actor,
    signal: AbortSignal | undefined,
    options: ChangeOptions,
  ): Promise<ActionResult> {
    const to = this.environment(request.environment);
    let wanted: GitopsVersion;
    let label: string;
    if (request.toRevision) {
      const target = this.options.locator.locate(entity);
      const at = await this.options.reader
        .read({ target, environment: to, revision: request.toRevision, signal })
        .catch(error => {
          throw new InputError(
            `Cannot read ${to.name} at revision ${request.toRevision}: ${
              (error as Error).message
            }`,
          );
        });
      wanted = { tag: at.state.tag, digest: at.state.digest };
      label = request.toRevision.slice(0, 7);
      if (!wanted.tag && !wanted.digest) {
        throw new InputError(
          `${to.name} declares no image version at revision ${label}`,
        );
      }
    } else {
      wanted = { tag: request.toTag!, digest: null };
      label = request.toTag!;
    }
    const { gates, evidence } = await enforcePolicy(this.options.policy, {
      kind: 'rollback',
      entity,
      to,
      from: null,
      statuses: [],
      versionSince: null,
      requester: actor.ref,
      override: request.override,
      dryRun: request.dryRun,
      signal,
    });
    return this.change({
      entity,
      kind: 'rollback',
      from: null,
      to,
      request,
      gates,
      evidence,
      actor,
      signal,
      idempotencyKey: options.idempotencyKey,
      plan: async (_target, current) => {
        const version = request.toRevision
          ? wanted
          : await this.versionFor(current, wanted, signal);
        return {
          change: { kind: 'version', tag: version.tag, digest: version.digest },
          subject: {
            action: 'rollback',
            before: versionOf(current),
            after: version,
            to: label,
          },
          details: {
            previousVersion: versionOf(current),
            version,
            scaling: null,
          },
        };
      },
    });
  }

  async scale(
    entity: Entity,
    request: ScaleRequest,
    actor: Actor,
    signal?: AbortSignal,
    options: ChangeOptions = {},
  ): Promise<ActionResult> {
    // The scaling the committed plan started from: plans run again on a moved branch, and
    // the last one is the one written.
    const planned: { before: GitopsScaling | null } = { before: null };
    return this.audited(
      {
        kind: 'scale',
        action: 'scale',
        entity,
        environment: request.environment,
        request,
        requested:
          request.replicas !== undefined
            ? { replicas: request.replicas }
            : { autoscaling: { ...request.autoscaling } },
        actor,
        options,
        scalingBefore: () => planned.before,
      },
      () => this.scaleNow(entity, request, actor, signal, options, planned),
    );
  }

  private async scaleNow(
    entity: Entity,
    request: ScaleRequest,
    actor: Actor,
    signal: AbortSignal | undefined,
    options: ChangeOptions,
    planned: { before: GitopsScaling | null },
  ): Promise<ActionResult> {
    const to = this.environment(request.environment);
    const { gates, evidence } = await enforcePolicy(this.options.policy, {
      kind: 'scale',
      entity,
      to,
      from: null,
      statuses: [],
      versionSince: null,
      requester: actor.ref,
      override: request.override,
      dryRun: request.dryRun,
      signal,
    });
    return this.change({
      entity,
      kind: 'scale',
      from: null,
      to,
      request,
      gates,
      evidence,
      actor,
      signal,
      idempotencyKey: options.idempotencyKey,
      plan: async (_target, current) => {
        const before: GitopsScaling = {
          replicas: current.replicas,
          minReplicas: current.autoscaling?.minReplicas ?? null,
          maxReplicas: current.autoscaling?.maxReplicas ?? null,
        };
        planned.before = before;
        let change: PlanChange;
        let after: GitopsScaling;
        if (request.replicas !== undefined) {
          if (current.autoscaling) {
            throw new InputError(
              `${to.name}: a HorizontalPodAutoscaler owns the replica count (${before.minReplicas}–${before.maxReplicas}); change autoscaling instead`,
            );
          }
          change = { kind: 'replicas', replicas: request.replicas };
          after = {
            replicas: request.replicas,
            minReplicas: null,
            maxReplicas: null,
          };
        } else {
          const { minReplicas, maxReplicas } = request.autoscaling!;
          const min = minReplicas ?? before.minReplicas;
          const max = maxReplicas ?? before.maxReplicas;
          if (min !== null && max !== null && min > max) {
            throw new InputError(
              `minReplicas (${min}) must not be greater than maxReplicas (${max})`,
            );
          }
          change = { kind: 'autoscaling', minReplicas, maxReplicas };
          after = {
            replicas: null,
            minReplicas: minReplicas ?? null,
            maxReplicas: maxReplicas ?? null,
          };
        }
        return {
          change,
          subject: { action: 'scale', before, after },
          details: { previousVersion: null, version: null, scaling: after },
        };
      },
    });
  }

  /**
   * Runs a promotion, rollback or scale as one audit event: opened before the policy is asked,
   * so refusals (400, 409) are on record as well as commits.
   */
  private audited(
    args: {
      kind: 'promotion' | 'rollback' | 'scale';
      action: string;
      entity: Entity;
      environment: string;
      from?: string;
      request: { dryRun?: boolean; override?: { reason: string } };
      /** What was asked besides the environments (a tag, a replica count). */
      requested: AuditMeta;
      actor: Actor;
      options: ChangeOptions;
      scalingBefore?: () => GitopsScaling | null;
    },
    work: () => Promise<ActionResult>,
  ): Promise<ActionResult> {
    const change: AuditedChange = {
      kind: args.kind,
      action: args.action,
      actor: args.actor.ref,
      entityRef: stringifyEntityRef(args.entity),
      environment: args.environment,
      from: args.from,
      dryRun: args.request.dryRun,
      override: args.request.override ?? null,
      automation: automationOf(args.actor),
      requested: args.requested,
    };
    return this.options.audit.audit({
      change,
      request: args.options.request,
      work,
      outcome: result => {
        const before = args.scalingBefore?.();
        return actionOutcome(result.action, {
          scalingBefore: before ? { ...before } : null,
          replayed: result.replayed,
        });
      },
    });
  }

  /** Plans (and unless a dry run, writes and records) one change of one environment. */
  private async change(args: {
    entity: Entity;
    kind: GitopsActionKind;
    from: string | null;
    to: EnvironmentConfig;
    request: { dryRun?: boolean };
    gates: PromotionGate[];
    /** The proposed version's supply-chain evidence, answered with a dry run. */
    evidence?: VersionEvidence | null;
    actor: Actor;
    signal?: AbortSignal;
    idempotencyKey?: string;
    plan: ChangeIntent;
  }): Promise<ActionResult> {
    const { entity, to, actor, signal, idempotencyKey } = args;
    const target = this.options.locator.locate(entity);
    const { store } = this.options;
    const writes = !args.request.dryRun;
    if (writes && idempotencyKey) {
      const existing = await store.getByIdempotencyKey(idempotencyKey);
      if (existing) {
        return {
          ...replayIdempotent(existing, {
            action: args.kind,
            entityRef: target.entityRef,
            to: to.name,
          }),
          replayed: true,
        };
      }
    }
    const id = randomUUID();
    const planAt = planOnRevision({
      target,
      environment: to,
      reader: this.options.reader,
      actor,
      actionId: id,
      intend: args.plan,
      signal,
    });
    const pullRequest =
      to.promotionPolicy === 'pullRequest'
        ? {
            branch: `gitops/${target.service}/${to.name}/${id.slice(0, 8)}`,
            title: (p: PlannedChange<Details>) => p.message.split('\n')[0],
            body: (p: PlannedChange<Details>) =>
              pullRequestBody({ planned: p, gates: args.gates, actor }),
          }
        : undefined;
    const created = this.now().toISOString();
    const journal = actionJournal<Details>({
      store,
      record: {
        ...this.emptyRecord(args, target.entityRef, created),
        id,
        request: args.request,
        idempotencyKey: idempotencyKey ?? null,
        repository: target.repository.url,
        branch: pullRequest?.branch ?? null,
      },
      fromPlan: ({ plan, details }) => ({ diff: plan.diff, ...details }),
    });
    const writeOptions = {
      target,
      author: { name: actor.name, email: actor.email },
      pullRequest,
      planAt,
      journal,
      signal,
    };
    const result = writes
      ? await this.options.writer.write(writeOptions)
      : await this.options.writer.dryRun(writeOptions);
    const now = this.now().toISOString();
    const { plan, details } = result.planned;
    const action: GitopsAction = {
      ...this.emptyRecord(args, target.entityRef, now),
      id: null,
      version: details.version,
      previousVersion: details.previousVersion,
      scaling: details.scaling,
      diff: plan.diff,
    };
    if (plan.noop) {
      action.status = 'NoChange';
      action.message = `${to.name} already declares this in Git: nothing to commit`;
      return { httpStatus: 200, action };
    }
    if (args.request.dryRun) {
      if (args.evidence) action.evidence = args.evidence;
      action.message = `Would ${
        to.promotionPolicy === 'pullRequest' ? 'open a pull request' : 'commit'
      } on ${target.repository.branch} (${result.baseRevision.slice(0, 7)})`;
      return { httpStatus: 200, action };
    }
    let message = this.options.tracks(to)
      ? `Waiting for ${to.name} to sync`
      : `Not tracked: ${to.name} has no cluster configured`;
    if (result.branch) {
      message = result.pullRequest
        ? `Pull request opened from ${result.branch}`
        : `Branch ${result.branch} pushed; this Git host has no pull-request API here, open one for it`;
    }
    Object.assign(action, {
      id,
      createdAt: created,
      commit: result.commit,
      branch: result.branch,
      pullRequest: result.pullRequest,
      status: result.branch ? 'PullRequestOpened' : 'Committed',
      message,
    });
    await this.finishRecord(action as GitopsAction & { id: string });
    this.options.logger.info(
      `${args.kind} of ${target.entityRef} in ${to.name} by ${actor.ref}: ${result.commit} after ${result.attempts} attempt(s)`,
    );
    return { httpStatus: 201, action };
  }

  /** A record of the change with nothing planned yet. */
  private emptyRecord(
    args: {
      kind: GitopsActionKind;
      from: string | null;
      to: EnvironmentConfig;
      actor: Actor;
      gates: PromotionGate[];
    },
    entityRef: string,
    at: string,
  ): GitopsAction {
    return {
      id: null,
      action: args.kind,
      entityRef,
      status: 'DryRun',
      from: args.from,
      to: args.to.name,
      actor: args.actor.ref,
      gates: args.gates,
      version: null,
      previousVersion: null,
      scaling: null,
      diff: '',
      commit: null,
      branch: null,
      pullRequest: null,
      message: null,
      createdAt: at,
      updatedAt: at,
      finishedAt: null,
    };
  }

  /**
   * The pushed change's record goes from `Writing` to its tracked status. The commit has
   * landed whatever happens here: when the database does not answer, the answer still says
   * so and recovery finishes the record from the commit's trailer.
   */
  private async finishRecord(action: GitopsAction & { id: string }) {
    try {
      // `Failed` too: recovery may have given up on a push that took longer than its grace.
      await this.options.store.update(
        action.id,
        {
          status: action.status,
          message: action.message,
          commit: action.commit,
          branch: action.branch,
          pullRequest: action.pullRequest,
          finishedAt: null,
          // The record reads as the answer said.
          updatedAt: action.updatedAt,
        },
        ['Writing', 'Failed'],
      );
    } catch (error) {
      this.options.logger.warn(
        `${action.action} ${action.id} landed as ${
          action.commit
        } but its record could not be finished (${
          (error as Error).message
        }); recovery finishes it from the commit`,
      );
    }
  }

  /** The version to write into `current`: digest-pinned environments get a digest. */
  private versionFor(
    current: DesiredState,
    version: GitopsVersion,
    signal?: AbortSignal,
  ): Promise<GitopsVersion> {
    return versionForTarget(
      current,
      version,
      this.options.resolveDigest,
      signal,
    );
  }

  /** When the source's current version arrived in Git. */
  private async versionSince(
    entity: Entity,
    environment: string,
    source: EnvironmentStatus,
    signal?: AbortSignal,
  ): Promise<Date | null> {
    const version = desiredVersion(source);
    if (!version) return null;
    const history = await this.options.history.getHistory(
      entity,
      environment,
      signal,
    );
    return versionArrival(history.items, version);
  }

  private environment(name: string): EnvironmentConfig {
    return findEnvironment(this.options.config, name);
  }
}

function versionOf(state: DesiredState): GitopsVersion | null {
  if (state.tag || state.digest)
    return { tag: state.tag, digest: state.digest };
  // An image from the chart's defaults: the pinned chart is the version.
  return state.chart?.version && !state.chart.range
    ? { tag: null, digest: null, chartVersion: state.chart.version }
    : null;
}
