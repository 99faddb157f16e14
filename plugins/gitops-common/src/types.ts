/**
 * Horizontal pod autoscaler settings as Git declares them.
 *
 * @public
 */
export interface DesiredAutoscaling {
  minReplicas: number | null;
  maxReplicas: number | null;
  targetCPUUtilizationPercentage: number | null;
  targetMemoryUtilizationPercentage: number | null;
}

/**
 * Requests and limits of the service's container, as Git declares them.
 *
 * @public
 */
export interface DesiredResources {
  requests: { cpu: string | null; memory: string | null };
  limits: { cpu: string | null; memory: string | null };
}

/**
 * Where a desired state was read from.
 *
 * @public
 */
export interface DesiredStateSource {
  /** Repository URL. */
  repo: string;
  branch: string;
  /** Overlay folder (Kustomize) or values file (Helm) of the environment. */
  path: string;
  /** Commit sha that was read. */
  revision: string;
}

/**
 * The state one environment should have according to Git.
 *
 * @public
 */
export interface DesiredState {
  /** How the environment is described: a Kustomize overlay or Helm values. */
  layout: 'kustomize' | 'helm';
  /** Image repository, without tag or digest. */
  image: string | null;
  tag: string | null;
  digest: string | null;
  /** Replica count written in Git; null when an autoscaler owns it or nothing sets it. */
  replicas: number | null;
  autoscaling: DesiredAutoscaling | null;
  resources: DesiredResources | null;
  /** Namespace the manifests set, when they set one. */
  namespace: string | null;
  /** Name of the workload the state was read from. */
  workload: string | null;
  source: DesiredStateSource;
  /** Things that look wrong but did not prevent reading the state. */
  warnings: string[];
}

/**
 * One environment of one service, as the environments endpoint returns it.
 *
 * Later sides (`live`, `sync`, `registry`) are null until they are configured.
 *
 * @public
 */
export interface EnvironmentStatus {
  name: string;
  desired: DesiredState | null;
  live: unknown | null;
  sync: unknown | null;
  drift: unknown[];
  problems: unknown[];
  registry: unknown | null;
  /** Why this environment could not be read; the others still answer. */
  error: string | null;
}

/**
 * Response of `GET /entities/:namespace/:kind/:name/environments`.
 *
 * @public
 */
export interface EnvironmentsResponse {
  entityRef: string;
  environments: EnvironmentStatus[];
}

/**
 * One commit that changed an environment's version or scaling.
 *
 * @public
 */
export interface HistoryItem {
  revision: string;
  author: string;
  message: string;
  committedAt: string;
  tag: string | null;
  digest: string | null;
  replicas: number | null;
  autoscaling: DesiredAutoscaling | null;
  /** What changed in this commit: `version`, `scaling` or both. */
  changes: Array<'version' | 'scaling'>;
  promotionId: string | null;
}

/**
 * Response of `GET /entities/:namespace/:kind/:name/history`.
 *
 * @public
 */
export interface HistoryResponse {
  entityRef: string;
  environment: string;
  items: HistoryItem[];
}
