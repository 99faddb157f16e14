import type { SupplyChainPolicy } from './evidence';
import { GitopsVersion } from './actions';

/**
 * What a gate of the promotion policy says: `pass`, `fail` (not without a change in Git or
 * an override), or `wait` (may pass later by itself, at `retryAt` when known).
 *
 * @public
 */
export type GateState = 'pass' | 'fail' | 'wait';

/**
 * A link a gate's evidence points to (a Prometheus graph, a check run, a pull request).
 *
 * @public
 */
export interface GateLink {
  title: string;
  url: string;
}

/**
 * The changes the policy engine decides. `automation` is a promotion nobody asked for in the
 * portal (auto-promotion); it can never be overridden.
 *
 * @public
 */
export type PolicyChangeKind =
  | 'promotion'
  | 'rollback'
  | 'scale'
  | 'automation';

/**
 * States of a version's verification in one environment. `NotConfigured` is an answer only:
 * the environment has no checks.
 *
 * @public
 */
export type VerificationState =
  | 'Pending'
  | 'Running'
  | 'Passed'
  | 'Failed'
  | 'Inconclusive'
  | 'NotConfigured';

/**
 * The outcome of one check of a verification. `Error` is a check that could not be evaluated
 * (its source did not answer); the run is retried with backoff and ends `Inconclusive` when
 * the attempts are spent. `NotConfigured`: its source is not set up (no Prometheus URL); it
 * does not count, unless no check does.
 *
 * @public
 */
export interface VerificationCheckResult {
  name: string;
  /** `http`, `prometheus`, `commitStatus`, or a kind added through the extension point. */
  kind: string;
  state: 'Passed' | 'Failed' | 'Inconclusive' | 'Error' | 'NotConfigured';
  /** The measured value (a ratio, an HTTP status, a count of green checks). */
  value: number | string | null;
  /** What the value is compared with, as written, e.g. `< 0.01` or `200`. */
  threshold: string | null;
  /** One line on what was seen. */
  detail: string;
  /** Where to look at the evidence. */
  links?: GateLink[];
  at: string;
}

/**
 * A version's verification in one environment (`verification` of the environments answer,
 * `GET …/verifications`).
 *
 * @public
 */
export interface VerificationRecord {
  entityRef: string;
  environment: string;
  version: GitopsVersion;
  state: VerificationState;
  checks: VerificationCheckResult[];
  /** Runs so far (errors retried with backoff, re-runs on request). */
  attempts: number;
  /** When the run was started, or is planned to start again after an error. */
  startedAt: string | null;
  finishedAt: string | null;
  nextAttemptAt: string | null;
  /** When the record last changed. */
  at: string;
  /** Who asked for the last re-run, when somebody did. */
  requestedBy: string | null;
}

/**
 * The environments answer's `verification`: the record of the version the environment runs,
 * or `NotConfigured` / `Pending` when there is none yet.
 *
 * @public
 */
export interface EnvironmentVerification {
  state: VerificationState;
  version: GitopsVersion | null;
  at: string | null;
  checks: VerificationCheckResult[];
  /** Why the state is what it is, when no check says it (not configured, not yet healthy). */
  message?: string | null;
}

/**
 * One gate of the policy, with why it is in that state.
 *
 * @public
 */
export interface PromotionGate {
  /**
   * `allowedSource`, `versionKnown`, `healthySource`, `soak`, `verifiedIn`, `approvals`,
   * `window`, `freeze`, `chartVersion`, or an evidence provider's name.
   */
  name: string;
  state: GateState;
  /** `state === 'pass'`, kept for callers written before `state`. */
  passed: boolean;
  message: string;
  /** For `wait`: when the gate may pass; `null` when it cannot tell. */
  retryAt: string | null;
  /** What the gate looked at (JSON). */
  evidence: Record<string, unknown> | null;
  links?: GateLink[];
  /** A `fail` or `wait` let through with `gitops.override`: who and why. */
  override?: { by: string; reason: string } | null;
}

/**
 * An approval of one version for one environment (`POST …/approvals`). It counts only for
 * that version from that source: a new proposal needs new approvals.
 *
 * @public
 */
export interface GitopsApproval {
  id: string;
  entityRef: string;
  environment: string;
  version: GitopsVersion;
  /** The environment the version comes from; `null` when approved for any source. */
  from: string | null;
  approver: string;
  /** The groups (ownership refs) the approver belonged to when approving. */
  approverGroups: string[];
  comment: string | null;
  createdAt: string;
}

/**
 * Body of `POST …/approvals`.
 *
 * @public
 */
export interface ApprovalRequest {
  environment: string;
  /** The version approved, as a tag, digest or chart version; default: the one proposed now. */
  version?: string;
  comment?: string;
}

/**
 * An org-wide freeze of changes to some environments (`GET|POST|DELETE /freezes`).
 *
 * @public
 */
export interface GitopsFreeze {
  id: string;
  /** The environments frozen, or `*` for all. */
  environments: string[] | '*';
  reason: string;
  /** When it ends. */
  until: string;
  by: string;
  createdAt: string;
}

/**
 * The environments answer's `freeze`: the active freeze of that environment, if any.
 *
 * @public
 */
export interface EnvironmentFreeze {
  reason: string;
  until: string;
  by: string;
  id?: string;
}

/**
 * `override` of a change request: proceed past `wait`/`fail` gates that may be overridden
 * (permission `gitops.override`), with a reason that is recorded.
 *
 * @public
 */
export interface GateOverride {
  reason: string;
}

/**
 * A deny or allow window of an environment, as configured.
 *
 * @public
 */
export interface PolicyWindow {
  kind: 'allow' | 'deny';
  /** Cron expression (5 fields) of each window's start. */
  schedule: string;
  /** How long each window lasts, e.g. `48h`, `90m`. */
  duration: string;
  timeZone: string;
  reason: string | null;
}

/**
 * What an environment's policy asks for, as the environments answer shows it.
 *
 * @public
 */
export interface EnvironmentPolicySummary {
  requiredApprovals: number;
  approvers: string[];
  verifiedIn: string[];
  windows: PolicyWindow[];
  /** Names of the checks run after each deployment here. */
  verificationChecks: string[];
  /** What the policy requires of a version's supply chain; absent when nothing. */
  supplyChain?: SupplyChainPolicy | null;
}
