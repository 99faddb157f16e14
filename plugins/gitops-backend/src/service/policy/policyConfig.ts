import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  PolicyWindow,
  SupplyChainPolicy,
} from '@gitops-backstage/plugin-gitops-common';
import { VerificationCheckSpec } from '@gitops-backstage/plugin-gitops-node';
import { ScheduledWindow, parseDuration, scheduleWindow } from './windows';
import { readSupplyChainPolicy } from '../evidence/supplyChainPolicy';

/** One evidence provider a policy requires (`policy.evidence[]`). */
export interface EvidenceRequirement {
  provider: string;
  options: Record<string, unknown>;
}

/** The gates of changes into one environment (`gitops.environments[].policy`), defaults applied. */
export interface EnvironmentPolicy {
  /** The version must have Passed verification in each of these environments. */
  verifiedIn: string[];
  requiredApprovals: number;
  /** Entity refs (groups or users) whose approvals count; empty = the entity's owner. */
  approvers: string[];
  windows: ScheduledWindow[];
  evidence: EvidenceRequirement[];
  /**
   * The portal promotes into this environment by itself each version that Passed
   * verification in `from`, when every gate passes; `null` when off.
   */
  autoPromotion: {
    from: string;
    /** Only these entities (refs); `null`: every entity with the environment. */
    entities: string[] | null;
  } | null;
  /** A version that Fails verification here is rolled back to the last one that Passed. */
  rollbackOnFailedVerification: boolean;
  /** What a version's signature, scans, reports and manifests must show; `null`: nothing. */
  supplyChain: SupplyChainPolicy | null;
}

/** The checks run after each deployment into one environment. */
export interface EnvironmentVerificationConfig {
  checks: VerificationCheckSpec[];
  /** Wait this long after Synced and Healthy before the checks run. */
  delayMs: number;
}

/** `gitops.verification` and `gitops.policy`, defaults applied. */
export interface PolicySettings {
  verification: {
    intervalMs: number;
    maxAttempts: number;
    backoffMs: number;
    checkTimeoutMs: number;
    /** A run claimed by an instance that went away is taken over after this long. */
    claimTimeoutMs: number;
    prometheusUrl: string | null;
  };
  /** The time zone refusals and banners write times in, when no window names one. */
  timeZone: string;
}

const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function readEnvironmentPolicy(
  name: string,
  env: Config | undefined,
  defaultTimeZone: string,
): EnvironmentPolicy {
  const policy = env?.getOptionalConfig('policy');
  const where = `gitops.environments[${name}].policy`;
  const requiredApprovals = policy?.getOptionalNumber('requiredApprovals') ?? 0;
  if (!Number.isInteger(requiredApprovals) || requiredApprovals < 0) {
    throw new Error(
      `${where}.requiredApprovals must be a whole number, 0 or more`,
    );
  }
  const windows = (policy?.getOptionalConfigArray('windows') ?? []).map(
    (w, i) => {
      const kind = w.getString('kind');
      if (kind !== 'allow' && kind !== 'deny') {
        throw new Error(
          `${where}.windows[${i}].kind must be "allow" or "deny", not "${kind}"`,
        );
      }
      const window: PolicyWindow = {
        kind,
        schedule: w.getString('schedule'),
        duration: w.getString('duration'),
        timeZone: w.getOptionalString('timeZone') ?? defaultTimeZone,
        reason: w.getOptionalString('reason') ?? null,
      };
      try {
        return scheduleWindow(window);
      } catch (error) {
        throw new Error(`${where}.windows[${i}]: ${(error as Error).message}`);
      }
    },
  );
  const approvers = policy?.getOptionalStringArray('approvers') ?? [];
  for (const ref of approvers) {
    if (!/^(group|user):[^/]+\/.+$/.test(ref)) {
      throw new Error(
        `${where}.approvers: "${ref}" is not an entity ref like group:default/platform or user:default/alice`,
      );
    }
  }
  return {
    verifiedIn: policy?.getOptionalStringArray('verifiedIn') ?? [],
    requiredApprovals,
    approvers,
    windows,
    evidence: (policy?.getOptionalConfigArray('evidence') ?? []).map(e => ({
      provider: e.getString('provider'),
      options: e.get<Record<string, unknown>>(),
    })),
    autoPromotion: policy?.has('autoPromotion')
      ? {
          from: policy.getString('autoPromotion.from'),
          entities:
            policy
              .getOptionalStringArray('autoPromotion.entities')
              ?.map(ref => {
                try {
                  return stringifyEntityRef(
                    parseEntityRef(ref, {
                      defaultKind: 'component',
                      defaultNamespace: 'default',
                    }),
                  );
                } catch {
                  throw new Error(
                    `${where}.autoPromotion.entities: "${ref}" is not an entity ref like component:default/guestbook`,
                  );
                }
              }) ?? null,
        }
      : null,
    rollbackOnFailedVerification:
      policy?.getOptionalBoolean('rollbackOnFailedVerification') ?? false,
    supplyChain: readSupplyChainPolicy(where, policy),
  };
}

export function readEnvironmentVerification(
  name: string,
  env: Config | undefined,
): EnvironmentVerificationConfig {
  const verification = env?.getOptionalConfig('verification');
  const where = `gitops.environments[${name}].verification`;
  const names = new Set<string>();
  const checks = (verification?.getOptionalConfigArray('checks') ?? []).map(
    (c, i) => {
      const checkName = c.getString('name');
      if (!CHECK_NAME.test(checkName) || names.has(checkName)) {
        throw new Error(
          `${where}.checks[${i}].name "${checkName}" must be unique, letters, digits, '.', '_', '-'`,
        );
      }
      names.add(checkName);
      const {
        name: _n,
        kind: _k,
        ...options
      } = c.get<Record<string, unknown>>();
      return { name: checkName, kind: c.getString('kind'), options };
    },
  );
  const delaySeconds = verification?.getOptionalNumber('delaySeconds') ?? 0;
  if (!(delaySeconds >= 0)) {
    throw new Error(`${where}.delaySeconds must be 0 or more`);
  }
  return { checks, delayMs: delaySeconds * 1000 };
}

export function readPolicySettings(root: Config | undefined): PolicySettings {
  const timeZone = root?.getOptionalString('policy.timeZone') ?? 'UTC';
  try {
    Intl.DateTimeFormat('en-GB', { timeZone }).format(0);
  } catch {
    throw new Error(`gitops.policy.timeZone: "${timeZone}" is not a time zone`);
  }
  const seconds = (key: string, fallback: number) => {
    const value = root?.getOptionalNumber(`verification.${key}`) ?? fallback;
    if (!(value > 0)) {
      throw new Error(
        `gitops.verification.${key} must be above 0, not ${value}`,
      );
    }
    return value * 1000;
  };
  const maxAttempts = root?.getOptionalNumber('verification.maxAttempts') ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(
      'gitops.verification.maxAttempts must be a whole number above 0',
    );
  }
  return {
    verification: {
      intervalMs: seconds('intervalSeconds', 15),
      maxAttempts,
      backoffMs: seconds('backoffSeconds', 30),
      checkTimeoutMs: seconds('checkTimeoutSeconds', 10),
      claimTimeoutMs: seconds('claimTimeoutSeconds', 300),
      prometheusUrl:
        root?.getOptionalString('verification.prometheus.url') ?? null,
    },
    timeZone,
  };
}

/** Re-exported so config errors and the engine agree on how durations read. */
export { parseDuration };
