import {
  ROLLOUT_ACTIONS,
  RolloutAction,
  RolloutActionState,
} from '@gitops-backstage/plugin-gitops-common';
import { KubeObject } from '../kinds';

type Verdict = string | null;

/** Flagger webhooks that hold the analysis until a gate opens (Flagger's manual gating). */
const GATE_TYPES = [
  'confirm-rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
];

/** Flagger phases in which an analysis runs (or waits at a gate) and webhooks are checked. */
const ANALYSING = ['Waiting', 'Progressing', 'WaitingPromotion'];

/**
 * Which of promote, promoteFull, abort, retry and restart the controller behind a Rollout (Argo
 * Rollouts) or a Canary (Flagger) accepts now, and why not otherwise. The rollouts endpoint
 * refuses what is not allowed with the same reason, so the lane and the API agree.
 */
export function rolloutActionStates(object: KubeObject): RolloutActionState[] {
  const verdicts =
    object.kind === 'Canary' || object.spec?.targetRef
      ? canaryVerdicts(object)
      : rolloutVerdicts(object);
  return ROLLOUT_ACTIONS.map(action => ({
    action,
    allowed: verdicts[action] === null,
    reason: verdicts[action],
  }));
}

/**
 * Argo Rollouts, as `kubectl argo rollouts` acts: promote clears the pause (or moves past the
 * running step), `--full` only patches while the desired ReplicaSet is not yet stable, abort
 * only acts on an update, retry only on an aborted one; restart (`spec.restartAt`) is offered
 * while the rollout is not aborted.
 */
function rolloutVerdicts(rollout: KubeObject): Record<RolloutAction, Verdict> {
  const status = rollout.status ?? {};
  const aborted = status.abort === true;
  const { stableRS, currentPodHash } = status;
  const updating =
    Boolean(currentPodHash) && Boolean(stableRS) && currentPodHash !== stableRS;
  const paused =
    (status.pauseConditions ?? []).length > 0 || rollout.spec?.paused === true;
  const steps = rollout.spec?.strategy?.canary?.steps;
  const stepCount = Array.isArray(steps) ? steps.length : 0;
  const midSteps =
    updating &&
    stepCount > 0 &&
    (typeof status.currentStepIndex === 'number'
      ? status.currentStepIndex
      : 0) < stepCount;
  const noUpdate =
    'no update is in progress: the stable version is the desired one';
  let promote: Verdict = null;
  if (aborted) {
    promote = 'the rollout was aborted: retry it (or promote it fully) first';
  } else if (!paused && !midSteps) {
    promote = updating
      ? 'nothing to promote: the rollout is not paused and has no step left'
      : noUpdate;
  }
  return {
    promote,
    promoteFull: updating ? null : noUpdate,
    abort: abortVerdict(aborted, updating, noUpdate),
    retry: aborted ? null : 'only an aborted rollout can be retried',
    restart: aborted
      ? 'the rollout is aborted: retry it or fix forward before restarting its pods'
      : null,
  };
}

function abortVerdict(aborted: boolean, updating: boolean, noUpdate: string) {
  if (aborted) return 'the rollout is already aborted';
  return updating ? null : noUpdate;
}

/**
 * Flagger, which has no promote or abort of its own: the portal can only open the Flagger
 * load tester's gate a `confirm-*` webhook checks (`/gate/check`, opened by `/gate/open`) and
 * the rollback gate a `rollback` webhook checks (`/rollback/check`, by `/rollback/open`), the
 * way Flagger's docs gate rollouts by hand. Restart patches the target Deployment's pod
 * template, as `kubectl rollout restart` does, which Flagger analyses as a new revision.
 */
function canaryVerdicts(canary: KubeObject): Record<RolloutAction, Verdict> {
  const phase = String(canary.status?.phase ?? '');
  const analysing = ANALYSING.includes(phase);
  const webhooks: any[] = Array.isArray(canary.spec?.analysis?.webhooks)
    ? canary.spec.analysis.webhooks
    : [];
  const gate = webhooks.find(
    w => GATE_TYPES.includes(w?.type) && loadTesterPath(w?.url, '/gate/check'),
  );
  const rollback = webhooks.find(
    w => w?.type === 'rollback' && loadTesterPath(w?.url, '/rollback/check'),
  );
  const idle = `no analysis is running (phase ${phase || 'unknown'})`;
  let promote: Verdict = null;
  if (!gate) {
    promote =
      "Flagger promotes on its own when the analysis passes; to promote by hand, give the Canary a confirm-promotion webhook at the Flagger load tester's /gate/check";
  } else if (!analysing) {
    promote = idle;
  }
  let abort: Verdict = null;
  if (!rollback) {
    abort =
      "Flagger rolls back on failed checks only; to roll back by hand, give the Canary a rollback webhook at the Flagger load tester's /rollback/check";
  } else if (!analysing) {
    abort = idle;
  }
  return {
    promote,
    abort,
    promoteFull:
      'Flagger cannot skip the analysis of a running canary: set spec.skipAnalysis in Git to promote without it',
    retry:
      "Flagger analyses a failed canary again only when the Deployment's pod template changes: push a new commit, or restart",
    restart:
      canary.spec?.suspend === true
        ? 'the Canary is suspended (spec.suspend): Flagger does not analyse a new revision'
        : null,
  };
}

/** Whether a webhook URL is the load tester's gate endpoint (any host, any port). */
function loadTesterPath(url: unknown, path: string): boolean {
  try {
    return new URL(String(url)).pathname.replace(/\/+$/, '') === path;
  } catch {
    return false;
  }
}
