import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attestImage, COSIGN_SIGN_PREDICATE_TYPE, signImage } from './bundles';
import { LocalSigstore } from './LocalSigstore';
import { COSIGN_VULN_V1, cosignVulnPredicate, trivyReport } from './predicates';
import { tamperedBundle } from './tamper';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const WORKFLOW =
  'https://github.com/acme/guestbook/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

function verifierOf(sigstore: LocalSigstore) {
  // Through JSON, as a verifier reads trusted_root.json from a file.
  const root = TrustedRoot.fromJSON(
    JSON.parse(JSON.stringify(sigstore.trustedRoot())),
  );
  return new Verifier(toTrustMaterial(root, sigstore.trustedKeys()));
}

function verify(sigstore: LocalSigstore, bytes: Buffer, policy?: object) {
  return verifierOf(sigstore).verify(
    toSignedEntity(bundleFromJSON(JSON.parse(bytes.toString('utf8')))),
    policy,
  );
}

describe('signed bundles', () => {
  let sigstore: LocalSigstore;
  beforeAll(async () => {
    sigstore = await LocalSigstore.create();
  });

  it('signs keyless as cosign sign does: a DSSE statement about the digest, verifiable offline', async () => {
    const signed = await signImage({
      sigstore,
      digest: DIGEST,
      signer: sigstore.keyless({ subject: WORKFLOW, issuer: ISSUER }),
    });
    expect(signed.bundle.mediaType).toBe(
      'application/vnd.dev.sigstore.bundle.v0.3+json',
    );
    expect(signed.bundle.verificationMaterial.certificate).toBeDefined();
    expect(signed.bundle.verificationMaterial.tlogEntries[0]).toMatchObject({
      kindVersion: { kind: 'dsse', version: '0.0.1' },
      inclusionPromise: expect.anything(),
      inclusionProof: expect.anything(),
    });
    expect(signed.statement).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: 'ab'.repeat(32) }, annotations: {} }],
      predicateType: COSIGN_SIGN_PREDICATE_TYPE,
      predicate: {},
    });
    const signer = verify(sigstore, signed.bytes, {
      subjectAlternativeName: WORKFLOW,
      extensions: { issuer: ISSUER },
    });
    expect(signer.identity?.subjectAlternativeName).toBe(WORKFLOW);
    expect(signer.identity?.extensions?.issuer).toBe(ISSUER);
  });

  it('signs with a named key, found by its hint', async () => {
    const signer = sigstore.keyPairSigner('demo-release');
    const signed = await signImage({ sigstore, digest: DIGEST, signer });
    expect(signed.bundle.verificationMaterial.publicKey?.hint).toBe(
      signer.hint,
    );
    expect(() => verify(sigstore, signed.bytes)).not.toThrow();
  });

  it('attests a vulnerability scan about the image', async () => {
    const attested = await attestImage({
      sigstore,
      repository: 'ghcr.io/acme/guestbook',
      digest: DIGEST,
      signer: sigstore.keyless({ subject: WORKFLOW, issuer: ISSUER }),
      predicateType: COSIGN_VULN_V1,
      predicate: cosignVulnPredicate({
        result: trivyReport({
          image: 'ghcr.io/acme/guestbook',
          digest: DIGEST,
          vulnerabilities: [],
        }),
      }),
    });
    expect(attested.statement.subject[0].name).toBe('ghcr.io/acme/guestbook');
    expect(() =>
      verify(sigstore, attested.bytes, { subjectAlternativeName: WORKFLOW }),
    ).not.toThrow();
  });

  it('fails a wrong identity, a tampered payload and another root', async () => {
    const signed = await signImage({
      sigstore,
      digest: DIGEST,
      signer: sigstore.keyless({
        subject:
          'https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main',
        issuer: ISSUER,
      }),
    });
    expect(() =>
      verify(sigstore, signed.bytes, { subjectAlternativeName: WORKFLOW }),
    ).toThrow(/identity|subject/i);
    expect(() => verify(sigstore, tamperedBundle(signed).bytes)).toThrow();
    const other = await LocalSigstore.create();
    expect(() => verify(other, signed.bytes)).toThrow();
  });

  it('keeps its authorities and keys across a reload from its folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-sigstore-'));
    try {
      const first = await LocalSigstore.open(dir);
      const key = first.keyPairSigner('demo-release');
      const signed = await signImage({
        sigstore: first,
        digest: DIGEST,
        signer: first.keyless({ subject: WORKFLOW, issuer: ISSUER }),
      });
      const again = await LocalSigstore.open(dir);
      expect(again.trustedRoot()).toEqual(first.trustedRoot());
      expect(again.keyPairSigner('demo-release').hint).toBe(key.hint);
      expect(
        fs.readFileSync(path.join(dir, 'keys/demo-release.pub'), 'utf8'),
      ).toBe(key.publicKeyPem);
      // Signed after the reload, verified with the root saved before it.
      const later = await signImage({
        sigstore: again,
        digest: DIGEST,
        signer: again.keyless({ subject: WORKFLOW, issuer: ISSUER }),
      });
      expect(() => verify(first, later.bytes)).not.toThrow();
      expect(() => verify(again, signed.bytes)).not.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
