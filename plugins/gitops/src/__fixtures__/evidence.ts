import {
  SignatureEvidence,
  SupplyChainPolicy,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';

// Supply-chain evidence as the environments answer and the dry run of a promotion give it.

export const PAYMENTS_DIGEST =
  'sha256:4f3a2c1d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29';

export const RELEASE_WORKFLOW =
  'https://github.com/acme/guestbook/.github/workflows/release.yml@refs/heads/main';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export const verifiedSignature: SignatureEvidence = {
  state: 'verified',
  identity: RELEASE_WORKFLOW,
  issuer: GITHUB_ISSUER,
  reason: null,
  source: 'referrers',
  signers: [{ identity: RELEASE_WORKFLOW, issuer: GITHUB_ISSUER }],
};

/** A version with every part of the evidence: signed, scanned, audited, restricted. */
export const fullEvidence: VersionEvidence = {
  image: 'ghcr.io/acme/payments',
  digest: PAYMENTS_DIGEST,
  signature: verifiedSignature,
  provenance: {
    builder: 'https://github.com/actions/runner/github-hosted',
    sourceRepository: 'https://github.com/acme/payments',
    sourceRevision: '4f3a2c1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b',
    predicateType: 'https://slsa.dev/provenance/v1',
  },
  vulnerabilities: {
    critical: 0,
    high: 3,
    medium: 7,
    low: 12,
    unknown: 1,
    source: 'attestation',
    scanner: 'trivy 0.58.1',
    scannedAt: '2026-12-02T08:15:00.000Z',
    object: null,
    top: [
      {
        id: 'CVE-2024-45337',
        package: 'golang.org/x/crypto',
        severity: 'HIGH',
        installedVersion: 'v0.21.0',
        fixedVersion: '0.31.0',
      },
      {
        id: 'CVE-2024-6345',
        package: 'setuptools',
        severity: 'HIGH',
        installedVersion: '65.5.0',
        fixedVersion: '70.0.0',
      },
      {
        id: 'GHSA-9wx4-h78v-vm56',
        package: 'requests',
        severity: 'HIGH',
        installedVersion: '2.31.0',
        fixedVersion: null,
      },
    ],
  },
  policies: {
    passed: 12,
    failed: 0,
    warned: 1,
    source: 'PolicyReport',
    failures: [],
  },
  podSecurity: { level: 'restricted', findings: [] },
  sbom: true,
  manifest: [],
  checkedAt: '2026-12-03T09:00:00.000Z',
  notes: [],
};

/** An unsigned build with a critical CVE, failing policies and a privileged pod. */
export const insecureEvidence: VersionEvidence = {
  image: 'ghcr.io/acme/demo-flask-app',
  digest:
    'sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0',
  signature: {
    state: 'unsigned',
    identity: null,
    issuer: null,
    reason: 'No signature found in the registry for this digest',
    source: null,
  },
  provenance: null,
  vulnerabilities: {
    critical: 1,
    high: 2,
    medium: 0,
    low: 0,
    source: 'VulnerabilityReport',
    scanner: 'Trivy',
    scannedAt: '2026-12-03T07:00:00.000Z',
    object: 'VulnerabilityReport staging/replicaset-demo-flask-app-7d9f-app',
    top: [
      {
        id: 'CVE-2023-44487',
        package: 'h2',
        severity: 'CRITICAL',
        installedVersion: '4.1.0',
        fixedVersion: '4.1.1',
      },
    ],
  },
  policies: {
    passed: 10,
    failed: 2,
    source: 'PolicyReport',
    failures: [
      {
        policy: 'require-run-as-nonroot',
        rule: 'run-as-non-root',
        message: 'Running as root is not allowed.',
        resource: 'Deployment staging/demo-flask-app',
      },
      {
        policy: 'verify-image-signatures',
        rule: 'verify-signature',
        message: 'image ghcr.io/acme/demo-flask-app is not signed',
        resource: 'Deployment staging/demo-flask-app',
      },
    ],
  },
  podSecurity: {
    level: 'baseline',
    findings: ['container app: runAsNonRoot is not true'],
  },
  sbom: false,
  manifest: [
    {
      check: 'digestPinned',
      severity: 'warn',
      message: 'image is pinned by tag 9f8e7d6-42, not by digest',
      container: 'app',
    },
  ],
  checkedAt: '2026-12-03T09:00:00.000Z',
  notes: ['registry: no referrers API, read the tag scheme'],
};

/** Only a signature is known: no attestation, no report, nothing declared was checked. */
export function signatureOnly(signature: SignatureEvidence): VersionEvidence {
  return {
    image: 'ghcr.io/acme/guestbook',
    digest: PAYMENTS_DIGEST,
    signature,
    provenance: null,
    vulnerabilities: null,
    policies: null,
    podSecurity: null,
    sbom: null,
    checkedAt: null,
  };
}

/** prod's supply-chain policy: a signature of the release workflow, no critical finding. */
export const prodSupplyChain: SupplyChainPolicy = {
  requireSignature: {
    identities: [
      {
        issuer: GITHUB_ISSUER,
        subject:
          '^https://github\\.com/acme/\\{service\\}/\\.github/workflows/release\\.yml@refs/heads/main$',
      },
    ],
  },
  maxVulnerabilities: { critical: 0 },
  requireProvenance: null,
  policyReports: null,
  podSecurity: 'restricted',
  requireDigest: false,
};
