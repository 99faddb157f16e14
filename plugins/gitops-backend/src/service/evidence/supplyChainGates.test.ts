import {
  SupplyChainPolicy,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { SupplyChainGateInput, supplyChainGates } from './supplyChainGates';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const WORKFLOW =
  'https://github.com/acme/guestbook/.github/workflows/release.yml@refs/heads/main';
const GITHUB = 'https://token.actions.githubusercontent.com';

const NOTHING: SupplyChainPolicy = {
  requireSignature: null,
  maxVulnerabilities: null,
  requireProvenance: null,
  policyReports: null,
  podSecurity: null,
  requireDigest: false,
};

function evidence(overrides: Partial<VersionEvidence> = {}): VersionEvidence {
  return {
    image: 'ghcr.io/acme/guestbook',
    digest: DIGEST,
    signature: {
      state: 'verified',
      identity: WORKFLOW,
      issuer: GITHUB,
      reason: null,
      signers: [{ identity: WORKFLOW, issuer: GITHUB }],
    },
    provenance: {
      builder: 'https://github.com/actions/runner/github-hosted',
      sourceRepository: 'https://github.com/acme/guestbook',
      sourceRevision: '4f3a2c1d9e',
    },
    vulnerabilities: {
      critical: 0,
      high: 1,
      medium: 0,
      low: 2,
      source: 'attestation',
      scanner: 'Trivy 0.56.2',
      scannedAt: '2026-12-01T10:00:00Z',
      top: [
        {
          id: 'CVE-2023-45288',
          package: 'golang.org/x/net',
          severity: 'HIGH',
          fixedVersion: '0.23.0',
        },
      ],
    },
    policies: { passed: 3, failed: 0, source: 'PolicyReport', failures: [] },
    podSecurity: { level: 'restricted', findings: [] },
    sbom: true,
    checkedAt: '2026-12-03T10:00:00Z',
    ...overrides,
  };
}

function input(
  policy: Partial<SupplyChainPolicy>,
  overrides: Partial<SupplyChainGateInput> = {},
): SupplyChainGateInput {
  return {
    policy: { ...NOTHING, ...policy },
    service: 'guestbook',
    to: 'prod',
    from: 'staging',
    version: { tag: 'v1.0.5', digest: null },
    evidence: evidence(),
    targetPinsDigest: false,
    view: false,
    now: new Date('2026-12-03T12:00:00Z'),
    ...overrides,
  };
}

const SIGNED_BY_WORKFLOW: SupplyChainPolicy['requireSignature'] = {
  identities: [
    {
      issuer: GITHUB,
      subject:
        'https://github\\.com/acme/{service}/\\.github/workflows/release\\.yml@refs/heads/main',
    },
  ],
};

describe('supplyChainGates', () => {
  it('asks nothing of a policy that requires nothing', () => {
    expect(supplyChainGates(input({}))).toEqual([]);
  });

  it.each<[string, Partial<SupplyChainGateInput>, string, RegExp]>([
    [
      'a signature by the workflow',
      {},
      'pass',
      /is signed by https:\/\/github.com\/acme\/guestbook/,
    ],
    [
      'no signature',
      {
        evidence: evidence({
          signature: {
            state: 'unsigned',
            identity: null,
            issuer: null,
            reason: null,
          },
        }),
      },
      'fail',
      /v1\.0\.5 \(sha256:aaaaaaaaaaaa\) is not signed; prod requires a signature by https:\/\/github\.com\/acme\/guestbook/,
    ],
    [
      'a tampered signature',
      {
        evidence: evidence({
          signature: {
            state: 'invalid',
            identity: null,
            issuer: null,
            reason: 'signature does not match its payload',
          },
        }),
      },
      'fail',
      /has no valid signature: signature does not match its payload/,
    ],
    [
      "another service's workflow",
      { service: 'payments' },
      'fail',
      /is signed by https:\/\/github.com\/acme\/guestbook.*not by https:\/\/github\.com\/acme\/payments\/\.github/,
    ],
    [
      'the right subject from another issuer',
      {
        evidence: evidence({
          signature: {
            state: 'verified',
            identity: WORKFLOW,
            issuer: 'https://accounts.google.com',
            reason: null,
            signers: [
              { identity: WORKFLOW, issuer: 'https://accounts.google.com' },
            ],
          },
        }),
      },
      'fail',
      /issuer https:\/\/accounts.google.com/,
    ],
    [
      'a registry that did not answer',
      {
        evidence: evidence({
          signature: {
            state: 'unknown',
            identity: null,
            issuer: null,
            reason: 'registry timed out',
          },
        }),
      },
      'wait',
      /could not be read: registry timed out/,
    ],
    [
      'a view before the first read',
      {
        view: true,
        evidence: evidence({
          signature: {
            state: 'unknown',
            identity: null,
            issuer: null,
            reason: 'not checked yet',
          },
        }),
      },
      'wait',
      /is being checked: not checked yet/,
    ],
  ])('signature: %s', (_name, overrides, state, message) => {
    const [gate] = supplyChainGates(
      input({ requireSignature: SIGNED_BY_WORKFLOW }, overrides),
    );
    expect(gate.name).toBe('signature');
    expect(gate.state).toBe(state);
    expect(gate.message).toMatch(message);
  });

  it('accepts a configured key by its name, and no partial subject match', () => {
    const keyed = evidence({
      signature: {
        state: 'verified',
        identity: 'key:demo-release',
        issuer: null,
        reason: null,
        signers: [{ identity: 'key:demo-release', issuer: null }],
      },
    });
    const [byKey] = supplyChainGates(
      input(
        { requireSignature: { identities: [{ key: 'demo-release' }] } },
        { evidence: keyed },
      ),
    );
    expect(byKey.state).toBe('pass');
    // A key signature is never a certificate identity, whatever the subject pattern allows.
    const [anySubject] = supplyChainGates(
      input(
        { requireSignature: { identities: [{ issuer: null, subject: '.*' }] } },
        { evidence: keyed },
      ),
    );
    expect(anySubject.state).toBe('fail');
    // The pattern is anchored: a subject that only contains the allowed one does not pass.
    const [prefix] = supplyChainGates(
      input({
        requireSignature: {
          identities: [
            { issuer: null, subject: 'https://github\\.com/acme/{service}' },
          ],
        },
      }),
    );
    expect(prefix.state).toBe('fail');
  });

  it.each<
    [
      string,
      SupplyChainPolicy['maxVulnerabilities'],
      Partial<VersionEvidence>,
      string,
      RegExp,
    ]
  >([
    [
      'within limits',
      { critical: 0, high: 5 },
      {},
      'pass',
      /0 critical, 1 high, 0 medium, 2 low \(attested scan by Trivy 0.56.2\)/,
    ],
    [
      'a critical CVE over a limit of 0',
      { critical: 0 },
      {
        vulnerabilities: {
          critical: 1,
          high: 0,
          medium: 0,
          low: 0,
          source: 'VulnerabilityReport',
          scanner: 'Trivy 0.58.1',
          scannedAt: null,
          top: [
            {
              id: 'CVE-2024-45337',
              package: 'golang.org/x/crypto',
              severity: 'CRITICAL',
              fixedVersion: '0.31.0',
            },
          ],
        },
      },
      'fail',
      /has 1 critical \(at most 0\) in prod: CVE-2024-45337 in golang.org\/x\/crypto \(fixed in 0.31.0\) — VulnerabilityReport by Trivy 0.58.1/,
    ],
    [
      'no scan at all',
      { critical: 0 },
      { vulnerabilities: null },
      'fail',
      /no vulnerability scan of v1.0.5 \(sha256:aaaaaaaaaaaa\) was found \(neither an attestation nor a VulnerabilityReport in staging\)/,
    ],
  ])('vulnerabilities: %s', (_name, limits, overrides, state, message) => {
    const [gate] = supplyChainGates(
      input({ maxVulnerabilities: limits }, { evidence: evidence(overrides) }),
    );
    expect(gate.name).toBe('vulnerabilities');
    expect(gate.state).toBe(state);
    expect(gate.message).toMatch(message);
  });

  it('checks provenance builders and repositories with {service}', () => {
    const policy = {
      requireProvenance: {
        builders: ['https://github\\.com/actions/runner/.*'],
        sourceRepositories: ['https://github\\.com/acme/{service}'],
      },
    };
    expect(supplyChainGates(input(policy))[0]).toMatchObject({
      state: 'pass',
      message: expect.stringMatching(
        /from https:\/\/github.com\/acme\/guestbook@4f3a2c1/,
      ),
    });
    expect(
      supplyChainGates(input(policy, { service: 'payments' }))[0],
    ).toMatchObject({
      state: 'fail',
      message: expect.stringMatching(
        /source repository https:\/\/github.com\/acme\/guestbook is not one of/,
      ),
    });
    expect(
      supplyChainGates(
        input(policy, { evidence: evidence({ provenance: null }) }),
      )[0].state,
    ).toBe('fail');
  });

  it('reads policy reports, pod security and digest pinning', () => {
    const failing = evidence({
      policies: {
        passed: 2,
        failed: 1,
        source: 'PolicyReport',
        failures: [
          {
            policy: 'require-run-as-nonroot',
            rule: 'run-as-non-root',
            message: 'Running as root is not allowed.',
          },
        ],
      },
      podSecurity: {
        level: 'baseline',
        findings: ['container app: runAsNonRoot is not true'],
      },
    });
    const gates = supplyChainGates(
      input(
        {
          policyReports: 'noFailures',
          podSecurity: 'restricted',
          requireDigest: true,
        },
        { evidence: failing },
      ),
    );
    expect(gates.map(g => [g.name, g.state])).toEqual([
      ['policyReports', 'fail'],
      ['podSecurity', 'fail'],
      ['digest', 'fail'],
    ]);
    expect(gates[0].message).toMatch(
      /1 failed policy .* in staging: require-run-as-nonroot\/run-as-non-root: Running as root is not allowed\./,
    );
    expect(gates[1].message).toMatch(
      /meets Pod Security "baseline", not "restricted": container app: runAsNonRoot is not true/,
    );
    expect(gates[2].message).toMatch(
      /prod requires the image pinned by digest; staging declares v1.0.5 by tag only/,
    );
    const pinned = supplyChainGates(
      input({ requireDigest: true }, { targetPinsDigest: true }),
    );
    expect(pinned[0].state).toBe('pass');
  });
});
