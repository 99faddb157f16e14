/*
 * DEMO ONLY. The analysis steps of the demo's Rollouts: the step's AnalysisRun started once
 * (named `<rollout>-<hash>-<revision>-<step>`, `.1`, `.2` on a retry), measured with the
 * canary tag's success rate in the demo's traffic (1 − its `errorRatio`, a little noise), and
 * what its result means for the Rollout: Failed or Error aborts, Inconclusive pauses.
 */
import { createHash } from 'node:crypto';
import { DemoRegistry } from '../DemoRegistry';
import { KubeObject, ObjectStore } from '../ObjectStore';
import {
  advanceAnalysisRun,
  completed,
  erroredAnalysisRun,
  metaTime,
  newAnalysisRun,
  resolveArgs,
} from './analysisRuns';
import { CanaryStep } from './canarySteps';
import {
  Context,
  ROLLOUT_HASH_LABEL,
  RolloutWorkload,
  ready,
} from './rolloutTypes';

/** Completed AnalysisRuns kept per Rollout, successful and not (Argo Rollouts' default). */
const RUN_HISTORY = 5;

/** The AnalysisRuns of the demo's Rollouts' analysis steps. */
export class StepAnalyses {
  constructor(
    private readonly options: {
      store: ObjectStore;
      registry: DemoRegistry;
      /** Multiplies the templates' intervals. */
      timeScale: number;
    },
  ) {}

  private get timeScale(): number {
    return this.options.timeScale;
  }

  /** The analysis step: its run started (once), measured, and what its result means. */
  analyse(w: RolloutWorkload, c: Context, index: number, step: CanaryStep) {
    const { store, registry } = this.options;
    const { s, hash } = c;
    const rollout = store.get('rollouts', w.namespace, w.name);
    let run = s.stepRun?.name
      ? store.get('analysisruns', w.namespace, s.stepRun.name)
      : undefined;
    const labels = run?.metadata.labels ?? {};
    if (
      labels[ROLLOUT_HASH_LABEL] !== hash ||
      labels['step-index'] !== String(index) ||
      // Promoted after an inconclusive run: a new run decides.
      (run?.status?.phase === 'Inconclusive' && s.controllerPause)
    ) {
      run = undefined;
    }
    if (!run) {
      if (!rollout) return; // written first, the run's owner
      run = this.startRun(w, c, rollout, index, step);
    }
    const image = c.mem.images.get(run.metadata.labels?.[ROLLOUT_HASH_LABEL]);
    const taken = (run.status?.metricResults ?? []).reduce(
      (sum: number, r: any) => sum + (r.measurements?.length ?? 0),
      0,
    );
    const seed = `${run.metadata.name}/${taken}`;
    run = advanceAnalysisRun(run, {
      now: w.now,
      timeScale: this.timeScale,
      lastMeasured: c.mem.lastMeasured,
      measure: () => {
        const serving = w.pods.some(p => p.hash === hash && ready(p));
        if (!image || !serving) {
          return new Error(
            'reflect: slice index out of range (no canary pod serves requests)',
          );
        }
        return [successRate(registry.errorRatioOf(image), seed)];
      },
    });
    run = store.put('analysisruns', run);
    s.stepRun = {
      name: run.metadata.name,
      status: run.status.phase,
      ...(run.status.message ? { message: run.status.message } : {}),
    };
    if (run.status.phase === 'Failed' || run.status.phase === 'Error') {
      s.abort = true;
      s.abortMessage = run.status.message ?? '';
    } else if (
      run.status.phase === 'Inconclusive' &&
      !s.pauses.some(p => p.reason === 'InconclusiveAnalysis')
    ) {
      s.pauses.push({
        reason: 'InconclusiveAnalysis',
        startTime: metaTime(w.now),
      });
    }
  }

  private startRun(
    w: RolloutWorkload,
    c: Context,
    rollout: KubeObject,
    index: number,
    step: CanaryStep,
  ): KubeObject {
    const { store } = this.options;
    const base = `${w.name}-${c.hash}-${c.revision}-${index}`;
    let name = base;
    for (let n = 1; store.get('analysisruns', w.namespace, name); n++) {
      name = `${base}.${n}`; // CreateWithCollisionCounter
    }
    const names = (step.analysis?.templates ?? []).map(t => t.templateName);
    const templates = names.map(n =>
      w.templates.find(t => t.metadata.name === n),
    );
    const labels = {
      [ROLLOUT_HASH_LABEL]: c.hash,
      'rollout-type': 'Step',
      'step-index': String(index),
      ...c.spec.selector?.matchLabels,
    };
    const missing = names.find((_, i) => !templates[i]);
    let args: Array<{ name: string; value: string }> = [];
    let error = missing ? `AnalysisTemplate '${missing}' not found` : '';
    if (!error) {
      try {
        args = resolveArgs(
          templates as KubeObject[],
          step.analysis?.args ?? [],
          {
            rollout: { ...rollout, spec: c.spec },
            latestHash: c.hash,
            stableHash: c.s.stableRS ?? '',
          },
        );
      } catch (e) {
        error = (e as Error).message;
      }
    }
    const run = newAnalysisRun({
      name,
      rollout,
      templates: templates.filter((t): t is KubeObject => Boolean(t)),
      args,
      labels,
      revision: c.revision,
      now: w.now,
    });
    return error ? erroredAnalysisRun(run, error, w.now) : run;
  }

  /** Ends the Rollout's running AnalysisRuns (`spec.terminate`), as an abort or a new canary does. */
  terminateRuns(w: RolloutWorkload, keep: string | null) {
    const { store } = this.options;
    for (const run of this.runsOf(w)) {
      if (run.metadata.name === keep || completed(run.status?.phase)) continue;
      const terminated = advanceAnalysisRun(
        { ...run, spec: { ...run.spec, terminate: true } },
        {
          now: w.now,
          timeScale: this.timeScale,
          lastMeasured: new Map(),
          measure: () => new Error('terminated'),
        },
      );
      store.put('analysisruns', terminated);
    }
  }

  private runsOf(w: RolloutWorkload): KubeObject[] {
    return this.options.store
      .list('analysisruns', w.namespace)
      .filter(r =>
        (r.metadata.ownerReferences ?? []).some(
          (o: any) => o.kind === 'Rollout' && o.name === w.name,
        ),
      );
  }

  /** Keeps the last few completed runs of each outcome, as the controller's history limits. */
  pruneRuns(w: RolloutWorkload) {
    const done = this.runsOf(w)
      .filter(r => completed(r.status?.phase))
      .sort((a, b) =>
        String(a.status?.startedAt).localeCompare(String(b.status?.startedAt)),
      );
    for (const successful of [true, false]) {
      const runs = done.filter(
        r => (r.status.phase === 'Successful') === successful,
      );
      for (const old of runs.slice(0, Math.max(0, runs.length - RUN_HISTORY))) {
        this.options.store.delete(
          'analysisruns',
          w.namespace,
          old.metadata.name,
        );
      }
    }
  }
}

/**
 * The canary's success rate the demo's traffic model gives (1 − the tag's error ratio) with a
 * little noise of its own per run and measurement, rounded as a scraped rate would look.
 */
function successRate(errorRatio: number, seed: string): number {
  const h = createHash('sha256').update(seed).digest().readUInt32BE(0);
  const noise = ((h % 1000) / 1000 - 0.5) * 0.004;
  const rate = Math.min(1, Math.max(0, 1 - errorRatio + noise));
  return Number(rate.toFixed(4));
}
