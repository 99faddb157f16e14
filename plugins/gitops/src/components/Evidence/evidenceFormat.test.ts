import { VersionEvidence } from '@gitops-backstage/plugin-gitops-common';
import {
  fullEvidence,
  insecureEvidence,
  prodSupplyChain,
  RELEASE_WORKFLOW,
  signatureOnly,
  verifiedSignature,
} from '../../__fixtures__/evidence';
import {
  evidenceParts,
  evidenceText,
  provenanceSourceUrl,
  shortIdentity,
  supplyChainRequirements,
  vulnerabilityUrl,
} from './evidenceFormat';

describe('evidenceText', () => {
  it.each<[string, VersionEvidence, string]>([
    [
      'every part',
      fullEvidence,
      'signed by acme/guestbook release.yml · 0 critical, 3 high · policies 12/12 · built from acme/payments@4f3a2c1 · restricted',
    ],
    [
      'unsigned, vulnerable, failing policies, no provenance',
      insecureEvidence,
      'unsigned · 1 critical, 2 high · policies 10/12 · baseline',
    ],
    [
      'a configured key',
      signatureOnly({
        ...verifiedSignature,
        identity: 'key:release',
        issuer: null,
        signers: undefined,
      }),
      'signed with key release',
    ],
    [
      'two signers',
      signatureOnly({
        ...verifiedSignature,
        signers: [
          { identity: RELEASE_WORKFLOW, issuer: null },
          { identity: 'key:release', issuer: null },
        ],
      }),
      'signed by acme/guestbook release.yml +1',
    ],
    [
      'a signature of another digest',
      signatureOnly({
        state: 'invalid',
        identity: null,
        issuer: null,
        reason: 'the signature is over sha256:0000…, not this digest',
      }),
      'invalid signature',
    ],
    [
      'a registry error',
      signatureOnly({
        state: 'unknown',
        identity: null,
        issuer: null,
        reason: 'registry: timed out after 5 s',
      }),
      'signature unknown',
    ],
    [
      'not checked yet',
      signatureOnly({
        state: 'unknown',
        identity: null,
        issuer: null,
        reason: 'not checked yet',
      }),
      'checking signature…',
    ],
    [
      'only a builder',
      {
        ...signatureOnly(verifiedSignature),
        provenance: {
          builder: 'https://github.com/slsa-framework/slsa-github-generator',
          sourceRepository: null,
          sourceRevision: null,
        },
      },
      'signed by acme/guestbook release.yml · built by github.com/slsa-framework/slsa-github-generator',
    ],
  ])('%s', (_name, evidence, text) => {
    expect(evidenceText(evidence)).toBe(text);
    expect(evidenceText(evidence)).not.toMatch(/null|undefined/);
  });

  it('colours each part by what it means and explains it on hover', () => {
    expect(evidenceParts(insecureEvidence).map(p => [p.key, p.tone])).toEqual([
      ['signature', 'warning'],
      ['vulnerabilities', 'error'],
      ['policies', 'error'],
      ['podSecurity', 'warning'],
    ]);
    expect(evidenceParts(fullEvidence).map(p => p.tone)).toEqual([
      'ok',
      'warning',
      'ok',
      'ok',
      'ok',
    ]);
    const invalid = evidenceParts(
      signatureOnly({
        state: 'invalid',
        identity: null,
        issuer: null,
        reason: 'payload digest does not match',
      }),
    )[0];
    expect(invalid).toMatchObject({
      tone: 'error',
      tooltip: 'payload digest does not match',
    });
    expect(evidenceParts(fullEvidence)[0].tooltip).toBe(
      `${RELEASE_WORKFLOW} (https://token.actions.githubusercontent.com)`,
    );
  });
});

describe('shortIdentity', () => {
  it.each([
    [RELEASE_WORKFLOW, 'acme/guestbook release.yml'],
    [
      'https://github.com/acme/payments/.github/workflows/build.yaml@refs/tags/v1.2.0',
      'acme/payments build.yaml',
    ],
    ['key:release', 'key release'],
    ['ci@acme.example', 'ci@acme.example'],
    [
      'https://gitlab.com/acme/app//.gitlab-ci.yml@refs/heads/main',
      'gitlab.com/acme/app//.gitlab-ci.yml',
    ],
  ])('%s → %s', (identity, short) => {
    expect(shortIdentity(identity)).toBe(short);
  });
});

describe('links', () => {
  it('links CVEs to the Aqua vulnerability database, lower case', () => {
    expect(vulnerabilityUrl('CVE-2024-45337')).toBe(
      'https://avd.aquasec.com/nvd/cve-2024-45337',
    );
    expect(vulnerabilityUrl('GHSA-9wx4-h78v-vm56')).toBeUndefined();
  });

  it("links a provenance's source commit on a known Git host", () => {
    expect(provenanceSourceUrl(fullEvidence.provenance!)).toBe(
      'https://github.com/acme/payments/commit/4f3a2c1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b',
    );
    expect(
      provenanceSourceUrl({
        builder: null,
        sourceRepository:
          'git+https://github.com/acme/payments@refs/heads/main',
        sourceRevision: 'abc1234',
      }),
    ).toBe('https://github.com/acme/payments/commit/abc1234');
    expect(
      provenanceSourceUrl({
        builder: null,
        sourceRepository: 'https://git.internal.example/acme/payments',
        sourceRevision: 'abc1234',
      }),
    ).toBeUndefined();
  });
});

describe('supplyChainRequirements', () => {
  it("says what prod's policy requires", () => {
    expect(supplyChainRequirements(prodSupplyChain)).toEqual([
      'signature by acme/{service} release.yml',
      '0 critical',
      'restricted',
    ]);
  });

  it('names every requirement, and nothing when the policy requires nothing', () => {
    expect(
      supplyChainRequirements({
        requireSignature: { identities: [{ key: 'release' }] },
        maxVulnerabilities: { critical: 0, high: 5 },
        requireProvenance: {
          builders: [],
          sourceRepositories: ['https://github.com/acme/payments'],
        },
        policyReports: 'noFailures',
        podSecurity: 'baseline',
        requireDigest: true,
      }),
    ).toEqual([
      'signature by key release',
      '0 critical, at most 5 high',
      'provenance from acme/payments',
      'no policy failures',
      'baseline',
      'digest pinned',
    ]);
    expect(
      supplyChainRequirements({
        requireSignature: null,
        maxVulnerabilities: null,
        requireProvenance: null,
        policyReports: null,
        podSecurity: null,
        requireDigest: false,
      }),
    ).toEqual([]);
  });
});
