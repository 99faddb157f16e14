/**
 * What kind of change a deployment was: made through the portal (`promote`, `rollback`,
 * `scale`, `create`), or a commit made elsewhere (`external`: CI updating dev, a person).
 *
 * @public
 */
export type DeploymentKind =
  | 'promote'
  | 'rollback'
  | 'scale'
  | 'create'
  | 'external';

/**
 * One row of the deployment ledger: a change an environment ran (Synced and Healthy) or failed
 * to run.
 *
 * @public
 */
export interface DeploymentRecord {
  id: string;
  entityRef: string;
  environment: string;
  /** The Git commit that set the environment's version or scaling. */
  revision: string;
  /** Tag, digest or chart version, as the lanes show it. */
  version: string;
  previousVersion: string | null;
  kind: DeploymentKind;
  outcome: 'succeeded' | 'failed';
  /** The portal action that made it, if any. */
  actionId: string | null;
  committedAt: string;
  observedAt: string;
  /** Read from history (Argo CD, Flux, Git) rather than seen happen. */
  backfilled: boolean;
}

/**
 * DORA performance band.
 *
 * @public
 */
export type DoraBand = 'elite' | 'high' | 'medium' | 'low';

/**
 * One delivery metric over a window.
 *
 * @public
 */
export interface DoraMetric {
  /** `null` when the window has no sample. */
  value: number | null;
  unit: 'perDay' | 'hours' | 'percent' | 'minutes';
  /** How many deployments, changes, versions or failures it was computed from. */
  samples: number;
  band: DoraBand | null;
  /** The platform's target (seeds 001/002) and whether the value meets it. */
  target: {
    value: number;
    comparison: 'atLeast' | 'atMost';
    met: boolean | null;
  };
}

/**
 * Delivery metrics of one environment (of a service, or of every service in scope).
 *
 * @public
 */
export interface EnvironmentDeliveryMetrics {
  environment: string;
  /** Version deployments (not scaling) that ran, per day. */
  deploymentFrequency: DoraMetric;
  /** First commit of a version in the first environment → running here, in hours. */
  leadTime: DoraMetric;
  /** The previous environment → here, in hours (`null` metric value for the first). */
  hopLeadTime: DoraMetric;
  /** Changes (not rollbacks) that failed or were rolled back within the failure window. */
  changeFailureRate: DoraMetric;
  /** From a failed change to the environment running healthy again, in minutes. */
  timeToRestore: DoraMetric;
  counts: {
    deployments: number;
    promotions: number;
    rollbacks: number;
    external: number;
    failed: number;
  };
  /** Per UTC day of the window, oldest first. */
  daily: Array<{
    date: string;
    deployments: number;
    rollbacks: number;
    failed: number;
  }>;
  /** Each version that arrived here in the window, with its lead time. */
  leadTimes: Array<{ version: string; at: string; hours: number }>;
}

/**
 * Answer of `GET /metrics` and `GET /entities/:namespace/:kind/:name/metrics`.
 *
 * @public
 */
export interface DeliveryMetrics {
  window: { days: number; from: string; to: string };
  /** A change followed within this many hours by a rollback counts as failed. */
  failureWindowHours: number;
  /** The entities counted. */
  entities: number;
  environments: EnvironmentDeliveryMetrics[];
}
