import {
  EnvironmentStatus,
  GitopsVersion,
} from '@gitops-backstage/plugin-gitops-common';

/** Formats a version the way people write it: the tag, else a short digest, else the chart. */
export function formatVersion(version: GitopsVersion | null): string {
  if (!version) return 'nothing';
  if (version.tag && version.digest)
    return `${version.tag}@${version.digest.slice(0, 19)}`;
  return (
    version.tag ??
    version.digest?.slice(0, 19) ??
    (version.chartVersion ? `chart ${version.chartVersion}` : 'nothing')
  );
}

/**
 * The exact chart version an environment installs: the version Git pins, or for a range the
 * one the cluster installed (`status.history[0].chartVersion` of the HelmRelease).
 */
export function exactChartVersion(status: EnvironmentStatus): string | null {
  const chart = status.desired?.chart;
  if (!chart?.version) return null;
  if (!chart.range) return chart.version;
  return status.sync?.chartVersion ?? null;
}

/**
 * The version an environment's Git state declares, or `null`: the image's tag or digest, or,
 * where the image is the chart's default, the chart's exact version.
 */
export function desiredVersion(
  status: EnvironmentStatus,
): GitopsVersion | null {
  const desired = status.desired;
  if (!desired) return null;
  if (desired.tag || desired.digest) {
    return { tag: desired.tag, digest: desired.digest };
  }
  if (desired.imageSource !== 'chartDefaults') return null;
  const chartVersion = exactChartVersion(status);
  return chartVersion ? { tag: null, digest: null, chartVersion } : null;
}

/**
 * Whether the live workload runs this version: the tag or digest in a container image, or
 * for a chart's version, the chart the engine installed.
 */
export function runsVersion(
  status: EnvironmentStatus,
  version: GitopsVersion,
): boolean {
  if (!version.tag && !version.digest && version.chartVersion) {
    return status.sync?.chartVersion === version.chartVersion;
  }
  const images = status.live?.images ?? [];
  return images.some(
    image =>
      (version.digest !== null && image.endsWith(`@${version.digest}`)) ||
      (version.tag !== null &&
        (image.endsWith(`:${version.tag}`) ||
          image.includes(`:${version.tag}@`))),
  );
}
