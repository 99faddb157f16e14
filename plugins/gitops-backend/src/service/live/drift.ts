import {
  DesiredState,
  DriftItem,
} from '@gitops-backstage/plugin-gitops-common';
import {
  formatImageRef,
  parseImageRef,
} from '@gitops-backstage/plugin-gitops-repository';
import { KubeObject } from './kinds';
import { ServiceObjects } from './selectServiceObjects';

/**
 * The pod template and replicas that stand for what Git asks: a Rollout's template (or that of
 * the Deployment its workloadRef names) and replicas; a Deployment's template, and with a
 * Flagger Canary the primary's replicas, as Flagger scales the target Deployment to zero
 * between analyses. During a canary the stable pods run the old image by design: the template
 * is what Git changed, the pods are not compared.
 */
export function desiredShape(objects: ServiceObjects): {
  containers: KubeObject[];
  replicas: unknown;
  workload: KubeObject | undefined;
} {
  const { rollout, deployment } = objects;
  if (rollout) {
    const template = (objects.workloadRef ?? rollout).spec?.template?.spec;
    return {
      containers: template?.containers ?? [],
      replicas: rollout.spec?.replicas,
      workload: rollout,
    };
  }
  return {
    containers: deployment?.spec?.template?.spec?.containers ?? [],
    replicas: objects.canary
      ? objects.primary?.spec?.replicas
      : deployment?.spec?.replicas,
    workload: deployment,
  };
}

/**
 * Where Git and the cluster disagree: image (tag or digest) and, without an HPA (and when the
 * account may list HPAs), replicas.
 */
export function detectDrift(
  desired: DesiredState | null,
  objects: ServiceObjects,
): DriftItem[] {
  const { hpa } = objects;
  const {
    containers,
    replicas: liveReplicas,
    workload,
  } = desiredShape(objects);
  if (!desired || !workload || !desired.image) return [];
  const drift: DriftItem[] = [];
  const wanted = formatImageRef({
    name: desired.image,
    tag: desired.tag,
    digest: desired.digest,
  });
  const running = containers
    .map(c => parseImageRef(String(c.image ?? '')))
    .find(ref => ref.name === desired.image);
  const same =
    running &&
    (desired.digest
      ? running.digest === desired.digest
      : running.tag === (desired.tag ?? running.tag)) &&
    (!desired.digest || !desired.tag || running.tag === desired.tag);
  if (!same) {
    drift.push({
      field: 'image',
      desired: wanted,
      live: running ? formatImageRef(running) : null,
    });
  }
  if (
    !hpa &&
    !objects.hpaUnreadable &&
    desired.replicas !== null &&
    typeof liveReplicas === 'number' &&
    liveReplicas !== desired.replicas
  ) {
    drift.push({
      field: 'replicas',
      desired: desired.replicas,
      live: liveReplicas,
    });
  }
  return drift;
}
