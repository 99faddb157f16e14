/*
 * DEMO ONLY. How many pods each side of a basic canary (no traffic routing) gets, and the one
 * pod the demo's Argo Rollouts controller starts or stops per step toward that.
 */
import { DemoPod } from '../workloadObjects';
import { CanaryStep, weightAt } from './canarySteps';
import { Memory, RolloutWorkload, State } from './rolloutTypes';

/**
 * How many pods each side should have (a basic canary, no traffic routing): all stable when
 * promoted or aborted, else the weight's share of the replicas (rounded up) for the canary.
 */
export function targetsOf(
  s: State,
  steps: readonly CanaryStep[],
  hash: string,
  replicas: number,
  index: number,
): Map<string, number> {
  if (!s.stableRS || s.stableRS === hash) return new Map([[hash, replicas]]);
  if (s.abort) return new Map([[s.stableRS, replicas]]);
  const weight = s.promoteFull ? 100 : weightAt(steps, index);
  const canary = Math.min(replicas, Math.ceil((replicas * weight) / 100));
  return new Map([
    [hash, canary],
    [s.stableRS, replicas - canary],
  ]);
}

/** One pod started or stopped toward the step's counts, or one pod restarted. */
export function scalePods(
  w: RolloutWorkload,
  s: State,
  spec: Record<string, any>,
  steps: readonly CanaryStep[],
  hash: string,
  mem: Memory,
) {
  const targets = targetsOf(s, steps, hash, w.replicas, s.index ?? 0);
  const count = (h: string) => w.pods.filter(p => p.hash === h).length;
  for (const [h, n] of targets) {
    const image = mem.images.get(h);
    if (count(h) < n && image) {
      w.pods.push(w.newPod(image));
      return;
    }
  }
  const remove = (pod: DemoPod | undefined) => {
    if (!pod) return false;
    w.pods.splice(w.pods.indexOf(pod), 1);
    return true;
  };
  // An older canary first, then what a side has too many of.
  if (remove(w.pods.find(p => !targets.has(p.hash)))) return;
  for (const [h, n] of targets) {
    if (count(h) > n && remove(w.pods.filter(p => p.hash === h).pop())) return;
  }
  if (spec.restartAt && spec.restartAt !== s.restartedAt) {
    const restartAt = Date.parse(spec.restartAt);
    remove(w.pods.find(p => Date.parse(p.startedAt) < restartAt));
  }
}
