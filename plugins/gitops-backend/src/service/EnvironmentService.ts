import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  DesiredState,
  EnvironmentStatus,
  EnvironmentsResponse,
} from '@gitops-backstage/plugin-gitops-common';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import {
  describeStaleness,
  ManifestError,
} from '@gitops-backstage/plugin-gitops-repository';
import { withAutoPromotionConflicts } from './live/imageAutomation';
import { CacheRead } from './live/kinds';
import { Reads } from './live/keptReads';
import { TimeHorizon } from './live/timeHorizon';
import { LiveStatusService } from './live/LiveStatusService';
import { RegistryStatusService } from './registry/RegistryStatusService';
import { ServiceLocator, ServiceTarget } from './ServiceLocator';
import { EnvironmentConfig, GitopsConfig } from './config';

/** What the views of one fleet request share. */
export interface EnvironmentsContext {
  /** Branch heads by repository, read once per request instead of once per service. */
  heads?: Map<string, Promise<string>>;
  /** Where to note the cluster cache reads the answer comes from (see `recordReads`). */
  reads?: CacheRead[];
  /** Where to note when the answer would change with time alone (see `TimeHorizon`). */
  horizon?: TimeHorizon;
}

/** Options of {@link EnvironmentService}. */
export interface EnvironmentServiceOptions {
  config: GitopsConfig;
  locator: ServiceLocator;
  reader: DesiredStateReader;
  live: LiveStatusService;
  registry: RegistryStatusService;
  logger: LoggerService;
}

/**
 * Answers "what should run where" for one service: every configured environment, each with
 * its own error when it cannot be read, so one broken overlay never hides the others.
 */
export class EnvironmentService {
  private readonly targets = new WeakMap<Entity, ServiceTarget>();

  constructor(private readonly options: EnvironmentServiceOptions) {}

  async getEnvironments(
    entity: Entity,
    signal?: AbortSignal,
    context: EnvironmentsContext = {},
  ): Promise<EnvironmentsResponse> {
    const { config } = this.options;
    // The same target `basis` located for this entity object: not parsed again per view.
    const target = this.located(entity);
    let revision: string | undefined;
    let gitError: string | undefined;
    let staleReason: string | undefined;
    try {
      revision = await this.head(target, signal, context.heads);
      const staleness = target.provider.staleness?.(target.repository);
      if (staleness) {
        const name = config.repositories.find(
          r => r.url === target.repository.url,
        )?.name;
        staleReason = describeStaleness({ ...staleness, revision }, name);
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      gitError = `Cannot read ${target.repository.url} (${
        target.repository.branch
      }): ${messageOf(error)}`;
      // A fleet view logs a repository's failure once, not once per service.
      if (!context.heads) this.options.logger.warn(gitError);
    }
    const environments = await Promise.all(
      config.environments.map(environment =>
        this.environment(
          target,
          environment,
          revision,
          gitError,
          signal,
          context,
          staleReason,
        ),
      ),
    );
    return { entityRef: target.entityRef, environments };
  }

  /**
   * What an entity's environments are computed from in Git: for each environment, the
   * revision its desired state's files were read at (a commit to another service leaves it
   * as it was), or why it cannot be read; and whether the repository is stale. Equal bases,
   * an equal {@link clusterState} and unchanged cache reads (`isCurrent`) give equal answers,
   * but for the passing of time and the `desired.source.revision` they are said to be at.
   */
  async basis(
    entity: Entity,
    context: EnvironmentsContext = {},
  ): Promise<string> {
    const target = this.located(entity);
    let head: string;
    try {
      head = await this.head(target, undefined, context.heads);
    } catch (error) {
      return `${target.repository.url}@error ${messageOf(error)}`;
    }
    let states = this.statesAt.get(entity);
    if (states?.head !== head) {
      let failed = false;
      const { reader } = this.options;
      const revisions = await Promise.all(
        this.options.config.environments.map(
          async environment =>
            // After a commit to other services, known from the files changed: not built.
            (await reader.knownContentRevision({
              target,
              environment,
              revision: head,
            })) ??
            reader.readShared({ target, environment, revision: head }).then(
              result => reader.contentRevision(result) ?? head,
              error => {
                failed = true;
                return `error ${messageOf(error)}`;
              },
            ),
        ),
      );
      states = { head, text: revisions.join(' ') };
      // A read that failed is tried again by the next caller, as the reader does.
      if (!failed) this.statesAt.set(entity, states);
    }
    return `${target.repository.url} ${states.text}${staleMark(target)}`;
  }

  /**
   * Per entity object, what its environments' states were read at for one head: the passes
   * over the fleet after a commit (verification, deployment ledger, overview rows) read each
   * entity's states once between them, not once each.
   */
  private readonly statesAt = new WeakMap<
    Entity,
    { head: string; text: string }
  >();

  /** A repository's head (or why it cannot be read), and whether it is stale. */
  private async repositoryBasis(
    target: Pick<ServiceTarget, 'repository' | 'provider'>,
    heads?: Map<string, Promise<string>>,
  ): Promise<string> {
    const head = await this.head(target, undefined, heads).catch(
      error => `error ${messageOf(error)}`,
    );
    return `${target.repository.url}@${head}${staleMark(target)}`;
  }

  /**
   * What every answer of the fleet is computed from at once: each repository's head, the
   * clusters' state and every cached object's version. While it stays the same, no answer
   * changed but for the passing of time; a fleet view or pass need not look at each service.
   */
  async fleetStamp(
    context: Pick<EnvironmentsContext, 'heads'> = {},
  ): Promise<string> {
    const repositories = await Promise.all(
      this.options.locator
        .repositories()
        .map(target => this.repositoryBasis(target, context.heads)),
    );
    return `${repositories.join(
      ' ',
    )} | ${this.clusterState()} | ${this.options.live.cacheClock()}`;
  }

  /** The clusters' state (up, current, kinds read): every service's answers depend on it. */
  clusterState(): string {
    return this.options.live.clusterState();
  }

  /** Every cluster has been read once or is known to be down: rows computed now hold. */
  clustersSettled(): boolean {
    return this.options.live.clustersSettled();
  }

  /** Whether answers computed from these cluster cache reads would come out the same. */
  isCurrent(reads: Reads): boolean {
    return this.options.live.isCurrent(reads);
  }

  /**
   * Where an entity is, once per entity object: the fleet's views and passes reuse the
   * catalog's list, so the same object is located on every page.
   */
  private located(entity: Entity): ServiceTarget {
    let target = this.targets.get(entity);
    if (!target) {
      target = this.options.locator.locate(entity);
      this.targets.set(entity, target);
    }
    return target;
  }

  /** The branch head, read once per repository when a fleet view shares `heads`. */
  private head(
    target: Pick<ServiceTarget, 'repository' | 'provider'>,
    signal?: AbortSignal,
    heads?: Map<string, Promise<string>>,
  ): Promise<string> {
    const read = (callerSignal?: AbortSignal) =>
      target.provider.resolveBranch({
        repository: target.repository,
        signal: callerSignal,
      });
    if (!heads) return read(signal);
    const key = `${target.provider.type} ${target.repository.url} ${target.repository.branch}`;
    let head = heads.get(key);
    if (!head) {
      // Shared by the whole view: its failure is the repository's, logged once, and never
      // a caller going away (the view's own signal stops the view).
      head = read();
      heads.set(key, head);
      head.catch(error =>
        this.options.logger.warn(
          `Cannot read ${target.repository.url} (${
            target.repository.branch
          }): ${messageOf(error)}`,
        ),
      );
    }
    return head;
  }

  /** One environment: Git and cluster read side by side; each failure is that side's error. */
  private async environment(
    target: ServiceTarget,
    environment: EnvironmentConfig,
    revision: string | undefined,
    gitError: string | undefined,
    signal?: AbortSignal,
    context: EnvironmentsContext = {},
    staleReason?: string,
  ): Promise<EnvironmentStatus> {
    const errors: string[] = [];
    const covered = this.options.live.covers(environment);
    // A cold cluster's wait runs beside the Git read.
    const prepared = covered
      ? this.options.live.prepare(environment, signal)
      : undefined;
    let desired: DesiredState | null = null;
    let unsupported: string | null = null;
    if (revision) {
      try {
        desired = (
          await this.options.reader.readShared({
            target,
            environment,
            revision,
            signal,
          })
        ).state;
        // The read state is shared between callers: mark a copy.
        if (staleReason) desired = { ...desired, stale: true, staleReason };
      } catch (error) {
        if ((error as Error).name === 'UnsupportedLayoutError') {
          unsupported = messageOf(error);
        }
        if (!(error instanceof ManifestError)) {
          this.options.logger.warn(
            `Desired state of ${target.entityRef} in ${
              environment.name
            } failed: ${messageOf(error)}`,
          );
        }
        errors.push(messageOf(error));
      }
    } else if (gitError) {
      errors.push(gitError);
    }
    const status = environmentStatus(environment.name, desired, null);
    // Cluster and registry only need the desired state: read them side by side.
    const [live, registry] = await Promise.all([
      covered
        ? settle(
            this.options.live.status({
              target,
              environment,
              environments: this.options.config.environments.map(e => e.name),
              desired,
              signal,
              prepared,
              reads: context.reads,
              horizon: context.horizon,
            }),
          )
        : undefined,
      this.options.registry.covers(desired)
        ? settle(
            this.options.registry.status({
              desired: desired!,
              policy: target.tagPolicy,
              signal,
            }),
          )
        : undefined,
    ]);
    if (live?.value) {
      Object.assign(status, live.value);
      status.automation = withAutoPromotionConflicts(
        live.value.automation,
        environment.name,
        autoPromotionOf(this.options.config, environment.name, target),
      );
    }
    if (registry?.value) {
      status.registry = registry.value;
      explainPullFailure(status);
    }
    for (const side of [live, registry]) {
      if (side?.error) errors.push(side.error);
    }
    status.error = errors.length > 0 ? errors.join('; ') : null;
    status.warnings = [
      ...(status.live?.staleReason ? [status.live.staleReason] : []),
      ...(status.live?.warnings ?? []),
    ];
    status.unsupported = unsupported ?? desired?.unsupported ?? null;
    return status;
  }
}

/** A repository going stale (or answering again) changes the answers at the same head. */
function staleMark(target: Pick<ServiceTarget, 'repository' | 'provider'>) {
  return target.provider.staleness?.(target.repository) ? ' stale' : '';
}

function environmentStatus(
  name: string,
  desired: DesiredState | null,
  error: string | null,
): EnvironmentStatus {
  return {
    name,
    desired,
    live: null,
    sync: null,
    drift: [],
    problems: [],
    registry: null,
    error,
    warnings: [],
    rollout: null,
  };
}

/** The portal's auto-promotion into the environment, when it covers this entity. */
function autoPromotionOf(
  config: GitopsConfig,
  environment: string,
  target: ServiceTarget,
): { from: string } | null {
  const auto = config.policies?.[environment]?.autoPromotion ?? null;
  // `entities` narrows it to some services; absent or null, it covers every one.
  const entities = (auto as { entities?: string[] | null } | null)?.entities;
  return auto && (!entities || entities.includes(target.entityRef))
    ? auto
    : null;
}

/** A result or its error message, so parallel reads report failures in a fixed order. */
async function settle<T>(
  promise: Promise<T>,
): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error: messageOf(error) };
  }
}

/** Says whether the tag of an ImagePullBackOff exists: the first question to answer. */
function explainPullFailure(status: EnvironmentStatus) {
  const { registry, desired } = status;
  const problem = status.problems.find(p => p.type === 'ImagePullBackOff');
  if (!problem || !registry || registry.tagExists === null || !desired?.tag)
    return;
  problem.message += registry.tagExists
    ? ` — tag ${desired.tag} exists in ${registry.image} (${registry.digest}): check pull credentials and registry availability`
    : ` — tag ${desired.tag} does not exist in ${registry.image}`;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
