import type { DesiredProgressive, ProgressiveRollout } from './progressive';
import type {
  ManifestCheckFinding,
  PodSecurityEvidence,
  PolicyEvidence,
  VersionEvidence,
  VulnerabilityEvidence,
} from './evidence';
import { GitopsAction, GitopsVersion } from './actions';
import type {
  EnvironmentFreeze,
  EnvironmentPolicySummary,
  EnvironmentVerification,
  PromotionGate,
} from './policy';
import type {
  EnvironmentAutomation,
  EnvironmentAutomationEngine,
  ImageAutomationInstall,
} from './imageAutomation';

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
 * Where a value of the desired state is written: the file, the line and the YAML path in it.
 *
 * @public
 */
export interface ValueOrigin {
  file: string;
  /** 1-based line of the value. */
  line: number;
  /** Dotted path, e.g. `image.tag` or `spec.source.helm.parameters[0].value`. */
  yamlPath: string;
  /** The same path as keys and indexes, for tools that edit the file. */
  path: Array<string | number>;
  /** Index of the YAML document in a multi-document file, when not the first. */
  document?: number;
  /**
   * Inside an inline YAML string (Argo CD `helm.values`): shown, but a promotion does not edit
   * it in place.
   */
  inline?: boolean;
  /**
   * In a file other environments read too (a chart's defaults, a shared base): changing it here
   * would change them, so a promotion does not.
   */
  shared?: boolean;
}

/**
 * Fields of a desired state whose origin is known.
 *
 * @public
 */
export type DesiredStateOrigins = Partial<
  Record<
    | 'image'
    | 'tag'
    | 'digest'
    | 'replicas'
    | 'minReplicas'
    | 'maxReplicas'
    | 'chartVersion',
    ValueOrigin
  >
>;

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
  /**
   * `Rollout` when the workload is an Argo Rollouts Rollout (argoproj.io/v1alpha1); absent for
   * Deployments, StatefulSets and DaemonSets.
   */
  workloadKind?: 'Rollout';
  /**
   * How Git asks the version to be rolled out: the Rollout's strategy (steps, analysis
   * templates) or the Flagger Canary over the workload; absent or `null` for a plain rollout.
   */
  progressive?: DesiredProgressive | null;
  source: DesiredStateSource;
  /** Things that look wrong but did not prevent reading the state. */
  warnings: string[];
  /**
   * The GitOps engine object the state was resolved from (an Argo CD Application, a Flux
   * HelmRelease), when the environment is read from definitions rather than path templates.
   */
  definition?: { kind: string; name: string; file: string } | null;
  /** Where each version and scaling field is written, when known. */
  origins?: DesiredStateOrigins;
  /** The Helm chart and its version (or range), for charts not stored beside the values. */
  chart?: DesiredChart | null;
  /**
   * Where the image comes from: `chartDefaults` when the values in Git do not set it and the
   * chart is not in the repository (a Helm or OCI repository's chart): the tag is the chart's
   * default, not in Git, and `image`/`tag` are null.
   */
  imageSource?: 'git' | 'chartDefaults';
  /**
   * A construct of the environment's definition that could not be followed (named), when the
   * path templates answered instead.
   */
  unsupported?: string;
  /**
   * The highest Pod Security Standards level the service's declared pod template meets.
   * `null` when the pod template is not known (Helm values: the chart is not rendered); that
   * is not a finding. Absent from states read before the checks existed.
   */
  podSecurity?: PodSecurityEvidence | null;
  /**
   * Checks of the declared pod template: digest pinning (a `fail` where the environment
   * requires digests), no `latest`, resources, probes, read-only root filesystem. Absent when
   * the pod template is not known.
   */
  manifestChecks?: ManifestCheckFinding[];
  /**
   * `true` when the repository did not answer the last fetch and the state was read from the
   * last fetched revision (`source.revision`); absent while the repository answers.
   */
  stale?: boolean;
  /**
   * Why the state is stale, for people: which repository, since when and the revision shown,
   * e.g. `repository example: no answer since 09:12:04 UTC; showing revision c277e0c`.
   */
  staleReason?: string;
}

/**
 * A Helm chart an environment installs, as its definition asks for it.
 *
 * @public
 */
export interface DesiredChart {
  name: string;
  /** The version or semver range asked for; null when any version goes. */
  version: string | null;
  /** True when `version` is a range the engine resolves (`>=1.0.0`, `6.7.x`). */
  range: boolean;
  /** Where the chart comes from, when the repository says. */
  source?: {
    kind: 'GitRepository' | 'HelmRepository' | 'OCIRepository' | string;
    name: string;
    /** `https://…` of a Helm repository or `oci://…`; null when its object is not in the build. */
    url: string | null;
  } | null;
}

/**
 * Replica counts of the running workload.
 *
 * @public
 */
export interface LiveReplicas {
  desired: number | null;
  ready: number;
  updated: number;
  available: number;
}

/**
 * The autoscaler as the cluster runs it.
 *
 * @public
 */
export interface LiveAutoscaling {
  minReplicas: number | null;
  maxReplicas: number | null;
  currentReplicas: number | null;
  desiredReplicas: number | null;
  /** Current vs target per metric; percentages for resource utilization. */
  metrics: Array<{
    name: string;
    current: number | null;
    target: number | null;
  }>;
}

/**
 * What runs in the environment's cluster and namespace.
 *
 * @public
 */
export interface LiveState {
  cluster: string;
  namespace: string;
  /** Workload the state was read from; null when none was found. */
  workload: string | null;
  /** Images of the workload's containers as the Deployment spec sets them. */
  images: string[];
  replicas: LiveReplicas | null;
  rollout: {
    status: 'Complete' | 'Progressing' | 'Failed' | 'Unknown';
    message: string | null;
  };
  autoscaling: LiveAutoscaling | null;
  pods: { total: number; ready: number; restarts: number };
  /** When the cluster's data was last confirmed (a list, a watch event or bookmark, an open watch). */
  observedAt?: string | null;
  /** The cluster has not confirmed its data within the time-out: this is the state from `observedAt`. */
  stale?: boolean;
  /** Why the data is stale, e.g. "cluster prod: no answer since 03:21:29 UTC; showing the state from then". */
  staleReason?: string | null;
  /** What could not be read in the cluster (a kind the account may not list); the rest is served. */
  warnings?: string[];
  /**
   * What the cluster's scanners and admission policies reported about the workload:
   * `vulnerabilities` from Trivy Operator's VulnerabilityReports of the image the workload runs
   * (its ReplicaSets' containers), `policies` from the PolicyReports (Kyverno) of the workload,
   * its ReplicaSets and Pods; `null` when there is no such report. `installed` says whether
   * each kind of report exists in the cluster: `not installed` when its CRD is absent (not an
   * error), `unreadable` when the account may not list it, `unknown` before it was read.
   * Absent when the cluster was not read.
   */
  security?: {
    vulnerabilities: VulnerabilityEvidence | null;
    policies: PolicyEvidence | null;
    installed: Record<
      'trivy-operator' | 'policy-reports',
      'installed' | 'not installed' | 'unreadable' | 'unknown'
    >;
  };
}

/**
 * Sync and health as the GitOps engine reports them.
 *
 * @public
 */
export interface SyncState {
  engine: 'argocd' | 'flux' | 'none';
  status: 'Synced' | 'OutOfSync' | 'Unknown';
  health:
    | 'Healthy'
    | 'Progressing'
    | 'Degraded'
    | 'Suspended'
    | 'Missing'
    | 'Unknown';
  /** Git revision the engine last applied. */
  revision: string | null;
  /**
   * The chart version a Flux HelmRelease runs (`history[0].chartVersion`, e.g.
   * `0.4.0+0d46b8b1a2c3` for a chart built from Git): a HelmRelease has no applied Git revision.
   */
  chartVersion?: string | null;
  /** The engine object that stops Git changes from being applied (itself or a suspended parent). */
  suspendedBy?: string | null;
  /**
   * What the engine says it deployed, newest first: Argo CD's `status.history` (the synced
   * revision and `deployedAt`), a Flux HelmRelease's `status.history` (chart version and
   * `lastDeployed`). Used to date changes the deployment ledger reads from history.
   */
  deployed?: Array<{
    revision: string | null;
    version: string | null;
    at: string;
  }>;
  lastSyncedAt: string | null;
  message: string | null;
  /** The engine object the state was read from, e.g. `Application argocd/guestbook-prod`. */
  object: string | null;
}

/**
 * A field where the cluster differs from Git.
 *
 * @public
 */
export interface DriftItem {
  field: string;
  desired: string | number | null;
  live: string | number | null;
}

/**
 * The failure modes the backend diagnoses.
 *
 * @public
 */
export type ProblemType =
  | 'CrashLoopBackOff'
  | 'ImagePullBackOff'
  | 'OOMKilled'
  | 'ProbeFailing'
  | 'Unschedulable'
  | 'VolumePending'
  | 'HPAAtMax'
  | 'RolloutStuck'
  | 'SyncFailed'
  | 'SourceNotReady'
  | 'Drift'
  | 'Suspended'
  | 'StaleReconcile'
  | 'VerificationFailed'
  | 'AutomationFailed'
  | 'Unsigned'
  | 'Vulnerable'
  | 'PolicyViolation'
  | 'RolloutPaused'
  | 'RolloutAborted'
  | 'CanaryFailed'
  | 'AnalysisInconclusive';

/**
 * Something wrong in an environment, with what to do about it.
 *
 * @public
 */
export interface Problem {
  type: ProblemType;
  severity: 'error' | 'warning' | 'info';
  /** What the API says, e.g. the container's waiting message. */
  message: string;
  /** One line on what to do. */
  hint: string;
  /** The object it was seen on, e.g. `Pod guestbook-prod/guestbook-5d9c…`. */
  object: string | null;
}

/**
 * What the registry holds for the environment's image.
 *
 * @public
 */
export interface RegistryState {
  /** Image repository looked up, e.g. `ghcr.io/acme/guestbook`. */
  image: string;
  /** Tag policy used to order tags (`semver`, `sha-run`, `main-sha`, `regex`). */
  policy: string | null;
  /** Newest tag under the policy. */
  latest: string | null;
  /** Tags newer than the environment's, newest first. */
  newer: string[];
  /** Digest the environment's tag points to in the registry; null when unknown. */
  digest: string | null;
  /** Whether the environment's tag exists in the registry (null when Git pins no tag). */
  tagExists: boolean | null;
  /**
   * `chart` when the environment's version is its Helm chart (the image is the chart's
   * default): `image` is then the chart repository and chart, the versions are chart versions.
   */
  kind?: 'image' | 'chart';
  /** The chart version the environment gets: its pin, or the newest match of its range. */
  current?: string | null;
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
  live: LiveState | null;
  sync: SyncState | null;
  drift: DriftItem[];
  problems: Problem[];
  registry: RegistryState | null;
  /** Why this environment could not be read; the others still answer. */
  error: string | null;
  /**
   * What could not be read while the rest answers: a kind the cluster's account may not list,
   * a namespace that is not watched, stale cluster data.
   */
  warnings?: string[];
  /**
   * Set when the environment's layout uses a construct the plugin does not follow (a remote
   * base, a config management plugin, values only in the cluster): it names the construct.
   * Nothing is guessed for such an environment.
   */
  unsupported?: string | null;
  /** The verification of the version the environment runs (`NotConfigured` without checks). */
  verification?: EnvironmentVerification | null;
  /**
   * The Argo Rollouts `Rollout` or Flagger `Canary` that rolls the service out: steps, weight,
   * stable and canary sides, analysis and the actions it accepts; `null` when the service has
   * none (or the controller is not installed).
   */
  rollout?: ProgressiveRollout | null;
  /** The active freeze of this environment, or `null`. */
  freeze?: EnvironmentFreeze | null;
  /**
   * The gates of the next promotion into this environment, from its first allowed source;
   * `null` for an environment that takes no promotions.
   */
  gates?: {
    from: string;
    version: GitopsVersion | null;
    items: PromotionGate[];
  } | null;
  /** What this environment's policy asks for. */
  policy?: EnvironmentPolicySummary | null;
  /**
   * What writes this environment's image by itself: the engines' image automation found in its
   * cluster and the portal's auto-promotion; empty when nothing does.
   */
  automation?: EnvironmentAutomation[];
  /**
   * Supply-chain evidence of the version the environment runs: signature, attestations,
   * the cluster's vulnerability and policy reports, manifest checks. Read from caches only.
   */
  evidence?: VersionEvidence | null;
  /**
   * Whether each engine's image automation could be read in the cluster: `not installed`
   * when its CRDs are absent (not an error). Absent when the cluster was not read.
   */
  automationEngines?: Partial<
    Record<
      Exclude<EnvironmentAutomationEngine, 'portal'>,
      ImageAutomationInstall
    >
  >;
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
  /**
   * Changes made or requested through the plugin in this environment, newest first — including
   * sync requests, open pull requests and failed rollouts, which the Git log alone does not show.
   */
  actions: GitopsAction[];
}

/**
 * A value of a compared field: a scalar as the manifests set it; lists and maps as they are.
 *
 * @public
 */
export type DifferenceValue =
  | string
  | number
  | boolean
  | null
  | DifferenceValue[]
  | { [key: string]: DifferenceValue };

/**
 * One field whose desired state differs between two environments; `null` when the environment
 * does not set it.
 *
 * @public
 */
export interface EnvironmentDifference {
  /** Dotted path, e.g. `image.tag`, `replicas`, `env.LOG_LEVEL`, `container.ports[http].containerPort`. */
  field: string;
  from: DifferenceValue;
  to: DifferenceValue;
}

/**
 * Response of `GET /entities/:namespace/:kind/:name/compare?from=&to=`: a structured diff of
 * what Git says for the two environments (version, scaling, resources, env vars, the rest of
 * the workload), version and scaling first.
 *
 * @public
 */
export interface CompareResponse {
  from: string;
  to: string;
  /** Commit the two environments were read at. */
  revision: string;
  differences: EnvironmentDifference[];
}
