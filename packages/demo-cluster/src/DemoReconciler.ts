import { LoggerService } from '@backstage/backend-plugin-api';
import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import {
  GitProvider,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';
import { AppOfApps } from './AppOfApps';
import { DemoImage, DemoRegistry } from './DemoRegistry';
import { RepositoryHeads } from './RepositoryHeads';
import { RuntimeSources } from './RuntimeSources';
import { AppliedResource, withSourceStatus } from './engineStatus';
import { readHelmRelease } from './helmRelease';
import { reconcileImageAutomation } from './imageAutomation';
import { KubeObject, ObjectStore } from './ObjectStore';
import { templateHash } from './workloadObjects';
import {
  appliedResource,
  ownershipOf,
  writeEngineStatus,
  writeHelmRelease,
} from './engineObjects';
import { writeWorkload } from './writeWorkload';
import {
  WorkloadControllers,
  autoscalerTarget,
  demandOf,
  newPod,
  replicasOf,
  stepWorkload,
} from './workloadControllers';
import { DemoSecurityReports, ScannedWorkload } from './securityReports';
import { DemoRolloutsController } from './rollouts/DemoRolloutsController';
import {
  RenderedRollout,
  Runtime,
  autoscalerInSync,
  deploymentInSync,
  fluxRevision,
  imageOf,
  renderedRollout,
  runtimesOf,
  sameRollout,
  sameWorkload,
} from './runtimes';

/** Options of {@link DemoReconciler}. */
export interface DemoReconcilerOptions {
  store: ObjectStore;
  registry: DemoRegistry;
  git: GitProvider;
  /** The repository engines follow unless `repositories` names theirs. */
  repository: GitRepositoryRef;
  /** Repositories of Flux GitRepository objects by name (`spec.sourceRef.name`), when not `repository`. */
  repositories?: Record<string, GitRepositoryRef>;
  logger: LoggerService;
  /** Replica demand of autoscaled services (`DemoLoad` seeds), keyed `<workload>/<namespace>`. */
  load: Map<string, number>;
  /** Time between rollout steps (one pod started or stopped); default 1500 ms. */
  stepMs?: number;
  /** How long a new commit shows OutOfSync before an automated sync applies it; default 2000 ms. */
  syncDelayMs?: number;
  /** A rollout not done by then is stuck (Degraded); default 20 s. */
  progressDeadlineSeconds?: number;
  /**
   * Multiplies the pause durations and analysis intervals of the Argo Rollouts canaries
   * (rollouts/); default 1, as Git has them.
   */
  rolloutTimeScale?: number;
  /**
   * The registry's image seeds (signers, vulnerabilities per tag), for the reports Trivy
   * Operator and Kyverno write about the workloads (securityReports.ts); none without them.
   */
  images?: readonly DemoImage[];
}

/**
 * DEMO ONLY. Plays Argo CD, Flux and the Kubernetes controllers for the demo cluster: follows
 * the GitOps repository's branch head, renders each engine object's path with the plugin's own
 * desired-state reader, and moves the cluster toward it the way the real controllers do — a
 * new commit is OutOfSync, an automated (or requested) sync applies it, the Deployment rolls
 * pod by pod, autoscalers step toward their demand. Images the demo registry lacks fail to
 * pull; images it marks as crashing crash-loop. Flux's image automation scans the demo
 * registry and reports what its policies pick, without committing (imageAutomation.ts).
 */
export class DemoReconciler {
  private runtimes: Runtime[];
  private readonly parents: AppOfApps;
  private readonly sources: RuntimeSources;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly heads: RepositoryHeads;
  private readonly reports: DemoSecurityReports;
  /** Argo Rollouts, when the cluster serves its kinds. */
  private readonly rollouts?: DemoRolloutsController;
  /** What the Deployment and autoscaler controllers step with. */
  private readonly controllers: WorkloadControllers;

  constructor(private readonly options: DemoReconcilerOptions) {
    this.runtimes = runtimesOf(options.store);
    if (options.store.serves('rollouts')) {
      this.rollouts = new DemoRolloutsController({
        store: options.store,
        registry: options.registry,
        timeScale: options.rolloutTimeScale,
        progressDeadlineSeconds: options.progressDeadlineSeconds ?? 20,
      });
    }
    this.controllers = {
      registry: options.registry,
      load: options.load,
      stepMs: options.stepMs ?? 1500,
      rolloutsControlled: Boolean(this.rollouts),
    };
    this.reports = new DemoSecurityReports(
      options.store,
      options.registry,
      options.images ?? [],
    );
    this.heads = new RepositoryHeads(options);
    this.parents = new AppOfApps({ ...options, heads: this.heads });
    this.sources = new RuntimeSources({
      git: options.git,
      charts: options.registry.charts,
    });
  }

  /** Reconciles now and then every `intervalMs`. */
  start(intervalMs = 1000) {
    const tick = () => {
      this.running = this.reconcile()
        .catch(error =>
          this.options.logger.warn(`demo reconcile failed: ${error}`),
        )
        .finally(() => {
          this.timer = setTimeout(tick, intervalMs);
        });
    };
    tick();
  }

  async stop() {
    clearTimeout(this.timer);
    await this.running;
    clearTimeout(this.timer);
  }

  /** One pass over every engine object. */
  async reconcile(now = new Date()): Promise<void> {
    const headOf = this.heads.pass(now);
    // App of apps: the engine objects the parents apply, before those are reconciled.
    await this.parents.reconcile(headOf, now);
    this.runtimes = this.parents.workloads(this.runtimes);
    for (const source of this.options.store.list('gitrepositories')) {
      const { head, seenAt } = await headOf(
        this.heads.repositoryOf(source.metadata.name),
      );
      this.options.store.put(
        'gitrepositories',
        withSourceStatus(source, head, fluxRevision, new Date(seenAt), now),
      );
    }
    // After the sources: an ImageUpdateAutomation observes its GitRepository's revision.
    reconcileImageAutomation(this.options.store, this.options.registry, now);
    for (const runtime of this.runtimes) {
      const repository = this.heads.repositoryOf(runtime.sourceName);
      const { head } = await headOf(repository);
      await this.reconcileOne(runtime, repository, head, now);
    }
  }

  private async reconcileOne(
    rt: Runtime,
    repository: GitRepositoryRef,
    head: string,
    now: Date,
  ) {
    const { store } = this.options;
    const engine = store.get(rt.plural, rt.namespace, rt.name);
    if (!engine) return;
    let desired: DesiredState | undefined;
    let inputs: string[] = [];
    let rollout: RenderedRollout | undefined;
    let error: string | null = null;
    try {
      const result = await this.sources.render(rt, repository, head);
      ({ state: desired, inputs } = result);
      // Argo Rollouts plays the Rollout Git renders, when the cluster has its CRDs.
      if (this.rollouts) rollout = renderedRollout(desired, result.rendered);
    } catch (e) {
      error = `rendering ${rt.repoPath} at ${head.slice(0, 7)}: ${
        (e as Error).message
      }`;
    }
    // A suspended HelmRelease is not upgraded either: its workload stays as it is.
    const release = rt.helmSource?.object.metadata;
    const suspended =
      engine.spec?.suspend === true ||
      (release &&
        store.get('helmreleases', release.namespace!, release.name)?.spec
          ?.suspend === true);
    const automated =
      rt.plural === 'kustomizations'
        ? !suspended
        : Boolean(engine.spec?.syncPolicy?.automated);
    const requested = rt.plural === 'applications' && Boolean(engine.operation);

    if (desired && !rt.applied && !rt.created) {
      // The demo starts with everything synced: the cluster as a running platform has it,
      // each environment deployed when Git last changed it.
      const since = await this.sources.lastChangeAt(repository, head, inputs);
      this.apply(rt, head, desired, now, true, true, since, rollout);
    } else if (desired && head !== rt.applied?.revision) {
      if (
        rt.applied &&
        sameWorkload(desired, rt.applied.desired) &&
        sameRollout(rollout, rt.applied.rollout)
      ) {
        rt.applied = { ...rt.applied, revision: head };
      } else {
        rt.outOfSyncSince ??= now.getTime();
        const waited =
          now.getTime() - rt.outOfSyncSince >=
          (this.options.syncDelayMs ?? 2000);
        if ((automated && waited) || requested)
          this.apply(
            rt,
            head,
            desired,
            now,
            false,
            !requested,
            undefined,
            rollout,
          );
      }
    }
    if (
      desired?.definition?.kind === 'HelmRelease' &&
      rt.applied?.revision === head &&
      rt.helmSource?.revision !== head
    ) {
      // The Kustomization applied this revision: its HelmRelease is what Git has there.
      rt.helmSource = await readHelmRelease({
        read: file =>
          this.options.git.readFile({
            repository,
            revision: head,
            path: file,
          }),
        charts: this.options.registry.charts,
        folders: inputs.filter(i => !/\.ya?ml$/.test(i)),
        name: desired.definition.name,
        namespace: rt.destination,
        revision: head,
      });
    }
    if (requested) {
      // The sync operation ran: Argo CD clears `operation` and records `operationState`.
      const cleared = store.get(rt.plural, rt.namespace, rt.name)!;
      delete cleared.operation;
      store.put(rt.plural, cleared);
    }
    if (engine.metadata.annotations?.['argocd.argoproj.io/refresh']) {
      const refreshed = store.get(rt.plural, rt.namespace, rt.name)!;
      delete refreshed.metadata.annotations['argocd.argoproj.io/refresh'];
      store.put(rt.plural, refreshed);
      rt.statusAt = now.toISOString();
    }
    const stepped = stepWorkload(rt, now, this.controllers);
    this.writeObjects(rt, head, desired, error, now, stepped, rollout);
  }

  private apply(
    rt: Runtime,
    head: string,
    desired: DesiredState,
    now: Date,
    instant: boolean,
    automated: boolean,
    /** For what the demo starts with: when Git last changed the environment. */
    since?: Date,
    /** The Rollout that is the workload, when it is one. */
    rollout?: RenderedRollout,
  ) {
    const previous = rt.applied?.desired;
    rt.applied = {
      revision: head,
      desired,
      at: now.toISOString(),
      ...(rollout ? { rollout } : {}),
    };
    rt.outOfSyncSince = undefined;
    rt.statusAt = now.toISOString();
    if (rt.plural === 'applications') {
      // What the demo starts with was synced when it was committed (or an hour ago).
      const at = new Date(
        instant ? since?.getTime() ?? now.getTime() - 3600_000 : now.getTime(),
      ).toISOString();
      const id = (rt.syncs[rt.syncs.length - 1]?.id ?? -1) + 1;
      rt.syncs.push({
        id,
        revision: head,
        startedAt: at,
        finishedAt: at,
        automated,
      });
      rt.syncs.splice(0, rt.syncs.length - 10); // revisionHistoryLimit
    }
    if (previous && imageOf(previous) === imageOf(desired) && !instant) return; // scaling only
    rt.generation += instant ? 0 : 1;
    // What the demo starts with has been running for an hour, failures included.
    rt.rolloutStartedAt = new Date(
      now.getTime() - (instant ? 3600_000 : 0),
    ).toISOString();
    if (instant) {
      const image = imageOf(desired);
      rt.pods = Array.from({ length: replicasOf(rt, desired) }, () =>
        newPod(rt, image, new Date(now.getTime() - 3600_000), this.controllers),
      );
    }
    this.options.logger.info(
      `demo: ${rt.plural === 'applications' ? 'Argo CD' : 'Flux'} ${
        rt.name
      } applies ${head.slice(0, 7)} (${imageOf(desired)})`,
    );
  }

  private writeObjects(
    rt: Runtime,
    head: string,
    desired: DesiredState | undefined,
    error: string | null,
    now: Date,
    /** Whether the workload's controller may start or stop a pod now. */
    stepped: boolean,
    /** The Rollout Git renders now, when the workload is one. */
    rendered?: RenderedRollout,
  ) {
    const { store } = this.options;
    if (!rt.applied) {
      // Never synced: a broken render, or (created by a parent) waiting for its first sync.
      if (error || desired)
        writeEngineStatus(
          store,
          rt,
          head,
          false,
          error ? 'Degraded' : 'Missing',
          error,
          error,
          now,
          [],
        );
      return;
    }
    const applied = rt.applied.desired;
    const namespace = applied.namespace ?? rt.destination;
    const workload = applied.workload ?? rt.workload;
    const labels = { 'app.kubernetes.io/name': rt.workload };
    const image = imageOf(applied);
    const hash = templateHash(image);
    const replicas = replicasOf(rt, applied);
    const hpa = applied.autoscaling;
    const release = rt.helmSource?.object;
    const inNamespace = (o: KubeObject): KubeObject => ({
      ...o,
      metadata: { ...o.metadata, namespace },
    });
    const applying = rt.applied.rollout;
    const rollout =
      applying &&
      this.rollouts?.reconcile({
        rollout: inNamespace(applying.object),
        templates: applying.templates.map(inNamespace),
        namespace,
        name: workload,
        image,
        replicas,
        pods: rt.pods,
        scale: stepped,
        newPod: podImage => newPod(rt, podImage, now, this.controllers),
        now,
        managedBy: ownershipOf(rt),
      });
    const { health, message, ...written } = writeWorkload(store, {
      namespace,
      name: workload,
      labels,
      image,
      replicas,
      generation: rt.generation,
      pods: rt.pods,
      hash,
      rolloutStartedAt: rt.rolloutStartedAt,
      progressDeadlineSeconds: this.options.progressDeadlineSeconds ?? 20,
      now,
      owner: rt.workload,
      managedBy: ownershipOf(rt),
      autoscaler: hpa?.maxReplicas
        ? {
            min: hpa.minReplicas ?? 1,
            max: hpa.maxReplicas,
            wanted: autoscalerTarget(rt, applied, this.controllers),
            cpuTarget: hpa.targetCPUUtilizationPercentage ?? 80,
            demand:
              demandOf(rt, this.controllers) ?? (hpa.minReplicas ?? 1) * 0.8,
          }
        : null,
      ...(rollout ? { rollout } : {}),
    });
    // Trivy Operator and Kyverno report on what now runs.
    this.reports.write({
      namespace,
      name: workload,
      pods: rt.pods,
      now,
      declared: (applied as { podSecurity?: ScannedWorkload['declared'] })
        .podSecurity,
    });
    const git = desired ?? applied;
    const rolloutInSync = !desired || sameRollout(rendered, applying);
    const inSync =
      !desired || (sameWorkload(desired, applied) && rolloutInSync);
    const resource = (
      object: KubeObject,
      synced: boolean,
      healthy: AppliedResource['health'],
    ) => appliedResource(object, synced, healthy, message);
    // What the engine applied: the HelmRelease, or the workload and its autoscaler (and a
    // Rollout's AnalysisTemplates, which Argo CD has no health check of).
    const resourceOf = (o: KubeObject): AppliedResource => {
      if (o.kind === 'Deployment') {
        return resource(o, deploymentInSync(git, applied), health);
      }
      if (o.kind === 'Rollout') {
        return resource(
          o,
          deploymentInSync(git, applied) && rolloutInSync,
          health,
        );
      }
      if (o.kind === 'AnalysisTemplate') {
        return resource(o, rolloutInSync, undefined);
      }
      return resource(o, autoscalerInSync(git, applied), 'Healthy');
    };
    const helmRelease =
      release &&
      writeHelmRelease(
        store,
        rt,
        health === 'Suspended' ? 'Progressing' : health,
        now,
      );
    const resources = helmRelease
      ? [resource(helmRelease, inSync, health)]
      : written.applied.map(resourceOf);
    writeEngineStatus(
      store,
      rt,
      head,
      inSync,
      health,
      message,
      error,
      now,
      resources,
    );
  }
}
