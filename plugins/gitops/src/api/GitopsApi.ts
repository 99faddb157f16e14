import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import {
  AutomationPauseRequest,
  AutomationResponse,
  ApprovalRequest,
  CompareResponse,
  DeliveryMetrics,
  EnvironmentsResponse,
  GitopsAction,
  EngineRequest,
  GitopsApproval,
  GitopsFreeze,
  HistoryResponse,
  OverviewQuery,
  OverviewResponse,
  PromoteRequest,
  RollbackRequest,
  RolloutActionRequest,
  ScaleRequest,
  VerificationRecord,
  VersionChanges,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * Reads the GitOps state of catalog entities from the gitops backend.
 *
 * @public
 */
export interface GitopsApi {
  /**
   * Every configured environment of the entity, in promotion order.
   *
   * @remarks
   * An environment that cannot be read comes back with `error` set instead of
   * failing the whole call, so callers have to handle both per environment.
   */
  getEnvironments(entityRef: CompoundEntityRef): Promise<EnvironmentsResponse>;

  /**
   * The commits that changed the version or scaling of the entity in one
   * environment, newest first.
   */
  getHistory(
    entityRef: CompoundEntityRef,
    environment: string,
  ): Promise<HistoryResponse>;

  /**
   * What Git says differs between two environments of the entity (version, scaling,
   * resources, env vars, the rest of the workload), field by field.
   */
  compare(
    entityRef: CompoundEntityRef,
    from: string,
    to: string,
  ): Promise<CompareResponse>;

  /**
   * Promotes a version as a Git commit (or pull-request branch); with `dryRun`, answers the
   * plan, the diff and every gate without writing. Changes (not dry runs) go out with an
   * `Idempotency-Key` and are sent again once with the same key when no answer came, so a lost
   * answer never makes a second commit.
   */
  promote(
    entityRef: CompoundEntityRef,
    request: PromoteRequest,
  ): Promise<GitopsAction>;

  /** Rolls an environment back as a forward commit (or pull-request branch). */
  rollback(
    entityRef: CompoundEntityRef,
    request: RollbackRequest,
  ): Promise<GitopsAction>;

  /** Changes replicas or autoscaler bounds as a commit (or pull-request branch). */
  scale(
    entityRef: CompoundEntityRef,
    request: ScaleRequest,
  ): Promise<GitopsAction>;

  /** A recorded promotion, rollback, scale or sync request, its status kept current. */
  getAction(id: string): Promise<GitopsAction>;
  /** Asks the environment's engine to refresh, sync, reconcile, suspend or resume. */
  requestEngine(
    entityRef: CompoundEntityRef,
    request: EngineRequest,
  ): Promise<GitopsAction>;
  /**
   * Asks the progressive-delivery controller (Argo Rollouts, Flagger) of an environment to
   * promote, promote in full, abort, retry or restart its rollout: a request to the cluster,
   * not a Git change. Answers a `rollout` action, `Requested`; refused with 403 without
   * `gitops.rollout` and 409 (with the reason) when the rollout's state does not accept it.
   */
  requestRollout(
    entityRef: CompoundEntityRef,
    request: RolloutRequest,
  ): Promise<GitopsAction>;
  /** The fleet overview: one row per GitOps-managed service, filtered and paged. */
  getOverview(query?: OverviewQuery): Promise<OverviewResponse>;

  /**
   * DORA delivery metrics per environment over every GitOps service in scope (an owner, one
   * environment), over a window of `7d`, `30d` (the backend's default) or `90d`.
   */
  getDeliveryMetrics(query?: DeliveryMetricsQuery): Promise<DeliveryMetrics>;

  /** DORA delivery metrics per environment of one service, over a window as above. */
  getEntityDeliveryMetrics(
    entityRef: CompoundEntityRef,
    window?: string,
  ): Promise<DeliveryMetrics>;

  /**
   * What will ship: the commits and pull requests between the version an environment runs
   * and `to` (a tag, a digest or a chart version; by default what the environment before it
   * runs). A version whose source is not known answers with `unknownSource`, not an error.
   */
  getChanges(
    entityRef: CompoundEntityRef,
    environment: string,
    to?: string,
  ): Promise<VersionChanges>;

  /** The verifications of one environment, one per version, newest first. */
  getVerifications(
    entityRef: CompoundEntityRef,
    environment: string,
  ): Promise<VerificationsResponse>;

  /**
   * Runs an environment's verification again (by default of the version it runs); answers
   * the record, usually still `Pending` or `Running`.
   */
  rerunVerification(
    entityRef: CompoundEntityRef,
    request: VerificationRerunRequest,
  ): Promise<VerificationRecord>;

  /** The approvals of the version proposed now for an environment. */
  getApprovals(
    entityRef: CompoundEntityRef,
    environment: string,
  ): Promise<ApprovalsResponse>;

  /**
   * Approves a version for an environment. Refused with 409 when the caller asked for that
   * promotion (nobody approves their own request) or already approved it, 403 without
   * `gitops.approve`.
   */
  approve(
    entityRef: CompoundEntityRef,
    request: ApprovalRequest,
  ): Promise<GitopsApproval>;

  /**
   * Pauses or resumes the portal's automation (auto-promotion, auto-rollback) of an
   * environment of an entity (`gitops.automation.manage`).
   */
  setAutomationPaused(
    entityRef: CompoundEntityRef,
    request: AutomationPauseRequest,
  ): Promise<AutomationResponse>;

  /** The freezes in force now, over every service. */
  getFreezes(): Promise<FreezesResponse>;

  /** Declares a freeze of some (or all) environments (`gitops.freeze.manage`). */
  createFreeze(request: FreezeRequest): Promise<GitopsFreeze>;

  /** Lifts a freeze before its end (`gitops.freeze.manage`). */
  deleteFreeze(id: string): Promise<void>;
}

/**
 * Body of {@link GitopsApi.requestRollout}: the environment, the action and, with `dryRun`,
 * only whether the controller would accept it.
 *
 * @public
 */
export type RolloutRequest = RolloutActionRequest & { dryRun?: boolean };

/**
 * Answer of {@link GitopsApi.getVerifications}.
 *
 * @public
 */
export interface VerificationsResponse {
  items: VerificationRecord[];
}

/**
 * Body of {@link GitopsApi.rerunVerification}.
 *
 * @public
 */
export interface VerificationRerunRequest {
  environment: string;
  /** A tag, digest or chart version; default: the version the environment runs. */
  version?: string;
}

/**
 * Answer of {@link GitopsApi.getApprovals}.
 *
 * @public
 */
export interface ApprovalsResponse {
  items: GitopsApproval[];
}

/**
 * Answer of {@link GitopsApi.getFreezes}.
 *
 * @public
 */
export interface FreezesResponse {
  items: GitopsFreeze[];
}

/**
 * Body of {@link GitopsApi.createFreeze}.
 *
 * @public
 */
export interface FreezeRequest {
  /** The environments frozen, or `*` for every environment. */
  environments: string[] | '*';
  reason: string;
  /** When the freeze ends (ISO 8601). */
  until: string;
}

/**
 * Scope of {@link GitopsApi.getDeliveryMetrics}; empty values are left out.
 *
 * @public
 */
export interface DeliveryMetricsQuery {
  owner?: string;
  environment?: string;
  /** `7d`, `30d` or `90d`. */
  window?: string;
}

/**
 * Reference of the {@link GitopsApi}.
 *
 * @public
 */
export const gitopsApiRef = createApiRef<GitopsApi>({
  id: 'plugin.gitops.api',
});
