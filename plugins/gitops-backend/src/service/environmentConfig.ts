import { Config } from '@backstage/config';
import {
  EnvironmentConfig,
  defaultEnvironmentConfig,
} from '@gitops-backstage/plugin-gitops-repository';

/**
 * One entry of `gitops.environments` (or a default one, when the list is not configured):
 * where its files and cluster are, and how changes reach it. `previous` is the environment
 * before it, the default source of its promotions.
 */
export function readEnvironment(
  name: string,
  previous: string | null,
  env?: Config,
): EnvironmentConfig {
  const mode =
    env?.getOptionalString('promotion.mode') ??
    env?.getOptionalString('promotion.policy') ??
    'commit';
  const policy = mode === 'pull-request' ? 'pullRequest' : mode;
  if (policy !== 'commit' && policy !== 'pullRequest') {
    throw new Error(
      `gitops.environments[${name}].promotion.mode must be "commit" or "pull-request", not "${mode}"`,
    );
  }
  // The gates moved to `policy`; the older `promotion.*` keys still count when it is not set.
  const minSoakMinutes =
    env?.getOptionalNumber('policy.minSoakMinutes') ??
    env?.getOptionalNumber('promotion.minSoakMinutes') ??
    0;
  if (!(minSoakMinutes >= 0)) {
    throw new Error(
      `gitops.environments[${name}].promotion.minSoakMinutes must be 0 or more`,
    );
  }
  const defaults = defaultEnvironmentConfig(name);
  return {
    name,
    cluster: env?.getOptionalString('cluster') ?? defaults.cluster,
    namespace: env?.getOptionalString('namespace') ?? defaults.namespace,
    overlayPath: env?.getOptionalString('overlayPath') ?? defaults.overlayPath,
    valuesFile: env?.getOptionalString('valuesFile') ?? defaults.valuesFile,
    definitionPath: readStringOrList(env, 'definitionPath'),
    promotionPolicy: policy,
    allowedSources:
      env?.getOptionalStringArray('policy.allowedSources') ??
      env?.getOptionalStringArray('promotion.allowedSources') ??
      (previous ? [previous] : []),
    requireHealthySource:
      env?.getOptionalBoolean('policy.requireHealthySource') ??
      env?.getOptionalBoolean('promotion.requireHealthySource') ??
      false,
    minSoakMinutes,
    autoSync: env?.getOptionalBoolean('autoSync') ?? false,
    // A manifest check's severity: an unpinned image fails it where digests are required.
    requireDigest:
      env?.getOptionalBoolean('policy.supplyChain.requireDigest') ?? false,
  };
}

function readStringOrList(
  config: Config | undefined,
  key: string,
): string | string[] | null {
  if (!config?.has(key)) return null;
  const value = config.get(key);
  return Array.isArray(value)
    ? config.getStringArray(key)
    : config.getString(key);
}
