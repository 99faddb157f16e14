import {
  AutomationEvent,
  AutomationEventKind,
  EnvironmentStatus,
  GitopsVersion,
  VerificationRecord,
} from '@gitops-backstage/plugin-gitops-common';
import semver from 'semver';
import { formatVersion, desiredVersion } from '../promotion/gates';
import { EnvironmentPolicy } from '../policy/policyConfig';

/** An event the automation should act on, found from a verification's result. */
export interface AutomationOffer {
  kind: AutomationEventKind;
  environment: string;
  sourceEnvironment: string | null;
  version: GitopsVersion;
}

/**
 * What a finished verification asks of the automation: a version that Passed in `F` is taken
 * by every environment whose `autoPromotion.from` is `F`; a version that Failed where
 * `rollbackOnFailedVerification` is set is rolled back there.
 */
export function offersOf(
  record: VerificationRecord,
  policies: Record<string, EnvironmentPolicy>,
): AutomationOffer[] {
  if (record.state === 'Passed') {
    return Object.entries(policies)
      .filter(
        ([, { autoPromotion }]) =>
          autoPromotion?.from === record.environment &&
          (!autoPromotion.entities ||
            autoPromotion.entities.includes(record.entityRef)),
      )
      .map(([environment]) => ({
        kind: 'promotion',
        environment,
        sourceEnvironment: record.environment,
        version: record.version,
      }));
  }
  if (
    record.state === 'Failed' &&
    policies[record.environment]?.rollbackOnFailedVerification
  ) {
    return [
      {
        kind: 'rollback',
        environment: record.environment,
        sourceEnvironment: null,
        version: record.version,
      },
    ];
  }
  return [];
}

/**
 * Whether two versions are the same release: the tag when both have one (a digest-pinned
 * environment writes `tag@digest` for the tag another one runs), else the digest, else the
 * chart's version.
 */
export function sameVersion(a: GitopsVersion, b: GitopsVersion): boolean {
  if (a.tag && b.tag) {
    return a.tag === b.tag && (!a.digest || !b.digest || a.digest === b.digest);
  }
  if (a.digest && b.digest) return a.digest === b.digest;
  if (a.tag || b.tag || a.digest || b.digest) return false;
  return !!a.chartVersion && a.chartVersion === b.chartVersion;
}

/** Whether `a` is a newer release than `b`, when both are semantic versions (`v` allowed). */
function newer(a: GitopsVersion, b: GitopsVersion): boolean {
  const parse = (v: GitopsVersion) =>
    semver.valid(v.tag ?? v.chartVersion ?? '', { loose: true });
  const left = parse(a);
  const right = parse(b);
  return !!left && !!right && semver.gt(left, right, { loose: true });
}

/** What to do with an event now: act, or end it with a state and why. */
export type Judgement =
  | { act: true; rollbackTo?: GitopsVersion }
  | { act: false; state: 'Superseded' | 'Refused'; message: string };

/**
 * Whether an auto-promotion still makes sense with Git as it is now: the source still declares
 * the version, the target does not have it or something newer, and the version has not failed
 * verification in the target before (a rolled-back version is not taken again by itself).
 */
export function judgePromotion(args: {
  event: Pick<AutomationEvent, 'environment' | 'sourceEnvironment' | 'version'>;
  source: EnvironmentStatus | undefined;
  target: EnvironmentStatus | undefined;
  targetVerification: VerificationRecord | undefined;
}): Judgement {
  const { event, source, target } = args;
  const label = formatVersion(event.version);
  const from = event.sourceEnvironment ?? 'the source';
  if (args.targetVerification?.state === 'Failed') {
    return {
      act: false,
      state: 'Refused',
      message: `${label} failed verification in ${event.environment} before: not taken again automatically`,
    };
  }
  const declared = source ? desiredVersion(source) : null;
  if (!declared || !sameVersion(declared, event.version)) {
    return {
      act: false,
      state: 'Superseded',
      message: `${from} now declares ${formatVersion(declared)}, not ${label}`,
    };
  }
  const current = target ? desiredVersion(target) : null;
  if (current && sameVersion(current, event.version)) {
    return {
      act: false,
      state: 'Superseded',
      message: `${event.environment} already declares ${label}`,
    };
  }
  if (current && newer(current, event.version)) {
    return {
      act: false,
      state: 'Superseded',
      message: `${event.environment} declares ${formatVersion(
        current,
      )}, newer than ${label}`,
    };
  }
  return { act: true };
}

/**
 * Whether an auto-rollback still makes sense, and to what: the environment still declares the
 * failed version, and a version Passed verification there before (the newest such).
 */
export function judgeRollback(args: {
  event: Pick<AutomationEvent, 'environment' | 'version'>;
  target: EnvironmentStatus | undefined;
  /** The environment's verifications, any order. */
  history: VerificationRecord[];
}): Judgement {
  const { event, target } = args;
  const label = formatVersion(event.version);
  const current = target ? desiredVersion(target) : null;
  if (!current || !sameVersion(current, event.version)) {
    return {
      act: false,
      state: 'Superseded',
      message: `${event.environment} now declares ${formatVersion(
        current,
      )}, not ${label}`,
    };
  }
  const passed = args.history
    .filter(r => r.state === 'Passed' && !sameVersion(r.version, event.version))
    .sort((a, b) =>
      (b.finishedAt ?? b.at).localeCompare(a.finishedAt ?? a.at),
    )[0];
  if (!passed) {
    return {
      act: false,
      state: 'Refused',
      message: `no version passed verification in ${event.environment} before ${label}: nothing to roll back to`,
    };
  }
  if (!passed.version.tag) {
    return {
      act: false,
      state: 'Refused',
      message: `${formatVersion(passed.version)} passed last in ${
        event.environment
      }, but a rollback needs a tag`,
    };
  }
  return { act: true, rollbackTo: passed.version };
}
