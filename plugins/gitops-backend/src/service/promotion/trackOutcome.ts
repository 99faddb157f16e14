import {
  EnvironmentStatus,
  GitopsAction,
  GitopsActionStatus,
} from '@gitops-backstage/plugin-gitops-common';
import { desiredVersion, formatVersion, runsVersion } from './gates';

/** A status change for a tracked action, or `null` while it is still on its way. */
export type TrackedOutcome = {
  status: GitopsActionStatus;
  message: string;
} | null;

/** Time-outs of the tracker. */
export interface TrackLimits {
  /** From the commit (or the merge of its pull request) to Synced and Healthy. */
  timeoutMs: number;
  /** From opening a pull request to its merge. */
  pullRequestTimeoutMs: number;
  /**
   * How far the environment's state may lag the branch: it is read from this instance's
   * clone, which sees another instance's commit only at its next fetch. Until a record is
   * older than this, a change Git does not show yet is not taken for replaced. Default 0.
   */
  viewLagMs?: number;
}

/**
 * Decides what became of a committed change from the target environment's state: Succeeded
 * when Git has it and the cluster runs it Synced and Healthy, Failed when the environment is
 * Degraded with it or the time is up, otherwise unchanged (still syncing, or the pull request
 * is not merged yet).
 */
export function trackOutcome(
  action: Pick<
    GitopsAction,
    | 'action'
    | 'status'
    | 'to'
    | 'version'
    | 'scaling'
    | 'createdAt'
    | 'updatedAt'
  >,
  target: EnvironmentStatus,
  now: Date,
  limits: TrackLimits,
): TrackedOutcome {
  // A Committed record's clock starts at its last status change: the merge of its pull
  // request, or its commit.
  const since =
    action.status === 'Committed' ? action.updatedAt : action.createdAt;
  const age = now.getTime() - new Date(since).getTime();
  const inGit = gitHasChange(action, target);
  if (!inGit) {
    if (action.status === 'PullRequestOpened') {
      return age > limits.pullRequestTimeoutMs
        ? {
            status: 'Failed',
            message: `the pull request was not merged within ${hours(
              limits.pullRequestTimeoutMs,
            )} h`,
          }
        : null;
    }
    // Read before this instance fetched the commit (another instance made it), or from a
    // clone the remote does not update now: the change may not be there yet, so wait.
    if (target.desired?.stale || age < (limits.viewLagMs ?? 0)) return null;
    // A later commit replaced the change before it ever ran.
    return {
      status: 'Failed',
      message: `${
        action.to
      } no longer declares this change in Git (${describeDesired(
        target,
      )}): a later commit replaced it`,
    };
  }
  const sync = target.sync;
  const problems = target.problems.filter(p => p.severity === 'error');
  if (sync?.health === 'Degraded' || problemsBlock(problems)) {
    const reasons = problems.map(p => `${p.type}: ${p.message}`);
    return {
      status: 'Failed',
      message: `${action.to} is ${sync?.health ?? 'failing'} with the change${
        reasons.length ? ` — ${reasons.join('; ')}` : ''
      }`,
    };
  }
  if (
    sync?.status === 'Synced' &&
    sync.health === 'Healthy' &&
    liveHasChange(action, target)
  ) {
    return {
      status: 'Succeeded',
      message: `${action.to} runs ${describeChange(
        action,
      )}, Synced and Healthy`,
    };
  }
  if (action.status === 'PullRequestOpened') {
    return {
      status: 'Committed',
      message: `the pull request was merged; waiting for ${action.to} to sync`,
    };
  }
  if (age > limits.timeoutMs) {
    return {
      status: 'Failed',
      message: `${action.to} did not run ${describeChange(
        action,
      )} Synced and Healthy within ${Math.round(
        limits.timeoutMs / 60000,
      )} min (now ${sync?.status ?? 'Unknown'}/${sync?.health ?? 'Unknown'})`,
    };
  }
  return null;
}

/** Crash loops and pull failures fail a rollout even before the engine calls it Degraded. */
function problemsBlock(problems: EnvironmentStatus['problems']): boolean {
  return problems.some(p =>
    [
      'CrashLoopBackOff',
      'ImagePullBackOff',
      'OOMKilled',
      'SyncFailed',
    ].includes(p.type),
  );
}

function gitHasChange(
  action: Pick<GitopsAction, 'version' | 'scaling'>,
  target: EnvironmentStatus,
): boolean {
  const desired = target.desired;
  if (!desired) return false;
  if (action.version) {
    const version = desiredVersion(target);
    if (
      !version ||
      version.tag !== action.version.tag ||
      version.digest !== action.version.digest
    ) {
      return false;
    }
  }
  const scaling = action.scaling;
  if (scaling) {
    if (scaling.replicas !== null && desired.replicas !== scaling.replicas)
      return false;
    if (
      scaling.minReplicas !== null &&
      desired.autoscaling?.minReplicas !== scaling.minReplicas
    )
      return false;
    if (
      scaling.maxReplicas !== null &&
      desired.autoscaling?.maxReplicas !== scaling.maxReplicas
    )
      return false;
  }
  return true;
}

function liveHasChange(
  action: Pick<GitopsAction, 'version' | 'scaling'>,
  target: EnvironmentStatus,
): boolean {
  const live = target.live;
  if (!live) return false;
  if (action.version && !runsVersion(target, action.version)) return false;
  const scaling = action.scaling;
  if (scaling) {
    if (
      scaling.replicas !== null &&
      (live.replicas?.desired !== scaling.replicas ||
        live.replicas?.ready !== scaling.replicas)
    )
      return false;
    if (
      scaling.minReplicas !== null &&
      live.autoscaling?.minReplicas !== scaling.minReplicas
    )
      return false;
    if (
      scaling.maxReplicas !== null &&
      live.autoscaling?.maxReplicas !== scaling.maxReplicas
    )
      return false;
  }
  return true;
}

/** The change in words: a version, replicas, or autoscaler bounds. */
export function describeChange(
  action: Pick<GitopsAction, 'version' | 'scaling'>,
): string {
  if (action.version) return formatVersion(action.version);
  const s = action.scaling;
  if (!s) return 'the change';
  if (s.replicas !== null) return `${s.replicas} replicas`;
  return `autoscaling ${s.minReplicas ?? '…'}–${s.maxReplicas ?? '…'}`;
}

function describeDesired(target: EnvironmentStatus): string {
  const d = target.desired;
  if (!d) return 'unreadable';
  const hpa = d.autoscaling
    ? `${d.autoscaling.minReplicas ?? '?'}–${d.autoscaling.maxReplicas ?? '?'}`
    : 'none';
  return `now ${formatVersion(desiredVersion(target))}, replicas ${
    d.replicas ?? 'unset'
  }, autoscaling ${hpa}`;
}

function hours(ms: number): number {
  return Math.round(ms / 3600000);
}
