import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DeploymentKind,
  DeploymentRecord,
  EnvironmentStatus,
  GitopsAction,
  HistoryItem,
} from '@gitops-backstage/plugin-gitops-common';
import { GitopsConfig } from '../config';
import { mapLimited } from '../mapLimited';
import { CacheRead } from '../live/kinds';
import { Reads } from '../live/keptReads';
import { DeploymentLedger } from '../store/DeploymentLedger';
import { QuietEntities, listGitopsEntities } from '../fleetPass';
import { FleetEntities } from '../fleet/FleetEntities';

/** What the recorder reads; the services of the backend. */
export interface DeploymentRecorderOptions {
  config: GitopsConfig;
  catalog: CatalogService;
  auth: AuthService;
  ledger: DeploymentLedger;
  logger: LoggerService;
  /** The environment service: the state, and what it was computed from. */
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
      context?: {
        heads?: Map<string, Promise<string>>;
        reads?: CacheRead[];
      },
    ): Promise<{ environments: EnvironmentStatus[] }>;
    /** The repository head a state was read at. */
    basis(
      entity: Entity,
      context?: { heads?: Map<string, Promise<string>> },
    ): Promise<string>;
    /** Whether the cluster objects a state was computed from are unchanged. */
    isCurrent(reads: Reads): boolean;
  };
  getHistory(
    entity: Entity,
    environment: string,
  ): Promise<{ items: HistoryItem[]; actions: GitopsAction[] }>;
}

type Change = Omit<DeploymentRecord, 'id'>;

/**
 * Writes the deployment ledger from what the watches and Git show: when an environment's
 * latest version or scaling commit runs Synced and Healthy (or has failed), one row — whoever
 * made the commit, the portal or CI. An (entity, environment) without rows is first filled
 * from its Git history, marked as backfilled. Every backend instance may run it: the ledger
 * keeps one row per commit.
 */
export class DeploymentRecorder {
  /**
   * What each environment declared when it was last found recorded: an unchanged declaration
   * needs no Git log, so a pass over a quiet fleet reads only the warm caches.
   */
  private readonly settled = new Map<string, string>();
  /**
   * Entities whose every environment was found recorded, with the head and cluster reads it
   * was seen at: until either moves, a pass skips them without computing their state.
   */
  private readonly quiet: QuietEntities;
  private historyBudget = Infinity;

  constructor(private readonly options: DeploymentRecorderOptions) {
    this.quiet = new QuietEntities(options.environments);
  }

  async schedule(scheduler: SchedulerService): Promise<void> {
    const seconds = this.options.config.metrics.recordIntervalSeconds;
    await scheduler.scheduleTask({
      id: 'gitops-deployment-recorder',
      frequency: { seconds },
      timeout: { minutes: 10 },
      initialDelay: { seconds: Math.min(seconds, 10) },
      fn: async () => {
        await this.runOnce();
      },
    });
  }

  /** One pass over every GitOps entity. @returns how many rows it wrote. */
  async runOnce(now = new Date()): Promise<number> {
    // Git logs are the expensive part (a first pass over a fleet reads one per environment):
    // a pass reads at most this many, and the next pass goes on where it stopped.
    this.historyBudget = this.options.config.metrics.historyReadsPerPass;
    const { catalog, auth, ledger, logger, fleet } = this.options;
    const items = await listGitopsEntities(catalog, auth, fleet);
    const heads = new Map<string, Promise<string>>();
    const stamp = await this.options.environments.fleetStamp?.({ heads });
    if (stamp && this.quiet.passUnchanged(stamp, items)) return 0;
    const latest = await ledger.latest();
    const written = await mapLimited(items, 4, async entity => {
      try {
        return await this.recordEntity(entity, latest, now, heads);
      } catch (error) {
        // One entity that cannot be read must not stop the others from being recorded.
        logger.warn(
          `Deployment ledger: ${stringifyEntityRef(entity)} not read: ${error}`,
        );
        return 0;
      }
    });
    if (stamp) this.quiet.passEnded(stamp, items);
    return written.reduce((a, b) => a + b, 0);
  }

  private async recordEntity(
    entity: Entity,
    latest: Map<string, DeploymentRecord>,
    now: Date,
    heads: Map<string, Promise<string>>,
  ): Promise<number> {
    const entityRef = stringifyEntityRef(entity);
    const service = this.options.environments;
    const basis = await service.basis(entity, { heads });
    if (this.quiet.unchanged(entityRef, basis)) return 0;
    this.quiet.forget(entityRef);
    // This pass has read its share of histories: the rest of the fleet waits for the next,
    // rather than having its state computed for nothing.
    if (this.historyBudget <= 0) return 0;
    const reads: CacheRead[] = [];
    const { environments } = await service.getEnvironments(entity, undefined, {
      heads,
      reads,
    });
    let written = 0;
    let allRecorded = true;
    for (const env of environments) {
      const recorded = await this.recordEnvironment(
        entity,
        entityRef,
        env,
        latest,
        now,
      );
      written += recorded.written;
      allRecorded &&= recorded.done;
    }
    // Nothing to wait for: skip this entity until its head or its cluster objects move.
    if (allRecorded) this.quiet.settle(entityRef, basis, reads);
    return written;
  }

  /** Records one environment's new changes; `done` when its latest change is recorded. */
  private async recordEnvironment(
    entity: Entity,
    entityRef: string,
    env: EnvironmentStatus,
    latest: Map<string, DeploymentRecord>,
    now: Date,
  ): Promise<{ written: number; done: boolean }> {
    if (env.error || !env.desired) return { written: 0, done: false };
    const key = `${entityRef}#${env.name}`;
    const last = latest.get(key);
    const declared = fingerprint(env);
    if (last && this.settled.get(key) === declared) {
      return { written: 0, done: true };
    }
    if (this.historyBudget <= 0) return { written: 0, done: false };
    this.historyBudget--;
    const history = await this.options.getHistory(entity, env.name);
    const [newest] = history.items;
    if (!newest) return { written: 0, done: true };
    if (newest.revision === last?.revision) {
      this.settled.set(key, declared);
      return { written: 0, done: true };
    }
    const changes = last
      ? [newest]
      : // Nothing recorded yet: the environment's history first, oldest first.
        [...history.items].reverse();
    let previous = last?.version ?? null;
    let written = 0;
    for (const item of changes) {
      const change = this.changeOf(entityRef, env, item, history.actions, {
        previous,
        newest: item === newest,
        backfill: !last,
        now,
      });
      if (change === 'pending') return { written, done: false };
      previous = change.version;
      if (await this.options.ledger.record(change)) written++;
    }
    this.settled.set(key, declared);
    return { written, done: true };
  }

  /** The ledger row of one commit, or `pending` while its rollout is not settled. */
  private changeOf(
    entityRef: string,
    env: EnvironmentStatus,
    item: HistoryItem,
    actions: GitopsAction[],
    at: {
      previous: string | null;
      newest: boolean;
      backfill: boolean;
      now: Date;
    },
  ): Change | 'pending' {
    const { metrics } = this.options.config;
    const action = item.promotionId
      ? actions.find(a => a.id === item.promotionId)
      : undefined;
    const version =
      item.tag ?? item.digest ?? at.previous ?? versionOf(env) ?? 'unknown';
    const base = {
      entityRef,
      environment: env.name,
      revision: item.revision,
      version,
      previousVersion: at.previous,
      kind: kindOf(item, action),
      actionId: action?.id ?? null,
      committedAt: item.committedAt,
    };
    const committed = Date.parse(item.committedAt);
    // From history, the time the engine says it deployed the commit, else the commit's.
    const historic = deployedAt(env, item) ?? item.committedAt;
    if (!at.newest) {
      // Older commits were replaced: they ran, unless their portal record says otherwise.
      return {
        ...base,
        outcome: action?.status === 'Failed' ? 'failed' : 'succeeded',
        observedAt: historic,
        backfilled: true,
      };
    }
    // A commit older than the freshness limit found on a first pass ran before the ledger
    // knew it: its time is history's, not now.
    const old =
      at.backfill &&
      at.now.getTime() - committed > metrics.freshMinutes * 60_000;
    const observedAt = old ? historic : at.now.toISOString();
    // The progressive-delivery controller decided: an aborted rollout (a failed analysis, a
    // person's abort) or a failed Flagger canary is a failed deployment at once, whatever the
    // engine's health says and without waiting for failAfterMinutes.
    if (abortedRollout(env, version)) {
      return { ...base, outcome: 'failed', observedAt, backfilled: old };
    }
    if (runsSettled(env)) {
      return { ...base, outcome: 'succeeded', observedAt, backfilled: old };
    }
    const failing =
      action?.status === 'Failed' ||
      ((env.sync?.health === 'Degraded' ||
        env.problems.some(p => p.severity === 'error')) &&
        at.now.getTime() - committed > metrics.failAfterMinutes * 60_000);
    if (failing) {
      return { ...base, outcome: 'failed', observedAt, backfilled: old };
    }
    return 'pending';
  }
}

/**
 * Whether the environment's Rollout or Canary stopped rolling out `version`: aborted, with the
 * version on its canary side (a retry or a newer commit starts a new rollout, seen as such).
 */
function abortedRollout(env: EnvironmentStatus, version: string): boolean {
  const rollout = env.rollout;
  if (!rollout?.aborted) return false;
  const image = rollout.canary?.image ?? null;
  // Without the canary's image the controller's abort is about what Git declares now.
  if (!image) return true;
  return (
    image.endsWith(`:${version}`) ||
    image.endsWith(`@${version}`) ||
    image.includes(`:${version}@`)
  );
}

/** Synced, Healthy and running what Git declares: the change has landed. */
function runsSettled(env: EnvironmentStatus): boolean {
  return (
    env.sync?.status === 'Synced' &&
    env.sync.health === 'Healthy' &&
    !env.drift.some(d => d.field === 'image') &&
    (env.live?.rollout?.status ?? 'Complete') === 'Complete'
  );
}

/**
 * When the engine deployed a commit, by its own history: a Flux HelmRelease whose chart was
 * built from that commit (build metadata `+<first 12 of the sha>`), or Argo CD's sync of that
 * revision, else its first sync after the commit.
 */
function deployedAt(env: EnvironmentStatus, item: HistoryItem): string | null {
  const deployed = env.sync?.deployed ?? [];
  const committed = Date.parse(item.committedAt);
  const found =
    deployed.find(d => d.version?.endsWith(`+${item.revision.slice(0, 12)}`)) ??
    deployed.find(d => d.revision === item.revision) ??
    deployed
      .filter(d => d.revision !== null && Date.parse(d.at) >= committed)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  return found?.at ?? null;
}

/** What Git declares for the environment: its version and scaling. */
function fingerprint(env: EnvironmentStatus): string {
  const d = env.desired;
  return JSON.stringify([
    d?.source?.path,
    d?.tag,
    d?.digest,
    d?.chart?.version,
    d?.replicas,
    d?.autoscaling,
  ]);
}

function versionOf(env: EnvironmentStatus): string | null {
  const desired = env.desired;
  return desired?.tag ?? desired?.digest ?? desired?.chart?.version ?? null;
}

function kindOf(item: HistoryItem, action?: GitopsAction): DeploymentKind {
  if (action && action.action !== 'sync' && action.action !== 'rollout') {
    return action.action;
  }
  return item.changes.includes('version') ? 'external' : 'scale';
}
