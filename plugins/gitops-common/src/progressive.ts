/**
 * Progressive delivery: an Argo Rollouts `Rollout` (argoproj.io/v1alpha1) or a Flagger `Canary`
 * (flagger.app/v1beta1) as the environment's lane shows it, read from the cluster's watches.
 */

/**
 * What the controller behind a rollout is asked to do from the portal (`POST …/rollouts`):
 * `promote` goes to the next step (or ends a blue-green pre-promotion pause), `promoteFull`
 * skips the remaining steps, analysis and pauses, `abort` sends traffic back to the stable
 * version, `retry` starts an aborted rollout again, `restart` recreates the pods. Rolling
 * back stays a Git commit.
 *
 * @public
 */
export type RolloutAction =
  | 'promote'
  | 'promoteFull'
  | 'abort'
  | 'retry'
  | 'restart';

/**
 * Every {@link RolloutAction}, in the order the lane shows them.
 *
 * @public
 */
export const ROLLOUT_ACTIONS: readonly RolloutAction[] = [
  'promote',
  'promoteFull',
  'abort',
  'retry',
  'restart',
];

/**
 * One step of a canary strategy as the Rollout or Canary declares it.
 *
 * @public
 */
export interface RolloutStep {
  /** `setWeight`, `pause`, `analysis`, `experiment`, or `other` (setCanaryScale, routes, plugins). */
  kind: 'setWeight' | 'pause' | 'analysis' | 'experiment' | 'other';
  /** What the step does, e.g. `weight 20 %`, `pause 5m`, `pause until promoted`, `analysis success-rate`. */
  label: string;
  /** The traffic weight this step sets, in percent; `null` for steps that set none. */
  weight: number | null;
}

/**
 * One measurement of an analysis metric.
 *
 * @public
 */
export interface RolloutMeasurement {
  /** `Successful`, `Failed`, `Inconclusive`, `Error`, `Running`, `Pending`. */
  phase: string;
  /** The value as the provider returned it (Argo Rollouts stores a string, e.g. `[0.93]`). */
  value: string | null;
  finishedAt: string | null;
  message: string | null;
}

/**
 * One metric of an analysis, with its condition and last measurements.
 *
 * @public
 */
export interface RolloutAnalysisMetric {
  name: string;
  /** `Successful`, `Failed`, `Inconclusive`, `Error`, `Running`, `Pending`. */
  phase: string;
  /** Argo Rollouts `successCondition` (`result[0] >= 0.95`), Flagger's threshold range (`>= 99`). */
  successCondition: string | null;
  failureCondition: string | null;
  /** The provider's name and query, e.g. `prometheus`, the PromQL. */
  provider: string | null;
  query: string | null;
  /** Counts of the metric's measurements so far. */
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  /** How many failures the metric tolerates before the analysis fails. */
  failureLimit: number | null;
  /** The last measurements, newest last (at most five). */
  measurements: RolloutMeasurement[];
  message: string | null;
}

/**
 * The analysis the rollout runs or last ran: an Argo Rollouts AnalysisRun, or Flagger's checks.
 *
 * @public
 */
export interface RolloutAnalysis {
  /** The AnalysisRun's name; the Canary's name for Flagger. */
  name: string;
  /** `Pending`, `Running`, `Successful`, `Failed`, `Error`, `Inconclusive`. */
  state: string;
  /** Which part of the rollout started it. */
  type: 'step' | 'background' | 'prePromotion' | 'postPromotion' | 'canary';
  /**
   * The revision it analysed: the AnalysisRun's `rollouts-pod-template-hash` label (compare
   * with the sides' `revision`); `null` for Flagger and runs without the label.
   */
  revision: string | null;
  message: string | null;
  startedAt: string | null;
  metrics: RolloutAnalysisMetric[];
  /**
   * Flagger: the failed checks of the running analysis (`status.failedChecks`, which Flagger
   * resets to 0 when it fails the canary) and the count that fails it (`analysis.threshold`).
   */
  failedChecks?: number | null;
  threshold?: number | null;
}

/**
 * One side of a rollout: the version that serves (stable) or the one being rolled out (canary).
 *
 * @public
 */
export interface RolloutSide {
  /** The image of the service's container on this side, e.g. `ghcr.io/acme/guestbook:v1.0.5`. */
  image: string | null;
  /** The pod-template hash (Argo Rollouts) or Deployment name (Flagger) of the side. */
  revision: string | null;
  /** Pods of the side that are ready, and all of them. */
  ready: number;
  pods: number;
}

/**
 * Whether an action is accepted in the rollout's current state, and why not.
 *
 * @public
 */
export interface RolloutActionState {
  action: RolloutAction;
  allowed: boolean;
  /** Why it is not allowed (or not supported by the controller); `null` when allowed. */
  reason: string | null;
}

/**
 * An environment's progressive rollout (`rollout` of `/environments`).
 *
 * @public
 */
export interface ProgressiveRollout {
  controller: 'argo-rollouts' | 'flagger';
  /** `Rollout` or `Canary`, and where it is. */
  kind: 'Rollout' | 'Canary';
  name: string;
  namespace: string;
  strategy: 'canary' | 'blueGreen';
  /**
   * The controller's own phase: Argo Rollouts `status.phase` (Healthy, Progressing, Paused,
   * Degraded), Flagger `status.phase` (Initialized, Progressing, WaitingPromotion, Promoting,
   * Finalising, Succeeded, Failed, …).
   */
  phase: string;
  /** The roll-up the lane shows. */
  health: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded' | 'Unknown';
  /** The controller's message (`status.message`, the Promoted condition's message). */
  message: string | null;
  /** The current step, 1-based (`steps` when all are done); `null` without steps. */
  step: number | null;
  /** How many steps the strategy has; `null` without steps (blue-green, Flagger). */
  steps: number | null;
  stepList: RolloutStep[];
  /** The canary's traffic weight in percent; `null` when the strategy sets none. */
  weight: number | null;
  /** Flagger: the weight the analysis stops at, and the step it adds per interval. */
  maxWeight?: number | null;
  /** Why the rollout is paused (e.g. `CanaryPauseStep since 12:04:10 UTC`); `null` when it is not. */
  paused: string | null;
  /** Set when the rollout was aborted or the canary failed: when and why. */
  aborted: { at: string | null; message: string | null } | null;
  stable: RolloutSide | null;
  canary: RolloutSide | null;
  /** The analysis that decides the current step, else the last one that ran; `null` without. */
  analysis: RolloutAnalysis | null;
  /** What the portal may ask of the controller now. */
  actions: RolloutActionState[];
}

/**
 * Body of `POST /entities/:namespace/:kind/:name/rollouts`.
 *
 * @public
 */
export interface RolloutActionRequest {
  environment: string;
  action: RolloutAction;
}

/**
 * An analysis metric as Git declares it: an Argo Rollouts AnalysisTemplate's metric or a
 * Flagger Canary's `analysis.metrics[]`.
 *
 * @public
 */
export interface DesiredAnalysisMetric {
  name: string;
  /** The AnalysisTemplate (Argo Rollouts) or MetricTemplate (Flagger) that defines it, if any. */
  template: string | null;
  /** `successCondition` (Argo Rollouts) or the threshold range, e.g. `>= 99` (Flagger). */
  successCondition: string | null;
  failureCondition: string | null;
  interval: string | null;
  /** The provider and its query where Git holds them (`prometheus`, the PromQL). */
  provider: string | null;
  query: string | null;
}

/**
 * How Git asks the service's version to be rolled out progressively (`desired.progressive`).
 *
 * @public
 */
export interface DesiredProgressive {
  controller: 'argo-rollouts' | 'flagger';
  kind: 'Rollout' | 'Canary';
  /** The Rollout's or Canary's name. */
  name: string;
  strategy: 'canary' | 'blueGreen';
  /** The canary steps in order (Argo Rollouts); empty for blue-green and Flagger. */
  steps: RolloutStep[];
  /** Argo Rollouts: the Deployment whose template the Rollout runs (`workloadRef`), if any. */
  workloadRef: string | null;
  /** Argo Rollouts blue-green: the active and preview Services. */
  activeService?: string | null;
  previewService?: string | null;
  /** Flagger: `analysis.interval`, `threshold`, `maxWeight`, `stepWeight` (or `stepWeights`). */
  interval?: string | null;
  threshold?: number | null;
  maxWeight?: number | null;
  stepWeight?: number | null;
  stepWeights?: number[] | null;
  /** The metrics the analysis checks. */
  metrics: DesiredAnalysisMetric[];
}
