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

/** Formats a version the way people write it: the tag, else a short digest. */
export function formatVersion(version: GitopsVersion | null): string {
  if (!version) return 'nothing';
  if (version.tag && version.digest)
    return `${version.tag}@${version.digest.slice(0, 19)}`;
  return version.tag ?? version.digest?.slice(0, 19) ?? 'nothing';
}

/** The version an environment's Git state declares, or `null`. */
export function desiredVersion(
  status: EnvironmentStatus,
): GitopsVersion | null {
  const desired = status.desired;
  if (!desired || (!desired.tag && !desired.digest)) return null;
  return { tag: desired.tag, digest: desired.digest };
}

/** Whether the live workload runs this version (tag or digest in a container image). */
export function runsVersion(
  status: EnvironmentStatus,
  version: GitopsVersion,
): boolean {
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
