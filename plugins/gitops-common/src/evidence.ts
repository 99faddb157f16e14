/*
 * Supply-chain evidence of a version: its signatures and attestations in the registry, the
 * reports the cluster's scanners and admission policies wrote about it, and what its
 * manifests declare. Shapes of `evidence` in `/environments` (see api-contract.md).
 */

/**
 * `verified`: a valid signature over the image digest from a trusted key or certificate
 * authority; `unsigned`: none found; `invalid`: found but none verifies (the reason says
 * why); `unknown`: the registry could not be read (or it was not checked yet).
 *
 * @public
 */
export type SignatureState = 'verified' | 'unsigned' | 'invalid' | 'unknown';

/**
 * The signature of one digest as the verifier found it.
 *
 * @public
 */
export interface SignatureEvidence {
  state: SignatureState;
  /**
   * Who signed: the certificate's subject (a workflow URL, an e-mail) for keyless signatures,
   * `key:<name>` for a configured public key.
   */
  identity: string | null;
  /** The OIDC issuer of a keyless signature (`https://token.actions.githubusercontent.com`). */
  issuer: string | null;
  /** Why it is not `verified`, in one sentence; `null` when verified. */
  reason: string | null;
  /** Where the signature was found. */
  source?: 'referrers' | 'tag' | 'legacy' | null;
  /** Every valid signer when more than one signed (the first is `identity`). */
  signers?: Array<{ identity: string; issuer: string | null }>;
}

/**
 * SLSA provenance of a digest (from a verified attestation).
 *
 * @public
 */
export interface ProvenanceEvidence {
  builder: string | null;
  sourceRepository: string | null;
  sourceRevision: string | null;
  /** `https://slsa.dev/provenance/v1` or `v0.2`. */
  predicateType?: string;
}

/**
 * A vulnerability named in a scan.
 *
 * @public
 */
export interface VulnerabilityItem {
  id: string;
  package: string | null;
  severity: VulnerabilitySeverity;
  installedVersion?: string | null;
  fixedVersion: string | null;
}

/**
 * Severities as scanners name them.
 *
 * @public
 */
export type VulnerabilitySeverity =
  | 'CRITICAL'
  | 'HIGH'
  | 'MEDIUM'
  | 'LOW'
  | 'UNKNOWN';

/**
 * The severities, worst first (the order `top` lists findings in).
 *
 * @public
 */
export const VULNERABILITY_SEVERITIES: readonly VulnerabilitySeverity[] = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'UNKNOWN',
];

/**
 * A vulnerability scan's counts by severity, with the worst findings first.
 *
 * @public
 */
export interface VulnerabilityEvidence {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown?: number;
  /** A verified attestation on the digest, or a Trivy Operator report in the cluster. */
  source: 'attestation' | 'VulnerabilityReport';
  scanner: string | null;
  scannedAt: string | null;
  /** Critical and high findings first, at most ten. */
  top: VulnerabilityItem[];
  /** The object or attestation the counts come from, e.g. `VulnerabilityReport prod/replicaset-…`. */
  object?: string | null;
}

/**
 * Admission and audit policy results (Kyverno's `PolicyReport`s) for the workload.
 *
 * @public
 */
export interface PolicyEvidence {
  passed: number;
  failed: number;
  /** Warnings and errors, not counted as passed or failed. */
  warned?: number;
  source: 'PolicyReport';
  failures: Array<{
    policy: string;
    rule: string | null;
    message: string;
    /** The object the result is about, e.g. `Deployment prod/guestbook`. */
    resource?: string | null;
  }>;
}

/**
 * The highest Pod Security Standards level the declared pod template meets.
 *
 * @public
 */
export interface PodSecurityEvidence {
  level: 'restricted' | 'baseline' | 'privileged';
  /** What keeps it from `restricted`, one line each (`container app: runAsNonRoot is not true`). */
  findings: string[];
}

/**
 * Checks of the environment's declared manifests beyond Pod Security.
 *
 * @public
 */
export interface ManifestCheckFinding {
  check:
    | 'digestPinned'
    | 'noLatestTag'
    | 'resourcesSet'
    | 'probesSet'
    | 'podSecurity';
  /** `fail` keeps a gate that requires it from passing; `warn` is shown only. */
  severity: 'fail' | 'warn';
  message: string;
  container?: string | null;
}

/**
 * Everything known about the supply chain of the version an environment runs (or a version
 * proposed to it). A part is `null` when there is nothing of its kind (no attestation, no
 * report, no CRD installed); `notes` says why a part is absent when that is not obvious.
 *
 * @public
 */
export interface VersionEvidence {
  /** The image repository and digest the evidence is about; digest `null` when unresolved. */
  image: string | null;
  digest: string | null;
  signature: SignatureEvidence;
  provenance: ProvenanceEvidence | null;
  vulnerabilities: VulnerabilityEvidence | null;
  policies: PolicyEvidence | null;
  podSecurity: PodSecurityEvidence | null;
  /** An SBOM attestation (SPDX or CycloneDX) is on the digest; `null` when not looked at. */
  sbom: boolean | null;
  /** Manifest checks of the declared state (digest pinning, tags, resources, probes). */
  manifest?: ManifestCheckFinding[];
  /** When the registry's evidence was read (immutable per digest: read once). */
  checkedAt: string | null;
  /** E.g. "Trivy Operator: not installed", "registry: timed out". */
  notes?: string[];
}

/**
 * What an environment's policy requires of a version's supply chain
 * (`gitops.environments[].policy.supplyChain`), as config and the environments answer give it.
 *
 * @public
 */
export interface SupplyChainPolicy {
  /**
   * A verified signature from one of these signers. `subject` is a regular expression over the
   * certificate's identity (it may use `{service}`, the entity's name); `key` names a public
   * key of `gitops.supplyChain.keys`.
   */
  requireSignature: {
    identities: Array<
      { issuer: string | null; subject: string } | { key: string }
    >;
  } | null;
  /** At most this many findings per severity (absent: no limit). */
  maxVulnerabilities: Partial<
    Record<'critical' | 'high' | 'medium' | 'low', number>
  > | null;
  /** A verified SLSA provenance attestation, optionally from these builders or repositories. */
  requireProvenance: {
    builders: string[];
    sourceRepositories: string[];
  } | null;
  /** No failed rule in the workload's PolicyReports. */
  policyReports: 'noFailures' | null;
  /** The declared pod template meets this Pod Security Standards level. */
  podSecurity: 'restricted' | 'baseline' | null;
  /** The environment's manifests pin the image by digest. */
  requireDigest: boolean;
}
