import { SignatureEvidence } from '@gitops-backstage/plugin-gitops-common';
import { DigestEvidence } from './digestEvidence';
import { AllowedIdentity, signatureUnderPolicy } from './identityPolicy';

const GITHUB = 'https://token.actions.githubusercontent.com';
const WORKFLOW =
  'https://github.com/acme/payments/.github/workflows/release.yml@refs/heads/main';

function evidence(
  signers: Array<{ identity: string; issuer: string | null }>,
): Pick<DigestEvidence, 'signature' | 'signers'> {
  const signature: SignatureEvidence = signers.length
    ? {
        state: 'verified',
        identity: signers[0].identity,
        issuer: signers[0].issuer,
        reason: null,
        source: 'referrers',
        signers,
      }
    : {
        state: 'unsigned',
        identity: null,
        issuer: null,
        reason: 'no signature found in the registry',
        source: null,
        signers: [],
      };
  return {
    signature,
    signers: signers.map(s => ({ ...s, source: 'referrers' as const })),
  };
}

describe('signatureUnderPolicy', () => {
  const keyless = { identity: WORKFLOW, issuer: GITHUB };
  const keyed = { identity: 'key:release', issuer: null };

  it.each<
    [
      string,
      AllowedIdentity[] | null,
      Array<{ identity: string; issuer: string | null }>,
      object,
    ]
  >([
    ['no policy', null, [keyless], { state: 'verified', identity: WORKFLOW }],
    [
      'a workflow of the service',
      [
        {
          issuer: GITHUB,
          subject:
            'https://github\\.com/acme/{service}/\\.github/workflows/.+@refs/heads/main',
        },
      ],
      [keyless],
      { state: 'verified', identity: WORKFLOW, issuer: GITHUB },
    ],
    [
      'a key by name, second of two signers',
      [{ key: 'release' }],
      [keyless, keyed],
      { state: 'verified', identity: 'key:release', issuer: null },
    ],
    [
      'any issuer',
      [{ issuer: null, subject: '.*acme/payments.*' }],
      [keyless],
      { state: 'verified' },
    ],
    [
      'the subject is anchored',
      [{ issuer: GITHUB, subject: 'https://github\\.com/acme/payments' }],
      [keyless],
      {
        state: 'invalid',
        reason: `identity not allowed: signed by ${WORKFLOW} (${GITHUB}), expected https://github\\.com/acme/payments (${GITHUB})`,
      },
    ],
    [
      'another issuer',
      [{ issuer: 'https://gitlab.com', subject: '.*' }],
      [keyless],
      { state: 'invalid', identity: WORKFLOW },
    ],
    [
      'a key is not a certificate identity',
      [{ issuer: null, subject: '.*' }],
      [keyed],
      {
        state: 'invalid',
        reason: 'identity not allowed: signed by key:release, expected .*',
      },
    ],
    [
      'unsigned stays unsigned',
      [{ key: 'release' }],
      [],
      { state: 'unsigned' },
    ],
  ])('%s', (_name, policy, signers, expected) => {
    const result = signatureUnderPolicy(evidence(signers), policy, {
      service: 'payments',
    });
    expect(result).toMatchObject(expected);
  });

  it('keeps every valid signer in the answer', () => {
    const result = signatureUnderPolicy(evidence([keyless, keyed]), [
      { key: 'release' },
    ]);
    expect(result.signers).toEqual([keyless, keyed]);
  });

  it('escapes the service name in the pattern', () => {
    const result = signatureUnderPolicy(
      evidence([{ identity: 'https://x/a.b', issuer: null }]),
      [{ issuer: null, subject: 'https://x/{service}' }],
      { service: 'a+b' },
    );
    expect(result.state).toBe('invalid');
  });
});
