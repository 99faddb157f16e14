import { ConflictError } from '@backstage/errors';
import { RolloutAction } from '@gitops-backstage/plugin-gitops-common';
import { KubeObject } from '../live/kinds';
import {
  ClusterGrant,
  ClusterRequest,
  MERGE_PATCH,
  objectLabel,
  objectPath,
  rfc3339,
} from './clusterRequests';

/*
 * What `kubectl argo rollouts` sends for each action (pkg/kubectl-argo-rollouts/cmd/{promote,
 * abort,retry,restart}): JSON merge patches of the Rollout's status subresource (since v0.10)
 * or of the Rollout itself. The bodies keep the CLI's keys, values and key order, so the
 * controller sees exactly what it sees from its own CLI.
 */

const GROUP = 'argoproj.io';

/** The read of the Rollout the action is decided on. */
export function readArgoRollout(rollout: KubeObject): ClusterRequest {
  return {
    method: 'GET',
    path: objectPath(rollout, 'rollouts'),
    object: objectLabel(rollout),
    grant: grant(rollout, 'get', 'rollouts'),
  };
}

/**
 * The requests that ask Argo Rollouts to act on `rollout` (as just read): promote, promote in
 * full, abort, retry or restart. Throws ConflictError where the CLI would send nothing.
 */
export function argoRolloutRequests(
  rollout: KubeObject,
  action: RolloutAction,
  now: Date,
): ClusterRequest[] {
  const main = (body: Record<string, unknown>) =>
    patch(rollout, 'rollouts', body);
  const status = (
    body: Record<string, unknown>,
    ifNotFound?: ClusterRequest[],
  ) => ({ ...patch(rollout, 'rollouts/status', body), ifNotFound });
  switch (action) {
    case 'promote':
      return promoteRequests(rollout, main, status);
    case 'promoteFull':
      // The CLI sends nothing when the stable ReplicaSet already runs the current template.
      if (rollout.status?.currentPodHash === rollout.status?.stableRS) {
        throw new ConflictError(
          `${objectLabel(
            rollout,
          )} already runs its current version as stable: there is nothing to promote`,
        );
      }
      return [status({ status: { promoteFull: true } })];
    case 'abort':
      return [
        status({ status: { abort: true } }, [
          main({ status: { abort: true } }),
        ]),
      ];
    case 'retry':
      return [
        status({ status: { abort: false } }, [
          main({ status: { abort: false } }),
        ]),
      ];
    case 'restart':
      return [main({ spec: { restartAt: rfc3339(now) } })];
    default:
      throw new ConflictError(`Argo Rollouts has no action ${action}`);
  }
}

/**
 * `promote` as the CLI's getPatches decides it: clear the pause conditions (a pause step, a
 * blue-green pre-promotion pause), else skip the canary step running (analysis, experiment);
 * unpause `spec.paused`. Without the status subresource, one unified patch on the Rollout.
 */
function promoteRequests(
  rollout: KubeObject,
  main: (body: Record<string, unknown>) => ClusterRequest,
  status: (
    body: Record<string, unknown>,
    ifNotFound?: ClusterRequest[],
  ) => ClusterRequest,
): ClusterRequest[] {
  const isCanary = Boolean(rollout.spec?.strategy?.canary);
  const pauseConditions: unknown[] = rollout.status?.pauseConditions ?? [];
  const nextStep = nextStepIndex(rollout);
  let unified: Record<string, unknown> = {
    spec: { paused: false },
    status: { pauseConditions: null },
  };
  let statusBody: Record<string, unknown> | null = null;
  const inconclusive =
    isCanary &&
    rollout.status?.canary?.currentStepAnalysisRunStatus?.status ===
      'Inconclusive';
  if (
    inconclusive &&
    pauseConditions.length > 0 &&
    rollout.status?.controllerPause
  ) {
    // An inconclusive analysis paused by the controller: clear both and go to the next step,
    // or the Rollout stays stuck when that step is a pause.
    if (nextStep !== null) {
      statusBody = {
        status: {
          pauseConditions: null,
          controllerPause: false,
          currentStepIndex: nextStep,
        },
      };
    }
  } else if (pauseConditions.length > 0) {
    statusBody = { status: { pauseConditions: null } };
  } else if (nextStep !== null) {
    // Never both: without pause conditions, promote skips the step running.
    statusBody = {
      status: { pauseConditions: null, currentStepIndex: nextStep },
    };
    unified = {
      spec: { paused: false },
      status: { pauseConditions: null, currentStepIndex: nextStep },
    };
  }
  const specBody = rollout.spec?.paused ? { spec: { paused: false } } : null;
  if (!statusBody && !specBody) {
    throw new ConflictError(
      `${objectLabel(
        rollout,
      )} is not paused and runs no canary step to skip: there is nothing to promote`,
    );
  }
  const unifiedPatch = main(unified);
  if (!statusBody) return [main(specBody!)];
  return [
    status(statusBody, [unifiedPatch]),
    ...(specBody ? [main(specBody)] : []),
  ];
}

/**
 * The step index promote moves to, as the CLI computes it from GetCurrentCanaryStep: `null`
 * without canary steps; the current index (0 when unset) plus one, but never past the end.
 */
function nextStepIndex(rollout: KubeObject): number | null {
  const steps: unknown[] = rollout.spec?.strategy?.canary?.steps ?? [];
  if (steps.length === 0) return null;
  const current = Number(rollout.status?.currentStepIndex ?? 0);
  return current < steps.length ? current + 1 : current;
}

function patch(
  rollout: KubeObject,
  resource: 'rollouts' | 'rollouts/status',
  body: Record<string, unknown>,
): ClusterRequest {
  const path = objectPath(rollout, 'rollouts');
  return {
    method: 'PATCH',
    path: resource === 'rollouts' ? path : `${path}/status`,
    contentType: MERGE_PATCH,
    body,
    object:
      resource === 'rollouts'
        ? objectLabel(rollout)
        : `the status of ${objectLabel(rollout)}`,
    grant: grant(rollout, 'patch', resource),
  };
}

function grant(
  rollout: KubeObject,
  verb: ClusterGrant['verb'],
  resource: string,
): ClusterGrant {
  return {
    verb,
    resource,
    group: GROUP,
    namespace: String(rollout.metadata?.namespace),
  };
}
