/*
 * DEMO ONLY. What the demo's Argo Rollouts controller (DemoRolloutsController.ts) works on: the
 * Rollout a runtime applied and its pods, what it decides in a pass, what it keeps between them.
 */
import { KubeObject } from '../ObjectStore';
import { Ownership } from '../ownership';
import { DemoPod } from '../workloadObjects';
import { CanaryStep } from './canarySteps';

/** The label Argo Rollouts puts on a Rollout's ReplicaSets, pods and AnalysisRuns. */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';

/** One Rollout as the demo reconciler applied it, and the pods it runs. */
export interface RolloutWorkload {
  /** The Rollout as Git renders it, its namespace set. */
  rollout: KubeObject;
  /** The AnalysisTemplates rendered beside it (applied with it). */
  templates: KubeObject[];
  namespace: string;
  name: string;
  /** The image of the Rollout's pod template: its hash is the current pod hash. */
  image: string;
  /** `spec.replicas` (what Git says, or the autoscaler's count). */
  replicas: number;
  /** The runtime's pods, started and stopped here. */
  pods: DemoPod[];
  /** Whether a pod may be started or stopped now (the demo's step pace). */
  scale: boolean;
  newPod: (image: string) => DemoPod;
  now: Date;
  /** The labels and annotations of the engine that applies the Rollout. */
  managedBy?: Ownership;
}

/** What Argo CD's health check makes of the Rollout, and what was written. */
export interface RolloutOutcome {
  rollout: KubeObject;
  templates: KubeObject[];
  health: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended';
  message: string | null;
}

/** What the controller keeps between passes, beside the status (finer than its seconds). */
export interface Memory {
  /** The image of each pod hash seen, to start stable pods again after an abort. */
  images: Map<string, string>;
  writtenSpec?: string;
  writtenIndex?: number;
  /** When the current pause began, by `<hash>/<index>`. */
  pauseStarted?: { key: string; at: number };
  lastMeasured: Map<string, number>;
  progress: { key: string; at: number };
  templates: Set<string>;
}

/** What the controller decides in a pass, before it is the status. */
export interface State {
  stableRS?: string;
  index?: number;
  pauses: Array<{ reason: string; startTime: string }>;
  controllerPause: boolean;
  abort: boolean;
  abortedAt?: string;
  /** Why the rollout aborts, when this pass aborts it (a failed analysis). */
  abortMessage: string;
  promoteFull: boolean;
  stepRun?: { name: string; status: string; message?: string };
  restartedAt?: string;
  /** Retried in this pass. */
  retried: boolean;
}

export interface Context {
  s: State;
  spec: Record<string, any>;
  steps: readonly CanaryStep[];
  hash: string;
  revision: number;
  mem: Memory;
  prev: Record<string, any>;
}

/** The status of a new update (`resetRolloutStatus`). */
export function cleared(): Partial<State> {
  return {
    pauses: [],
    controllerPause: false,
    abort: false,
    abortedAt: undefined,
    promoteFull: false,
    stepRun: undefined,
  };
}

/** A pod that serves: ready (the demo's pods are ready once they run). */
export const ready = (p: DemoPod) => p.outcome === 'runs';
