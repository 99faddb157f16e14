import {
  EnvironmentStatus,
  ManifestCheckFinding,
  PodSecurityEvidence,
  PolicyEvidence,
  SignatureEvidence,
  VersionEvidence,
  VulnerabilityEvidence,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * What the registry says about one digest: its signatures and attestations, verified.
 * Immutable per digest, so it is read once and cached (see DigestEvidenceService).
 */
export interface RegistryEvidence {
  signature: SignatureEvidence;
  provenance: VersionEvidence['provenance'];
  vulnerabilities: VulnerabilityEvidence | null;
  sbom: boolean | null;
  checkedAt: string | null;
  notes?: string[];
}

/** The cluster's scanners' and admission policies' reports about a workload. */
export interface ClusterReports {
  vulnerabilities: VulnerabilityEvidence | null;
  policies: PolicyEvidence | null;
  /** E.g. "Trivy Operator: not installed". */
  notes: string[];
}

/** What the declared manifests of an environment show. */
export interface ManifestFacts {
  podSecurity: PodSecurityEvidence | null;
  manifest: ManifestCheckFinding[] | undefined;
}

/** Why there is no registry evidence for a version, when there is none. */
export type MissingRegistryEvidence =
  | { kind: 'noDigest'; reason: string }
  | { kind: 'pending' }
  | { kind: 'notConfigured'; reason: string };

/**
 * One version's evidence from its parts: the registry's (signature, provenance, attested
 * scan, SBOM), the cluster's reports, and the manifests. A scan the cluster's Trivy Operator
 * made of the running image wins over the attested one: its database is newer.
 */
export function assembleEvidence(parts: {
  image: string | null;
  digest: string | null;
  registry: RegistryEvidence | MissingRegistryEvidence;
  reports: ClusterReports | null;
  manifests: ManifestFacts;
}): VersionEvidence {
  const { registry, reports } = parts;
  const found = 'signature' in registry ? registry : null;
  return {
    image: parts.image,
    digest: parts.digest,
    signature: found
      ? found.signature
      : missingSignature(registry as MissingRegistryEvidence),
    provenance: found?.provenance ?? null,
    vulnerabilities: reports?.vulnerabilities ?? found?.vulnerabilities ?? null,
    policies: reports?.policies ?? null,
    podSecurity: parts.manifests.podSecurity,
    sbom: found?.sbom ?? null,
    ...(parts.manifests.manifest ? { manifest: parts.manifests.manifest } : {}),
    checkedAt: found?.checkedAt ?? null,
    notes: [...(found?.notes ?? []), ...(reports?.notes ?? [])],
  };
}

function missingSignature(missing: MissingRegistryEvidence): SignatureEvidence {
  return {
    state: 'unknown',
    identity: null,
    issuer: null,
    reason: missing.kind === 'pending' ? 'not checked yet' : missing.reason,
  };
}

/** The manifest facts the desired-state reader found for an environment, when it did. */
export function manifestFactsOf(
  env: EnvironmentStatus | undefined,
): ManifestFacts {
  return {
    podSecurity: env?.desired?.podSecurity ?? null,
    manifest: env?.desired?.manifestChecks,
  };
}

const REPORT_KINDS = {
  'trivy-operator': 'Trivy Operator (VulnerabilityReports)',
  'policy-reports': 'PolicyReports',
} as const;

/** The cluster's reports for an environment's workload, when the watches have them. */
export function clusterReportsOf(
  env: EnvironmentStatus | undefined,
): ClusterReports | null {
  const security = env?.live?.security;
  if (!security) return null;
  const notes = (
    Object.keys(REPORT_KINDS) as Array<keyof typeof REPORT_KINDS>
  ).flatMap(kind => {
    const state = security.installed[kind];
    return state === 'not installed' || state === 'unreadable'
      ? [`${REPORT_KINDS[kind]}: ${state} in ${env!.live!.cluster}`]
      : [];
  });
  return {
    vulnerabilities: security.vulnerabilities,
    policies: security.policies,
    notes,
  };
}
