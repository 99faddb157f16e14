import { DesiredAutoscaling } from '@gitops-backstage/plugin-gitops-common';
import { WorkloadState, readResources } from './workloadState';
import { isPlainObject } from './parseYaml';

/**
 * Deep-merges Helm values the way `helm -f a.yaml -f b.yaml` does: maps merge key by key,
 * anything else (lists included) is replaced, and `null` removes a default.
 */
export function mergeHelmValues(
  base: Record<string, any>,
  override: Record<string, any>,
): Record<string, any> {
  const result: Record<string, any> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value) && isPlainObject(result[key])) {
      result[key] = mergeHelmValues(result[key], value);
    } else {
      result[key] = value;
    }
  }
  return result;
}

/**
 * Reads the version and scaling from merged values of a chart that follows the `helm create`
 * conventions: `image.{registry,repository,tag,digest}`, `replicaCount` (ignored while
 * `autoscaling.enabled`) and `autoscaling.{minReplicas,maxReplicas,target…Percentage}`. An
 * empty tag means the chart's `appVersion`.
 */
export function helmWorkloadState(
  values: Record<string, any>,
  chart: { name: string | null; appVersion: string | null },
): Omit<WorkloadState, 'namespace'> {
  const warnings: string[] = [];
  const image = isPlainObject(values.image) ? values.image : {};
  const repository = image.repository ? String(image.repository) : null;
  const name =
    repository && image.registry
      ? `${image.registry}/${repository}`
      : repository;
  let tag =
    image.tag !== undefined && image.tag !== null && image.tag !== ''
      ? String(image.tag)
      : null;
  if (!tag && chart.appVersion) {
    tag = chart.appVersion;
  }
  if (!name) {
    warnings.push('values set no image.repository');
  }
  const scaling = isPlainObject(values.autoscaling)
    ? values.autoscaling
    : undefined;
  const autoscaling: DesiredAutoscaling | null =
    scaling?.enabled === true
      ? {
          minReplicas: numberOrNull(scaling.minReplicas) ?? 1,
          maxReplicas: numberOrNull(scaling.maxReplicas),
          targetCPUUtilizationPercentage: numberOrNull(
            scaling.targetCPUUtilizationPercentage,
          ),
          targetMemoryUtilizationPercentage: numberOrNull(
            scaling.targetMemoryUtilizationPercentage,
          ),
        }
      : null;
  return {
    workload: chart.name,
    image: name,
    tag,
    digest: image.digest ? String(image.digest) : null,
    // The chart renders spec.replicas only without autoscaling.
    replicas: autoscaling ? null : numberOrNull(values.replicaCount) ?? 1,
    autoscaling,
    resources: readResources(values.resources),
    warnings,
  };
}

function numberOrNull(value: unknown): number | null {
  const number =
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
}
