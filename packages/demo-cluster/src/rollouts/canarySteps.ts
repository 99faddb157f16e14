/*
 * DEMO ONLY. The canary steps of an Argo Rollouts Rollout (argoproj.io/v1alpha1
 * `spec.strategy.canary.steps`) as the demo's controller reads them: the weight a step index
 * stands at, Go-style durations, and the hashes Argo Rollouts writes into the status.
 */
import { HASH_SEED, mixHash } from '@gitops-backstage/plugin-gitops-repository';

/** One step of `spec.strategy.canary.steps`; the demo plays setWeight, pause and analysis. */
export interface CanaryStep {
  setWeight?: number;
  /** `{}` waits until promoted; `duration` (`20s`, `1m`, or seconds as a number) ends by itself. */
  pause?: { duration?: string | number };
  analysis?: {
    templates?: Array<{ templateName: string; clusterScope?: boolean }>;
    args?: RolloutAnalysisArg[];
  };
  [other: string]: unknown;
}

/** An argument of an analysis step: a value, or where the controller takes it from. */
export interface RolloutAnalysisArg {
  name: string;
  value?: string;
  valueFrom?: {
    podTemplateHashValue?: 'Latest' | 'Stable';
    fieldRef?: { fieldPath: string };
  };
}

/** The canary steps of a Rollout's spec; none for another strategy. */
export function stepsOf(spec: Record<string, any> | undefined): CanaryStep[] {
  const steps = spec?.strategy?.canary?.steps;
  return Array.isArray(steps) ? steps : [];
}

/**
 * A duration as Argo Rollouts takes it (`DurationString`: Go's `time.ParseDuration`, or an
 * integer of seconds), in seconds; `null` when absent or unreadable.
 */
export function durationSeconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^\d+$/.test(value)) return Number(value);
  const units: Record<string, number> = {
    h: 3600,
    m: 60,
    s: 1,
    ms: 0.001,
  };
  let total = 0;
  let rest = value.trim();
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|h|m|s)/.exec(rest);
    if (!m) return null;
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/**
 * The traffic weight of the canary at a step index (Argo Rollouts' `GetCurrentSetWeight`): the
 * last `setWeight` at or before it, 100 once every step is done, 0 before the first.
 */
export function weightAt(steps: readonly CanaryStep[], index: number): number {
  if (index >= steps.length) return 100;
  for (let i = index; i >= 0; i--) {
    const weight = steps[i]?.setWeight;
    if (typeof weight === 'number') return weight;
  }
  return 0;
}

/** How `kubectl argo rollouts` and the controller's events name a step. */
export function stepLabel(step: CanaryStep | undefined): string {
  if (!step) return 'none';
  if (typeof step.setWeight === 'number') return `setWeight: ${step.setWeight}`;
  if (step.pause) {
    return step.pause.duration === undefined
      ? 'pause'
      : `pause: ${step.pause.duration}`;
  }
  if (step.analysis) return 'analysis';
  return 'invalid';
}

/** Kubernetes' alphabet of generated names (`rand.SafeEncodeString`: no vowels, no 0/1/3). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * `status.currentStepHash` as Argo Rollouts computes it (`ComputeStepHash`): FNV-32a of the
 * steps' JSON, its decimal digits safe-encoded. The demo hashes the steps as Git has them.
 */
export function stepsHash(steps: readonly CanaryStep[]): string {
  // Of the UTF-8 bytes, as Go hashes them (not of UTF-16 code units), read unsigned.
  let hash = HASH_SEED;
  for (const byte of Buffer.from(JSON.stringify(steps), 'utf8')) {
    hash = mixHash(hash, byte);
  }
  return [...String(hash >>> 0)]
    .map(c => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length])
    .join('');
}
