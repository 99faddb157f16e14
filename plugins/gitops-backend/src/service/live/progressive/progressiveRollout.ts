import { ProgressiveRollout } from '@gitops-backstage/plugin-gitops-common';
import { ServiceObjects } from '../selectServiceObjects';
import { argoRolloutState } from './argoRollout';
import { flaggerCanaryState } from './flaggerCanary';

/**
 * The environment's progressive rollout: its Argo Rollouts Rollout, else the Flagger Canary
 * over its Deployment; null when it has neither (or the controller is not installed).
 */
export function progressiveRollout(
  objects: ServiceObjects,
  desiredImage?: string | null,
): ProgressiveRollout | null {
  if (objects.rollout) {
    return argoRolloutState({
      rollout: objects.rollout,
      analysisRuns: objects.analysisRuns ?? [],
      pods: objects.pods,
      workloadRef: objects.workloadRef,
      desiredImage,
    });
  }
  if (objects.canary) {
    return flaggerCanaryState({
      canary: objects.canary,
      target: objects.deployment,
      primary: objects.primary,
      pods: objects.pods,
      events: objects.events,
      desiredImage,
    });
  }
  return null;
}
