import {
  DesiredState,
  DriftItem,
  EnvironmentAutomation,
  LiveState,
  Problem,
  ProgressiveRollout,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentConfig, fillTemplate } from '../config';
import { ServiceTarget } from '../ServiceLocator';
import {
  VulnerabilityLimits,
  detectDrift,
  diagnose,
  securityProblems,
} from './diagnose';
import {
  AutomationEngines,
  imageAutomation,
  selectAutomationObjects,
} from './imageAutomation';
import { CacheRead, ClusterObjects, Freshness, recordReads } from './kinds';
import { Reads } from './keptReads';
import { ClusterRead, LiveStateCache } from './LiveStateCache';
import { liveState } from './liveState';
import { progressiveRollout } from './progressive/progressiveRollout';
import { liveSecurity } from './securityReports';
import { ServiceObjects, selectServiceObjects } from './selectServiceObjects';
import { syncState } from './syncState';
import { TimeHorizon } from './timeHorizon';

/** The cluster side of one environment. */
export interface LiveStatus {
  live: LiveState;
  sync: SyncState;
  drift: DriftItem[];
  problems: Problem[];
  /** The engines' image automation that writes the environment's image. */
  automation: EnvironmentAutomation[];
  automationEngines: AutomationEngines;
  /** The Argo Rollouts Rollout or Flagger Canary that rolls the service out; null without. */
  rollout: ProgressiveRollout | null;
}

/** Options of {@link LiveStatusService}. */
export interface LiveStatusServiceOptions {
  cache: LiveStateCache;
  /** Argo CD's reconciliation period in seconds (its `timeout.reconciliation`). */
  argoReconcileSeconds: number;
  /**
   * Each environment's vulnerability limits (`policy.supplyChain.maxVulnerabilities`): the
   * cluster's reports are a Vulnerable problem only over them, as the failure modes say.
   */
  vulnerabilityLimits?: Record<string, VulnerabilityLimits | null>;
  now?: () => Date;
}

/** Joins an environment's desired state with what its cluster runs. */
export class LiveStatusService {
  /** When a generation or reconcile request was first seen (bounded, oldest dropped first). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly options: LiveStatusServiceOptions) {}

  private firstSeen(key: string): number {
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    const now = (this.options.now?.() ?? new Date()).getTime();
    this.seen.set(key, now);
    if (this.seen.size > 50_000) {
      this.seen.delete(this.seen.keys().next().value!);
    }
    return now;
  }

  /** Whether views computed from these cache reads would still come out the same. */
  isCurrent(reads: Reads): boolean {
    return this.options.cache.isCurrent(reads);
  }

  /** Moves whenever any cached object changes (see `LiveStateCache.clock`). */
  cacheClock(): string {
    return this.options.cache.clock();
  }

  /** Every cluster has been read once or is known to be down (see `LiveStateCache.settled`). */
  clustersSettled(): boolean {
    return this.options.cache.settled();
  }

  /** The clusters' state (up, current, kinds read): views depend on it besides the objects. */
  clusterState(): string {
    return this.options.cache.state();
  }

  /** Whether the environment has a configured cluster to read. */
  covers(environment: EnvironmentConfig): boolean {
    return Boolean(
      environment.cluster && this.options.cache.has(environment.cluster),
    );
  }

  /**
   * Starts waiting for the environment's cluster (a cold one waits up to the time-out), so
   * the wait runs beside the Git read instead of after it. Never rejects: the error comes
   * back from `status`.
   */
  prepare(
    environment: EnvironmentConfig,
    signal?: AbortSignal,
  ): Promise<ClusterRead | Error> {
    return this.options.cache
      .read(environment.cluster!, signal)
      .catch(error =>
        error instanceof Error ? error : new Error(String(error)),
      );
  }

  /** The service's objects in the environment's cluster, from the watch cache. */
  async find(options: {
    target: ServiceTarget;
    environment: EnvironmentConfig;
    desired: DesiredState | null;
    signal?: AbortSignal;
    /** From {@link LiveStatusService.prepare}. */
    prepared?: Promise<ClusterRead | Error>;
    /** Where to note the cache reads the answer comes from (see {@link recordReads}). */
    reads?: CacheRead[];
  }): Promise<{
    cluster: string;
    namespace: string;
    found: ServiceObjects;
    freshness: Freshness;
    warnings: string[];
    /** The cluster's cached objects, reads noted when `reads` was given. */
    objects: ClusterObjects;
  }> {
    const { target, environment, desired } = options;
    const cluster = environment.cluster!;
    const read = await (options.prepared ??
      this.options.cache.read(cluster, options.signal));
    if (read instanceof Error) throw read;
    const { freshness } = read;
    const objects = options.reads
      ? recordReads(cluster, read.objects, options.reads)
      : read.objects;
    const namespace =
      desired?.namespace ??
      fillTemplate(environment.namespace, {
        service: target.service,
        env: environment.name,
      });
    const found = selectServiceObjects(objects, {
      namespace,
      environment: environment.name,
      kubernetesId: target.hints.workloadName,
      labelSelector: target.selectors.labelSelector,
      workloadName: desired?.workload,
      argoAppName: target.selectors.argoAppName,
      argoAppSelector: target.selectors.argoAppSelector,
      argoAppNamespace: target.selectors.argoAppNamespace,
      sourcePath: desired?.source.path,
    });
    const warnings = objects.warnings?.(namespace) ?? [];
    return { cluster, namespace, found, freshness, warnings, objects };
  }

  async status(options: {
    target: ServiceTarget;
    environment: EnvironmentConfig;
    /** Every configured environment's name, to tell whose an image policy is. */
    environments?: readonly string[];
    desired: DesiredState | null;
    signal?: AbortSignal;
    prepared?: Promise<ClusterRead | Error>;
    reads?: CacheRead[];
    /** Where to note when the answer would change with time alone. */
    horizon?: TimeHorizon;
  }): Promise<LiveStatus> {
    const { environment, desired } = options;
    const { cluster, namespace, found, freshness, warnings, objects } =
      await this.find(options);
    const automation = imageAutomation(
      {
        environment: environment.name,
        image: desired?.image ?? null,
        repoUrl: desired?.source.repo ?? null,
        branch: desired?.source.branch ?? null,
        path: desired?.source.path ?? null,
        application: found.application,
        environments: options.environments,
      },
      selectAutomationObjects(objects, {
        image: desired?.image ?? null,
        application: found.application,
      }),
      objects.kindState && (kind => objects.kindState!(kind)),
    );
    const security = liveSecurity(objects, found, {
      namespace,
      workloadName: desired?.workload,
      desiredImage: desired?.image,
    });
    return {
      live: {
        ...liveState(cluster, namespace, found),
        ...freshness,
        warnings,
        security,
      },
      sync: syncState(found, desired),
      drift: detectDrift(desired, found),
      problems: diagnose(found, {
        desired,
        expectAutoSync: environment.autoSync,
        argoReconcileSeconds: this.options.argoReconcileSeconds,
        now: this.options.now?.() ?? new Date(),
        firstSeen: key => this.firstSeen(key),
        horizon: options.horizon,
      }).concat(
        automation.problems,
        securityProblems(
          security,
          this.options.vulnerabilityLimits?.[environment.name] ?? null,
        ),
      ),
      automation: automation.automation,
      automationEngines: automation.engines,
      rollout: progressiveRollout(found, desired?.image),
    };
  }
}
