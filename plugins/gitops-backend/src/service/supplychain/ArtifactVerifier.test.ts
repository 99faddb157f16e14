import { mockServices } from '@backstage/backend-test-utils';
import { createHash } from 'node:crypto';
import {
  KeyPairSigner,
  legacySignature,
  signImage,
  tamperedLegacyLayer,
} from 'supply-chain-testkit';
import { SigningWorld } from './__testUtils__/signedImages';
import { ArtifactVerifier } from './ArtifactVerifier';
import { TAMPERED } from './keySelection';
import { FoundBundle, FoundLegacy } from './SupplyChainArtifactFinder';
import { SupplyChainKeyConfig } from './supplyChainConfig';
import { TrustSource } from './TrustSource';

const MANIFEST = Buffer.from(
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}',
);
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const OTHER = `sha256:${'e'.repeat(64)}`;

describe('ArtifactVerifier', () => {
  let world: SigningWorld;
  let intruder: KeyPairSigner;

  beforeAll(async () => {
    world = await SigningWorld.create();
    intruder = world.sigstore.keyPairSigner('intruder');
  }, 60_000);
  afterAll(() => world?.remove());

  function verifier(keys?: SupplyChainKeyConfig[]) {
    const config = world.config(keys ? { keys } : {});
    return new ArtifactVerifier(
      new TrustSource({
        trustedRootPath: config.trustedRootPath,
        keys: config.keys,
        logger: mockServices.logger.mock(),
        timeoutMs: 1000,
        retryMs: 1000,
      }),
    );
  }

  const bundle = (json: unknown): FoundBundle => ({
    format: 'bundle',
    source: 'referrers',
    reference: `sha256:${'f'.repeat(64)}`,
    predicateType: null,
    json,
  });

  async function messageSignature(signed: Buffer, signer = world.key) {
    const { signature } = await signer.sign(signed);
    return bundle({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        publicKey: { hint: signer.hint },
        tlogEntries: [],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      messageSignature: {
        messageDigest: {
          algorithm: 'SHA2_256',
          digest: createHash('sha256').update(signed).digest('base64'),
        },
        signature: signature.toString('base64'),
      },
    });
  }

  async function legacy(signer: KeyPairSigner): Promise<FoundLegacy> {
    const layer = await legacySignature({
      sigstore: world.sigstore,
      repository: 'registry.test/acme/payments',
      digest: DIGEST,
      signer,
    });
    return {
      format: 'legacy',
      source: 'legacy',
      reference: 'sha256-x.sig',
      attestation: false,
      payload: layer.content,
      annotations: layer.annotations,
    };
  }

  it('verifies a message signature over the image manifest', async () => {
    const verdict = await verifier().verify(
      await messageSignature(MANIFEST),
      DIGEST,
      MANIFEST,
    );
    expect(verdict).toMatchObject({
      valid: true,
      kind: 'signature',
      signer: { identity: 'key:release', issuer: null },
    });
  });

  it('refuses a message signature of another manifest', async () => {
    const verdict = await verifier().verify(
      await messageSignature(Buffer.from('{"other":true}')),
      DIGEST,
      MANIFEST,
    );
    expect(verdict).toMatchObject({
      valid: false,
      reason: expect.stringMatching(
        new RegExp(`^signature is for sha256:[0-9a-f]{64} not ${DIGEST}$`),
      ),
    });
  });

  it.each([
    [
      'a key that is not configured (named by its hint)',
      async () => {
        const signed = await signImage({
          sigstore: world.sigstore,
          digest: DIGEST,
          signer: intruder,
        });
        return bundle(signed.bundle);
      },
      'the signing key is not one of the configured keys (release)',
    ],
    [
      'a legacy signature with a key that is not configured (told by its log entry)',
      () => legacy(intruder),
      'the signing key is not one of the configured keys (release)',
    ],
    [
      'a changed legacy payload of a configured key',
      async () => {
        const found = await legacy(world.key);
        return {
          ...found,
          payload: tamperedLegacyLayer({
            mediaType: '',
            content: found.payload,
            annotations: {},
          }).content,
        };
      },
      TAMPERED,
    ],
    [
      'a keyless signature without a transparency-log entry',
      async () => {
        const signed = await signImage({
          sigstore: world.sigstore,
          digest: DIGEST,
          signer: world.sigstore.keyless({
            subject: 'https://github.com/acme/payments',
            issuer: 'https://token.actions.githubusercontent.com',
          }),
        });
        return bundle({
          ...signed.bundle,
          verificationMaterial: {
            ...signed.bundle.verificationMaterial,
            tlogEntries: [],
          },
        });
      },
      'the signature has no trusted timestamp (expected 1 timestamps, got 0)',
    ],
    [
      'a bundle that is not one',
      async () => bundle({ mediaType: 'application/json' }),
      'the signature bundle is malformed (invalid bundle: mediaType, content, verificationMaterial)',
    ],
  ])('refuses %s', async (_name, arrange, reason) => {
    const verdict = await verifier().verify(await arrange(), DIGEST, null);
    expect(verdict).toMatchObject({ valid: false, unknown: false, reason });
  });

  it('says when no keys are configured', async () => {
    const signed = await signImage({
      sigstore: world.sigstore,
      digest: DIGEST,
      signer: world.key,
    });
    const verdict = await verifier([]).verify(
      bundle(signed.bundle),
      OTHER,
      null,
    );
    expect(verdict).toMatchObject({
      valid: false,
      reason:
        'signed with a key, and no keys are configured (gitops.supplyChain.keys)',
    });
  });
});
