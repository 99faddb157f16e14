/*
 * DEMO ONLY. Plays the Argo Rollouts controller for the demo's Rollouts (argoproj.io/v1alpha1),
 * writing their status in the controller's own format (`pkg/apis/rollouts/v1alpha1/types.go`).
 * A new pod template starts a canary at step 0: `setWeight` scales the canary's pods to the
 * weight's share of the replicas (rounded up) and the stable ones to the rest, a `pause` with a
 * duration ends by the clock, `pause: {}` waits for a promote, an `analysis` step starts an
 * AnalysisRun (analysisRuns.ts) whose failure aborts the rollout (the canary scaled to zero);
 * after the last step the canary becomes the stable version. What `kubectl argo rollouts` does
 * through the API is honoured: status patches of `pauseConditions` (promote), `currentStepIndex`
 * (skip a step), `promoteFull`, `abort` (true: abort, false: retry) and spec patches of
 * `paused` and `restartAt` (the pods are recreated one by one).
 */
import { DemoRegistry } from '../DemoRegistry';
import { KubeObject, ObjectStore } from '../ObjectStore';
import { owned } from '../ownership';
import { templateHash } from '../workloadObjects';
import { metaTime } from './analysisRuns';
import { CanaryStep, durationSeconds, stepsHash, stepsOf } from './canarySteps';
import { scalePods, targetsOf } from './rolloutPods';
import { rolloutPhase } from './rolloutStatus';
import { argoHealth, ordered, statusOf } from './rolloutStatusOf';
import {
  Context,
  Memory,
  RolloutOutcome,
  RolloutWorkload,
  State,
  cleared,
  ready,
} from './rolloutTypes';
import { StepAnalyses } from './stepAnalysis';

export { ROLLOUT_HASH_LABEL } from './rolloutTypes';
export type { RolloutOutcome, RolloutWorkload } from './rolloutTypes';

/** Options of {@link DemoRolloutsController}. */
export interface DemoRolloutsOptions {
  store: ObjectStore;
  registry: DemoRegistry;
  /**
   * Multiplies the pause durations and analysis intervals Git sets (1: as written; tests make
   * a 20 s pause take a second with 0.05).
   */
  timeScale?: number;
  /** A canary that makes no progress for this long times out, unless the Rollout sets one. */
  progressDeadlineSeconds?: number;
}

/** DEMO ONLY. See the file's comment. */
export class DemoRolloutsController {
  private readonly memory = new Map<string, Memory>();
  private readonly analyses: StepAnalyses;

  constructor(private readonly options: DemoRolloutsOptions) {
    this.analyses = new StepAnalyses({
      store: options.store,
      registry: options.registry,
      timeScale: options.timeScale ?? 1,
    });
  }

  /** One pass: the Rollout's step, its analysis, one pod when `scale`, its status. */
  reconcile(w: RolloutWorkload): RolloutOutcome {
    const { store } = this.options;
    const mem = this.memoryOf(`${w.namespace}/${w.name}`);
    const stored = store.get('rollouts', w.namespace, w.name);
    const prev: Record<string, any> = stored?.status ?? {};
    const spec = specOf(w, stored);
    const steps = stepsOf(spec);
    const stepCount = steps.length;
    const hash = templateHash(w.image);
    mem.images.set(hash, w.image);
    for (const pod of w.pods) mem.images.set(pod.hash, pod.image);
    const stepHash = stepsHash(steps);
    let revision =
      Number(stored?.metadata.annotations?.['rollout.argoproj.io/revision']) ||
      0;
    if (revision === 0) revision = 1;
    else if (prev.currentPodHash && prev.currentPodHash !== hash) revision++;
    const templates = this.writeTemplates(w, mem);

    const s: State = {
      stableRS: prev.stableRS,
      index: prev.currentStepIndex,
      pauses: [...(prev.pauseConditions ?? [])],
      controllerPause: Boolean(prev.controllerPause),
      abort: Boolean(prev.abort),
      abortedAt: prev.abortedAt,
      abortMessage: '',
      promoteFull: Boolean(prev.promoteFull),
      stepRun: prev.canary?.currentStepAnalysisRunStatus,
      restartedAt: prev.restartedAt,
      retried: false,
    };
    // A promote that moved to another step starts that step afresh.
    if (
      mem.writtenIndex !== undefined &&
      prev.currentStepIndex !== mem.writtenIndex
    ) {
      s.controllerPause = false;
    }
    const c: Context = { s, spec, steps, hash, revision, mem, prev };
    const atSteps = (index: number) => (stepCount > 0 ? index : undefined);
    if (!s.stableRS) {
      // Initial deploy: the first pod template is the stable one at once.
      Object.assign(s, cleared(), {
        stableRS: hash,
        index: atSteps(stepCount),
      });
    } else if (
      prev.currentPodHash !== hash ||
      prev.currentStepHash !== stepHash
    ) {
      // A new pod template (or new steps): a canary from step 0, or back to stable at once.
      Object.assign(s, cleared(), {
        index: atSteps(s.stableRS === hash ? stepCount : 0),
      });
      this.analyses.terminateRuns(w, null);
    } else {
      this.step(w, c);
    }
    s.controllerPause = s.pauses.length > 0;

    if (w.scale) scalePods(w, s, spec, steps, hash, mem);
    if (spec.restartAt && spec.restartAt !== s.restartedAt) {
      const restartAt = Date.parse(spec.restartAt);
      const renewed =
        w.pods.length >= w.replicas &&
        w.pods.every(p => ready(p) && Date.parse(p.startedAt) >= restartAt);
      if (renewed) s.restartedAt = spec.restartAt;
    }

    const status = statusOf(w, c, this.options.progressDeadlineSeconds ?? 600);
    const { phase, message } = rolloutPhase(spec, status);
    status.phase = phase;
    if (message) status.message = message;
    const specJson = JSON.stringify(spec);
    const written = mem.writtenSpec ?? JSON.stringify(stored?.spec ?? null);
    const generation = stored
      ? (stored.metadata.generation ?? 1) + (specJson === written ? 0 : 1)
      : 1;
    status.observedGeneration = String(generation);
    mem.writtenSpec = specJson;
    mem.writtenIndex = s.index;
    const rollout = store.put(
      'rollouts',
      owned(
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: {
            name: w.name,
            namespace: w.namespace,
            labels: { ...w.rollout.metadata.labels },
            annotations: {
              ...w.rollout.metadata.annotations,
              'rollout.argoproj.io/revision': String(revision),
            },
            generation,
          },
          spec,
          status: ordered(status),
        },
        w.managedBy,
      ),
    );
    this.analyses.pruneRuns(w);
    return {
      rollout,
      templates,
      ...argoHealth(phase, message),
    };
  }

  private memoryOf(key: string): Memory {
    let mem = this.memory.get(key);
    if (!mem) {
      mem = {
        images: new Map(),
        lastMeasured: new Map(),
        progress: { key: '', at: 0 },
        templates: new Set(),
      };
      this.memory.set(key, mem);
    }
    return mem;
  }

  private get timeScale(): number {
    return this.options.timeScale ?? 1;
  }

  /** The step the canary is at: its analysis, its pause, and whether it is done. */
  private step(w: RolloutWorkload, c: Context) {
    const { s, spec, steps, hash } = c;
    const stepCount = steps.length;
    let index = s.index ?? 0;
    if (!s.abort && s.abortedAt) {
      // Retried (`status.abort` set back to false): the steps start again.
      s.abortedAt = undefined;
      s.retried = true;
    }
    if (s.promoteFull) {
      s.pauses = [];
      s.controllerPause = false;
      s.abort = false;
      s.abortedAt = undefined;
      index = stepCount;
    }
    const step: CanaryStep | undefined = steps[index];
    if (s.abort || s.promoteFull) {
      this.analyses.terminateRuns(w, null);
    } else if (step?.analysis) {
      if (s.pauses.length === 0) this.analyses.analyse(w, c, index, step);
    } else {
      this.analyses.terminateRuns(w, null);
      s.stepRun = undefined;
    }
    const pauseCondition = s.pauses.find(p => p.reason === 'CanaryPauseStep');
    const pauseKey = `${hash}/${index}`;
    if (
      !s.abort &&
      !spec.paused &&
      step?.pause &&
      !pauseCondition &&
      !s.controllerPause
    ) {
      s.pauses.push({ reason: 'CanaryPauseStep', startTime: metaTime(w.now) });
      c.mem.pauseStarted = { key: pauseKey, at: w.now.getTime() };
    }
    const canaryAvailable = w.pods.filter(
      p => p.hash === hash && ready(p),
    ).length;
    if (s.abort) {
      s.pauses = [];
      s.abortedAt ??= metaTime(w.now);
      index = s.stableRS === hash ? stepCount : 0;
    } else if (index >= stepCount && canaryAvailable >= w.replicas) {
      // Every step done (or a full promotion) and the canary all there: it is the stable one.
      s.stableRS = hash;
      s.pauses = [];
      s.promoteFull = false;
      index = stepCount;
    } else if (
      index < stepCount &&
      this.stepDone(w, c, step!, pauseCondition, index)
    ) {
      index++;
      s.stepRun = undefined;
      s.pauses = s.pauses.filter(p => p.reason !== 'CanaryPauseStep');
    }
    s.index = stepCount > 0 ? index : undefined;
  }

  /** `completedCurrentCanaryStep`. */
  private stepDone(
    w: RolloutWorkload,
    c: Context,
    step: CanaryStep,
    pauseCondition: { startTime: string } | undefined,
    index: number,
  ): boolean {
    const { s, spec, hash } = c;
    if (spec.paused) return false;
    if (step.pause) {
      if (s.controllerPause && !pauseCondition) return true; // promoted
      const duration = durationSeconds(step.pause.duration);
      if (duration === null || !pauseCondition) return false;
      const key = `${hash}/${index}`;
      const started =
        c.mem.pauseStarted?.key === key
          ? c.mem.pauseStarted.at
          : Date.parse(pauseCondition.startTime);
      return w.now.getTime() >= started + duration * 1000 * this.timeScale;
    }
    if (typeof step.setWeight === 'number') {
      const targets = targetsOf(s, c.steps, hash, w.replicas, index);
      return (
        w.pods.every(p => targets.has(p.hash)) &&
        [...targets].every(([h, n]) => {
          const pods = w.pods.filter(p => p.hash === h);
          return pods.length === n && (h !== hash || pods.every(ready));
        })
      );
    }
    if (step.analysis) return s.stepRun?.status === 'Successful';
    return true; // a step the demo does not play passes
  }

  /** The AnalysisTemplates, applied with the Rollout by the same engine. */
  private writeTemplates(w: RolloutWorkload, mem: Memory): KubeObject[] {
    const { store } = this.options;
    const written = w.templates.map(t =>
      store.put(
        'analysistemplates',
        owned(
          {
            ...structuredClone(t),
            metadata: { ...t.metadata, namespace: w.namespace },
          },
          w.managedBy,
        ),
      ),
    );
    const names = new Set(written.map(t => t.metadata.name));
    for (const name of mem.templates) {
      if (!names.has(name))
        store.delete('analysistemplates', w.namespace, name);
    }
    mem.templates = names;
    return written;
  }
}

/** Git's spec, with what users set in the cluster (`paused`, `restartAt`) when Git sets neither. */
function specOf(w: RolloutWorkload, stored: KubeObject | undefined) {
  const spec = structuredClone(w.rollout.spec ?? {});
  for (const field of ['paused', 'restartAt']) {
    if (spec[field] === undefined && stored?.spec?.[field] !== undefined) {
      spec[field] = stored.spec[field];
    }
  }
  spec.replicas = w.replicas;
  return spec;
}
