import {
  DesiredAutoscaling,
  DesiredResources,
  DesiredState,
} from '@gitops-backstage/plugin-gitops-common';
import { KubernetesObject } from './buildKustomization';
import { parseImageRef } from './imageRef';
import { extractProgressive } from './progressiveState';
import { ManifestError, isPlainObject } from './parseYaml';

/**
 * Which workload and container of a render belong to the service.
 *
 * @public
 */
export interface WorkloadHints {
  /** `backstage.io/kubernetes-id`: the workload's name. */
  workloadName?: string;
  /** `gitops.backstage.io/image`: the image repository of the service's container. */
  image?: string;
  /** `gitops.backstage.io/image-values-path`: the image block in Helm values, e.g. `app.image`. */
  valuesPath?: string;
}

/** The version and scaling fields of a rendered workload. */
export type WorkloadState = Pick<
  DesiredState,
  | 'workload'
  | 'workloadKind'
  | 'namespace'
  | 'image'
  | 'tag'
  | 'digest'
  | 'replicas'
  | 'autoscaling'
  | 'resources'
  | 'progressive'
  | 'warnings'
>;

/** Argo Rollouts' `Rollout` (argoproj.io) replaces a Deployment, inline or by `workloadRef`. */
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'];

/**
 * Picks the service's workload and container out of rendered manifests and reads its version
 * and scaling, with the HPA that targets it.
 */
export function extractWorkloadState(
  resources: KubernetesObject[],
  hints: WorkloadHints,
  where: string,
): WorkloadState {
  const { workload, container, warnings } = pickWorkload(
    resources,
    hints,
    where,
  );
  const ref = parseImageRef(String(container.image ?? ''));
  const hpa = resources.find(
    r =>
      r.kind === 'HorizontalPodAutoscaler' &&
      r.spec?.scaleTargetRef?.kind === workload.kind &&
      r.spec?.scaleTargetRef?.name === workload.metadata?.name,
  );
  const autoscaling = hpa ? readHpa(hpa.spec) : null;
  const declared = workload.spec?.replicas;
  let replicas: number | null = typeof declared === 'number' ? declared : null;
  if (replicas === null && !autoscaling && workload.kind !== 'DaemonSet') {
    replicas = 1; // the Kubernetes default when nothing sets it
  }
  return {
    workload: String(workload.metadata?.name),
    ...(workload.kind === 'Rollout'
      ? { workloadKind: 'Rollout' as const }
      : {}),
    namespace: workload.metadata?.namespace ?? null,
    image: ref.name || null,
    tag: ref.tag,
    digest: ref.digest,
    replicas,
    autoscaling,
    resources: readResources(container.resources),
    // The Rollout's strategy, or the Flagger Canary over the workload; null without either.
    progressive: extractProgressive(resources, workload),
    warnings,
  };
}

/**
 * The service's workload among rendered manifests and its container: the workload named by
 * the hints, else the one running the hinted image, else the first; the same container for
 * the version fields and for the manifest checks.
 */
export function pickWorkload(
  resources: KubernetesObject[],
  hints: WorkloadHints,
  where: string,
): {
  workload: KubernetesObject;
  /** The pod template it runs: its own, or a `workloadRef` Rollout's Deployment's. */
  template: Record<string, any> | undefined;
  container: Record<string, any>;
  warnings: string[];
} {
  const templateOf = (w: KubernetesObject) => referencedTemplate(w, resources);
  // A Deployment a Rollout takes its template from is not run by itself (Argo Rollouts
  // scales it to zero): the Rollout is the workload.
  const referenced = new Set(
    resources
      .filter(r => r.kind === 'Rollout')
      .map(r => workloadRefName(r))
      .filter((name): name is string => !!name),
  );
  const workloads = resources.filter(
    r =>
      WORKLOAD_KINDS.includes(String(r.kind)) &&
      !(r.kind === 'Deployment' && referenced.has(r.metadata?.name)),
  );
  if (workloads.length === 0) {
    throw new ManifestError(
      `${where}: renders no Deployment, StatefulSet, DaemonSet or Rollout`,
    );
  }
  const warnings: string[] = [];
  const runsImage = (w: KubernetesObject) =>
    containersIn(templateOf(w)).some(
      c => parseImageRef(String(c.image ?? '')).name === hints.image,
    );
  const named = (w: KubernetesObject) =>
    w.metadata?.name === hints.workloadName ||
    (w.kind === 'Rollout' && workloadRefName(w) === hints.workloadName);
  const workload =
    (hints.workloadName && workloads.find(named)) ||
    (hints.image && workloads.find(runsImage)) ||
    workloads[0];

  const template = templateOf(workload);
  const containers = containersIn(template);
  const container =
    (hints.image &&
      containers.find(
        c => parseImageRef(String(c.image ?? '')).name === hints.image,
      )) ||
    containers.find(c => c.name === workload.metadata?.name) ||
    containers[0];
  if (!container) {
    throw new ManifestError(
      `${where}: ${workload.kind} ${workload.metadata?.name} has no containers`,
    );
  }
  if (
    hints.image &&
    parseImageRef(String(container.image ?? '')).name !== hints.image
  ) {
    warnings.push(
      `${where}: no container runs ${hints.image}; read container "${container.name}" (${container.image})`,
    );
  }
  return { workload, template, container, warnings };
}

/** The Deployment a Rollout's `spec.workloadRef` names, when it does. */
function workloadRefName(rollout: KubernetesObject): string | null {
  const ref = rollout.spec?.workloadRef;
  return isPlainObject(ref) && ref.kind === 'Deployment' && ref.name
    ? String(ref.name)
    : null;
}

/** A workload's pod template; a Rollout with `workloadRef` runs its Deployment's. */
function referencedTemplate(
  workload: KubernetesObject,
  resources: KubernetesObject[],
): Record<string, any> | undefined {
  const refName =
    workload.kind === 'Rollout' ? workloadRefName(workload) : null;
  const source = refName
    ? resources.find(
        r => r.kind === 'Deployment' && r.metadata?.name === refName,
      )
    : workload;
  const template = source?.spec?.template;
  return isPlainObject(template) ? template : undefined;
}

/** Reads min/max and the CPU/memory utilization targets of an HPA spec (v1 or v2). */
export function readHpa(
  spec: Record<string, any> | undefined,
): DesiredAutoscaling {
  const utilization = (name: string): number | null => {
    for (const metric of Array.isArray(spec?.metrics) ? spec!.metrics : []) {
      if (metric?.type === 'Resource' && metric.resource?.name === name) {
        // autoscaling/v2 nests it under target; v2beta1 used targetAverageUtilization.
        const value =
          metric.resource.target?.averageUtilization ??
          metric.resource.targetAverageUtilization;
        return typeof value === 'number' ? value : null;
      }
    }
    return null;
  };
  return {
    minReplicas: numberOrNull(spec?.minReplicas) ?? 1,
    maxReplicas: numberOrNull(spec?.maxReplicas),
    targetCPUUtilizationPercentage:
      numberOrNull(spec?.targetCPUUtilizationPercentage) ?? utilization('cpu'),
    targetMemoryUtilizationPercentage: utilization('memory'),
  };
}

/** Reads requests and limits; null when the container sets neither. */
export function readResources(resources: unknown): DesiredResources | null {
  if (!isPlainObject(resources) || (!resources.requests && !resources.limits)) {
    return null;
  }
  const pick = (side: unknown) => ({
    cpu:
      isPlainObject(side) && side.cpu !== undefined ? String(side.cpu) : null,
    memory:
      isPlainObject(side) && side.memory !== undefined
        ? String(side.memory)
        : null,
  });
  return { requests: pick(resources.requests), limits: pick(resources.limits) };
}

function containersIn(
  template: Record<string, any> | undefined,
): Record<string, any>[] {
  const containers = template?.spec?.containers;
  return Array.isArray(containers) ? containers.filter(isPlainObject) : [];
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
