import { Config } from '@backstage/config';
import { SupplyChainPolicy } from '@gitops-backstage/plugin-gitops-common';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const POD_SECURITY_LEVELS = ['restricted', 'baseline'] as const;

/**
 * Reads `gitops.environments[].policy.supplyChain`: what a version must show before it goes
 * into the environment. `null` when the block is absent (nothing required).
 */
export function readSupplyChainPolicy(
  where: string,
  policy: Config | undefined,
): SupplyChainPolicy | null {
  const block = policy?.getOptionalConfig('supplyChain');
  if (!block) return null;
  const at = `${where}.supplyChain`;
  return {
    requireSignature: readRequireSignature(at, block),
    maxVulnerabilities: readMaxVulnerabilities(at, block),
    requireProvenance: readRequireProvenance(at, block),
    policyReports: readPolicyReports(at, block),
    podSecurity: readPodSecurity(at, block),
    requireDigest: block.getOptionalBoolean('requireDigest') ?? false,
  };
}

function readRequireSignature(
  at: string,
  block: Config,
): SupplyChainPolicy['requireSignature'] {
  if (!block.has('requireSignature')) return null;
  const identities = (
    block.getOptionalConfigArray('requireSignature.identities') ?? []
  ).map((identity, i) => {
    const where = `${at}.requireSignature.identities[${i}]`;
    const key = identity.getOptionalString('key');
    if (key) return { key };
    const subject = identity.getOptionalString('subject');
    if (!subject) {
      throw new Error(`${where} needs \`subject\` (a pattern) or \`key\``);
    }
    try {
      // `{service}` is filled in with an escaped name, so the pattern must compile without it.
      RegExp(subject.split('{service}').join('service'));
    } catch (error) {
      throw new Error(
        `${where}.subject is not a regular expression: ${
          (error as Error).message
        }`,
      );
    }
    return { issuer: identity.getOptionalString('issuer') ?? null, subject };
  });
  if (identities.length === 0) {
    throw new Error(
      `${at}.requireSignature.identities must name at least one signer (a subject pattern with its issuer, or a key)`,
    );
  }
  return { identities };
}

function readMaxVulnerabilities(
  at: string,
  block: Config,
): SupplyChainPolicy['maxVulnerabilities'] {
  const limits = block.getOptionalConfig('maxVulnerabilities');
  if (!limits) return null;
  const result: NonNullable<SupplyChainPolicy['maxVulnerabilities']> = {};
  for (const key of limits.keys()) {
    if (!(SEVERITIES as readonly string[]).includes(key)) {
      throw new Error(
        `${at}.maxVulnerabilities.${key}: not a severity (${SEVERITIES.join(
          ', ',
        )})`,
      );
    }
    const value = limits.getNumber(key);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(
        `${at}.maxVulnerabilities.${key} must be a whole number, 0 or more`,
      );
    }
    result[key as (typeof SEVERITIES)[number]] = value;
  }
  return result;
}

function readRequireProvenance(
  at: string,
  block: Config,
): SupplyChainPolicy['requireProvenance'] {
  if (!block.has('requireProvenance')) return null;
  const value = block.get('requireProvenance');
  if (value === false) return null;
  if (value === true) return { builders: [], sourceRepositories: [] };
  const provenance = block.getConfig('requireProvenance');
  const patterns = (key: string) => {
    const list = provenance.getOptionalStringArray(key) ?? [];
    for (const pattern of list) {
      try {
        RegExp(pattern.split('{service}').join('service'));
      } catch (error) {
        throw new Error(
          `${at}.requireProvenance.${key}: "${pattern}" is not a regular expression: ${
            (error as Error).message
          }`,
        );
      }
    }
    return list;
  };
  return {
    builders: patterns('builders'),
    sourceRepositories: patterns('sourceRepositories'),
  };
}

function readPolicyReports(
  at: string,
  block: Config,
): SupplyChainPolicy['policyReports'] {
  const value = block.getOptionalString('policyReports');
  if (value === undefined) return null;
  if (value !== 'noFailures') {
    throw new Error(`${at}.policyReports must be "noFailures", not "${value}"`);
  }
  return value;
}

function readPodSecurity(
  at: string,
  block: Config,
): SupplyChainPolicy['podSecurity'] {
  const value = block.getOptionalString('podSecurity');
  if (value === undefined) return null;
  if (!(POD_SECURITY_LEVELS as readonly string[]).includes(value)) {
    throw new Error(
      `${at}.podSecurity must be "restricted" or "baseline", not "${value}"`,
    );
  }
  return value as SupplyChainPolicy['podSecurity'];
}

/** Whether a policy requires anything of the supply chain. */
export function requiresSupplyChain(policy: SupplyChainPolicy | null): boolean {
  return (
    !!policy &&
    (!!policy.requireSignature ||
      !!policy.maxVulnerabilities ||
      !!policy.requireProvenance ||
      !!policy.policyReports ||
      !!policy.podSecurity ||
      policy.requireDigest)
  );
}

/** A supply-chain policy as one entity's answer shows it: `{service}` is its name. */
export function policyForService(
  policy: SupplyChainPolicy | null,
  service: string,
): SupplyChainPolicy | null {
  if (!policy) return null;
  const fill = (pattern: string) => pattern.split('{service}').join(service);
  return {
    ...policy,
    requireSignature: policy.requireSignature && {
      identities: policy.requireSignature.identities.map(identity =>
        'key' in identity
          ? identity
          : { ...identity, subject: fill(identity.subject) },
      ),
    },
    requireProvenance: policy.requireProvenance && {
      builders: policy.requireProvenance.builders.map(fill),
      sourceRepositories: policy.requireProvenance.sourceRepositories.map(fill),
    },
  };
}
