import {
  parseStatement,
  predicateKind,
  simpleSigningDigest,
} from './predicates';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('predicateKind', () => {
  it.each([
    ['https://sigstore.dev/cosign/sign/v1', 'signature'],
    ['https://slsa.dev/provenance/v1', 'provenance'],
    ['https://slsa.dev/provenance/v0.2', 'provenance'],
    ['https://cosign.sigstore.dev/attestation/vuln/v1', 'vulnerabilities'],
    ['http://docs.oasis-open.org/sarif/sarif/2.1.0', 'vulnerabilities'],
    ['https://json.schemastore.org/sarif-2.1.0.json', 'vulnerabilities'],
    ['https://spdx.dev/Document', 'sbom'],
    ['https://spdx.dev/Document/v2.3', 'sbom'],
    ['https://cyclonedx.org/bom', 'sbom'],
    ['https://cyclonedx.org/bom/v1.5', 'sbom'],
    ['https://in-toto.io/attestation/test-result/v0.1', 'other'],
  ])('%s is %s', (type, kind) => {
    expect(predicateKind(type)).toBe(kind);
  });
});

describe('parseStatement', () => {
  const statement = (value: object) => Buffer.from(JSON.stringify(value));

  it('reads subjects, predicate type and predicate of Statement v1 and v0.1', () => {
    for (const type of [
      'https://in-toto.io/Statement/v1',
      'https://in-toto.io/Statement/v0.1',
    ]) {
      expect(
        parseStatement(
          'application/vnd.in-toto+json',
          statement({
            _type: type,
            subject: [
              {
                name: 'ghcr.io/acme/payments',
                digest: { sha256: 'c'.repeat(64) },
              },
              { name: 'other', digest: { sha512: 'ff' } },
            ],
            predicateType: 'https://slsa.dev/provenance/v1',
            predicate: { a: 1 },
          }),
        ),
      ).toEqual({
        predicateType: 'https://slsa.dev/provenance/v1',
        subjects: [DIGEST],
        predicate: { a: 1 },
      });
    }
  });

  it.each([
    [
      'another payload type',
      'text/plain',
      { _type: 'https://in-toto.io/Statement/v1', predicateType: 'x' },
    ],
    ['not a statement', 'application/vnd.in-toto+json', { predicateType: 'x' }],
    [
      'no predicate type',
      'application/vnd.in-toto+json',
      { _type: 'https://in-toto.io/Statement/v1' },
    ],
  ])('is null for %s', (_name, payloadType, value) => {
    expect(parseStatement(payloadType, statement(value))).toBeNull();
  });
});

describe('simpleSigningDigest', () => {
  it('reads the signed digest of a cosign simple-signing payload', () => {
    const payload = Buffer.from(
      JSON.stringify({
        critical: {
          identity: { 'docker-reference': 'ghcr.io/acme/payments' },
          image: { 'docker-manifest-digest': DIGEST },
          type: 'cosign container image signature',
        },
        optional: null,
      }),
    );
    expect(simpleSigningDigest(payload)).toBe(DIGEST);
    expect(simpleSigningDigest(Buffer.from('{}'))).toBeNull();
    expect(simpleSigningDigest(Buffer.from('nope'))).toBeNull();
  });
});
