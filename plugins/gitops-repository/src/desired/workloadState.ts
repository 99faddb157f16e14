import {
  DesiredAutoscaling,
  DesiredResources,
  DesiredState,
} from '@gitops-backstage/plugin-gitops-common';
import { KubernetesObject } from './buildKustomization';
import { parseImageRef } from './imageRef';
import { ManifestError, isPlainObject } from './parseYaml';

/** Which workload and container of a render belong to the service. */
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
  | 'namespace'
  | 'image'
  | 'tag'
  | 'digest'
  | 'replicas'
  | 'autoscaling'
  | 'resources'
  | 'warnings'
>;

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

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
    namespace: workload.metadata?.namespace ?? null,
    image: ref.name || null,
    tag: ref.tag,
    digest: ref.digest,
    replicas,
    autoscaling,
    resources: readResources(container.resources),
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
  container: Record<string, any>;
  warnings: string[];
} {
  const workloads = resources.filter(r =>
    WORKLOAD_KINDS.includes(String(r.kind)),
  );
  if (workloads.length === 0) {
    throw new ManifestError(
      `${where}: renders no Deployment, StatefulSet or DaemonSet`,
    );
  }
  const warnings: string[] = [];
  const runsImage = (w: KubernetesObject) =>
    containersOf(w).some(
      c => parseImageRef(String(c.image ?? '')).name === hints.image,
    );
  const workload =
    (hints.workloadName &&
      workloads.find(w => w.metadata?.name === hints.workloadName)) ||
    (hints.image && workloads.find(runsImage)) ||
    workloads[0];

  const containers = containersOf(workload);
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
  return { workload, container, warnings };
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

function containersOf(workload: KubernetesObject): Record<string, any>[] {
  const containers = workload.spec?.template?.spec?.containers;
  return Array.isArray(containers) ? containers.filter(isPlainObject) : [];
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
