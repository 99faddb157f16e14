import {
  DesiredState,
  DriftItem,
  LiveState,
  Problem,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentConfig, fillTemplate } from '../config';
import { ServiceTarget } from '../ServiceLocator';
import { detectDrift, diagnose } from './diagnose';
import { LiveStateCache } from './LiveStateCache';
import { liveState } from './liveState';
import { ServiceObjects, selectServiceObjects } from './selectServiceObjects';
import { syncState } from './syncState';

/** The cluster side of one environment. */
export interface LiveStatus {
  live: LiveState;
  sync: SyncState;
  drift: DriftItem[];
  problems: Problem[];
}

/** Options of {@link LiveStatusService}. */
export interface LiveStatusServiceOptions {
  cache: LiveStateCache;
  /** Argo CD's reconciliation period in seconds (its `timeout.reconciliation`). */
  argoReconcileSeconds: number;
  now?: () => Date;
}

/** Joins an environment's desired state with what its cluster runs. */
export class LiveStatusService {
  constructor(private readonly options: LiveStatusServiceOptions) {}

  /** Whether the environment has a configured cluster to read. */
  covers(environment: EnvironmentConfig): boolean {
    return Boolean(
      environment.cluster && this.options.cache.has(environment.cluster),
    );
  }

  /** The service's objects in the environment's cluster, from the watch cache. */
  async find(options: {
    target: ServiceTarget;
    environment: EnvironmentConfig;
    desired: DesiredState | null;
    signal?: AbortSignal;
  }): Promise<{ cluster: string; namespace: string; found: ServiceObjects }> {
    const { target, environment, desired } = options;
    const cluster = environment.cluster!;
    const objects = await this.options.cache.objects(cluster, options.signal);
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
    return { cluster, namespace, found };
  }

  async status(options: {
    target: ServiceTarget;
    environment: EnvironmentConfig;
    desired: DesiredState | null;
    signal?: AbortSignal;
  }): Promise<LiveStatus> {
    const { environment, desired } = options;
    const { cluster, namespace, found } = await this.find(options);
    return {
      live: liveState(cluster, namespace, found),
      sync: syncState(found),
      drift: detectDrift(desired, found),
      problems: diagnose(found, {
        desired,
        expectAutoSync: environment.autoSync,
        argoReconcileSeconds: this.options.argoReconcileSeconds,
        now: this.options.now?.() ?? new Date(),
      }),
    };
  }
}
