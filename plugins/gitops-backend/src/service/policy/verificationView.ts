import {
  EnvironmentStatus,
  EnvironmentVerification,
  GitopsVersion,
  VerificationRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { formatVersion, runsVersion } from '../promotion/gates';
import { shownValue } from './policyEngine';

/*
 * How an environment's answer shows the verification of the version it runs: the record, or
 * why there is none yet; and the VerificationFailed problem of a failed one.
 */

/** The verification of the version an environment runs, as its answer shows it. */
export function verificationOf(
  env: EnvironmentStatus,
  version: GitopsVersion | null,
  record: VerificationRecord | undefined,
  configured: boolean,
): EnvironmentVerification {
  if (!configured) {
    return {
      state: 'NotConfigured',
      version,
      at: null,
      checks: [],
      message: `${env.name} has no verification checks`,
    };
  }
  if (record) {
    return {
      state: record.state,
      version: record.version,
      at: record.at,
      checks: record.checks,
      message: null,
    };
  }
  const healthy =
    env.sync?.status === 'Synced' &&
    env.sync.health === 'Healthy' &&
    !!version &&
    runsVersion(env, version);
  return {
    state: 'Pending',
    version,
    at: null,
    checks: [],
    message: healthy
      ? `${formatVersion(
          version,
        )} runs Synced and Healthy: its checks start shortly`
      : `the checks run once ${env.name} runs ${formatVersion(
          version,
        )} Synced and Healthy`,
  };
}

export function verificationProblem(
  environment: string,
  record: VerificationRecord,
) {
  const failed = record.checks.filter(c => c.state === 'Failed');
  return {
    type: 'VerificationFailed' as const,
    severity: 'error' as const,
    message: `${formatVersion(
      record.version,
    )} failed verification in ${environment}: ${failed
      .map(
        c =>
          `${c.name} ${shownValue(c.value)}${
            c.threshold ? ` (threshold ${c.threshold})` : ''
          }: ${c.detail}`,
      )
      .join('; ')}`,
    hint: 'The version cannot go further: roll back this environment (a commit) or fix forward; re-run the verification once the cause is fixed.',
    object: null,
  };
}
