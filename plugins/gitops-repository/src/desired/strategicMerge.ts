import { isPlainObject } from './parseYaml';

/**
 * Merge keys of the Kubernetes lists a GitOps overlay patches. Lists not named here are
 * replaced whole, as strategic merge does for lists without a patch strategy.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  tolerations: 'key',
};

/**
 * Applies a strategic merge patch to a Kubernetes object and returns the result (inputs are
 * not modified). Supports `null` (delete a key), merge-keyed lists and `$patch: delete|replace`.
 */
export function applyStrategicMerge(
  target: unknown,
  patch: unknown,
  key?: string,
): unknown {
  if (isPlainObject(patch)) {
    if (patch.$patch === 'replace') {
      const { $patch: _ignored, ...rest } = patch;
      return structuredClone(rest);
    }
    const result: Record<string, unknown> = isPlainObject(target)
      ? { ...target }
      : {};
    for (const [field, value] of Object.entries(patch)) {
      if (field.startsWith('$')) {
        continue;
      }
      if (value === null) {
        delete result[field];
      } else {
        result[field] = applyStrategicMerge(result[field], value, field);
      }
    }
    return result;
  }
  if (Array.isArray(patch) && key && MERGE_KEYS[key] && Array.isArray(target)) {
    return mergeList(target, patch, MERGE_KEYS[key]);
  }
  return structuredClone(patch);
}

function mergeList(
  target: unknown[],
  patch: unknown[],
  mergeKey: string,
): unknown[] {
  const result = [...target];
  for (const item of patch) {
    if (!isPlainObject(item) || item[mergeKey] === undefined) {
      result.push(structuredClone(item));
      continue;
    }
    const index = result.findIndex(
      existing =>
        isPlainObject(existing) && existing[mergeKey] === item[mergeKey],
    );
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = applyStrategicMerge(result[index], item);
    } else {
      result.push(applyStrategicMerge(undefined, item));
    }
  }
  return result;
}
