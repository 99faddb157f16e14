import {
  EnvironmentStatus,
  GitopsVersion,
  PromotionGate,
} from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentConfig } from '../config';

/** What the gates of one promotion look at. */
export interface GateInput {
  from: EnvironmentConfig;
  to: EnvironmentConfig;
  /** The source environment as the environments endpoint shows it. */
  source: EnvironmentStatus;
  /** When the source's current version arrived in Git; `null` when the history does not say. */
  versionSince: Date | null;
  now: Date;
}

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

/**
 * The gates of a promotion from one environment to another, each with why it passed or not.
 * Every gate is evaluated, so a dry run can show all of them next to the Promote button.
 */
export function evaluateGates(input: GateInput): PromotionGate[] {
  const { from, to, source } = input;
  const version = desiredVersion(source);
  const gates: PromotionGate[] = [
    to.allowedSources.includes(from.name)
      ? {
          name: 'allowedSource',
          passed: true,
          message: `${to.name} takes promotions from ${from.name}`,
        }
      : {
          name: 'allowedSource',
          passed: false,
          message:
            to.allowedSources.length > 0
              ? `${to.name} takes promotions only from ${to.allowedSources.join(
                  ', ',
                )}, not from ${from.name}`
              : `${to.name} takes no promotions (it is the first environment)`,
        },
    version
      ? {
          name: 'versionKnown',
          passed: true,
          message: `${from.name} declares ${formatVersion(version)}`,
        }
      : {
          name: 'versionKnown',
          passed: false,
          message: `${from.name} has no version to promote${
            source.error ? `: ${source.error}` : ''
          }${
            source.desired?.chart?.range &&
            source.desired.imageSource === 'chartDefaults'
              ? `: it takes chart ${source.desired.chart.name} ${source.desired.chart.version}, a range, and its cluster does not say which version it installed`
              : ''
          }`,
        },
  ];
  if (to.requireHealthySource) {
    gates.push(healthyGate(from, source, version));
  }
  if (to.minSoakMinutes > 0) {
    gates.push(soakGate(input, version));
  }
  return gates;
}

function healthyGate(
  from: EnvironmentConfig,
  source: EnvironmentStatus,
  version: GitopsVersion | null,
): PromotionGate {
  const fail = (message: string) => ({
    name: 'healthySource',
    passed: false,
    message,
  });
  if (!version) return fail(`${from.name} has no version`);
  if (!source.live || !source.sync) {
    return fail(
      `cannot verify ${from.name}: ${
        source.error ?? 'no cluster is configured for it'
      }`,
    );
  }
  const { status, health } = source.sync;
  if (status !== 'Synced' || health !== 'Healthy') {
    return fail(`${from.name} is ${status} and ${health}`);
  }
  if (!runsVersion(source, version)) {
    return fail(
      `${from.name} does not run ${formatVersion(version)} yet (running ${
        source.live.images.join(', ') || 'nothing'
      })`,
    );
  }
  return {
    name: 'healthySource',
    passed: true,
    message: `${from.name} runs ${formatVersion(version)}, Synced and Healthy`,
  };
}

function soakGate(
  input: GateInput,
  version: GitopsVersion | null,
): PromotionGate {
  const { from, to, versionSince, now } = input;
  const required = to.minSoakMinutes;
  if (!version || !versionSince) {
    return {
      name: 'soak',
      passed: false,
      message: `cannot tell since when ${from.name} has ${formatVersion(
        version,
      )}; ${required} min required`,
    };
  }
  const minutes = Math.floor((now.getTime() - versionSince.getTime()) / 60000);
  return {
    name: 'soak',
    passed: minutes >= required,
    message: `${formatVersion(version)} has been in ${
      from.name
    } for ${minutes} min (since ${versionSince.toISOString()}); ${required} min required`,
  };
}
