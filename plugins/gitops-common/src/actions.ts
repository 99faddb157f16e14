import type { PromotionGate } from './policy';
import type { VersionEvidence } from './evidence';

/**
 * Kinds of change the plugin makes: version moves, scaling and new services (`create`) are Git
 * commits, `sync` is the only request that reaches a cluster.
 *
 * @public
 */
export type GitopsActionKind =
  | 'promote'
  | 'rollback'
  | 'scale'
  | 'sync'
  | 'rollout'
  | 'create';

/**
 * Where a change stands. `Committed`/`PullRequestOpened` are tracked until the target
 * environment runs the change (`Succeeded`) or cannot (`Failed`); `DryRun` and `NoChange` are
 * answers only and are never stored; `Requested` is a sync request the engine accepted.
 * `Writing` is recorded before the push, so a backend that stops between push and record
 * leaves a record to finish: a later pass looks for the commit by its action-id trailer and
 * makes it `Committed`, or `Failed` when nothing was pushed.
 *
 * @public
 */
export type GitopsActionStatus =
  | 'DryRun'
  | 'Writing'
  | 'NoChange'
  | 'Committed'
  | 'PullRequestOpened'
  | 'Requested'
  | 'Succeeded'
  | 'Failed';

/**
 * An image version: a tag, a digest pin, or both.
 *
 * @public
 */
export interface GitopsVersion {
  tag: string | null;
  digest: string | null;
  /**
   * The exact Helm chart version, where the environment installs a chart from a Helm or OCI
   * repository; alone when the image is the chart's default (not in Git).
   */
  chartVersion?: string | null;
}

/**
 * Scaling as written by a `scale` action; fields not changed are `null`.
 *
 * @public
 */
export interface GitopsScaling {
  replicas: number | null;
  minReplicas: number | null;
  maxReplicas: number | null;
}

/**
 * A promotion, rollback, scale or sync action: the REST answer and the stored record.
 *
 * @public
 */
export interface GitopsAction {
  /** `null` for dry runs and no-op answers, which are not stored. */
  id: string | null;
  action: GitopsActionKind;
  entityRef: string;
  status: GitopsActionStatus;
  /** Source environment of a promotion, else `null`. */
  from: string | null;
  /** Target environment. */
  to: string;
  /** User entity ref of the requester. */
  actor: string;
  gates: PromotionGate[];
  /**
   * Supply-chain evidence of the version the change writes (dry runs and refusals of
   * promotions, so a person sees it before anything is written); absent otherwise.
   */
  evidence?: VersionEvidence | null;
  /** Version written (promote, rollback). */
  version: GitopsVersion | null;
  /** Version the target ran in Git before. */
  previousVersion: GitopsVersion | null;
  scaling: GitopsScaling | null;
  /** Unified diff of the commit (or of the plan, for a dry run). */
  diff: string;
  commit: string | null;
  branch: string | null;
  pullRequest: string | null;
  /** Why the status is what it is, in a sentence. */
  message: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/**
 * Body of `POST …/promotions`: the version `from` declares goes to `to`.
 *
 * @public
 */
export interface PromoteRequest {
  from: string;
  to: string;
  /** Only plan: the diff and the gates, nothing written. */
  dryRun?: boolean;
  /** Proceed past gates that may be overridden (permission `gitops.override`). */
  override?: { reason: string };
}

/**
 * Body of `POST …/rollback`: a tag, or the version the environment had at a revision.
 *
 * @public
 */
export interface RollbackRequest {
  environment: string;
  toRevision?: string;
  toTag?: string;
  dryRun?: boolean;
  /** Proceed past a freeze or window (permission `gitops.override`). */
  override?: { reason: string };
}

/**
 * Body of `POST …/scale`: replicas, or autoscaler bounds.
 *
 * @public
 */
export interface ScaleRequest {
  environment: string;
  replicas?: number;
  autoscaling?: { minReplicas?: number; maxReplicas?: number };
  dryRun?: boolean;
  /** Proceed past a freeze or window (permission `gitops.override`). */
  override?: { reason: string };
}

/**
 * Body of `POST /entities/:namespace/:kind/:name/sync`: a request to the GitOps engine, the one
 * change that touches the cluster instead of Git.
 *
 * @public
 */
export interface EngineRequest {
  environment: string;
  /** Argo CD: refresh, sync. Flux: reconcile, suspend, resume. */
  action: 'refresh' | 'sync' | 'reconcile' | 'suspend' | 'resume';
}
