import { signImage } from '../bundles';
import { digestHex } from '../digest';
import { legacySignature } from '../legacy';
import { LocalSigstore } from '../LocalSigstore';
import { InMemoryOciRegistry } from './InMemoryOciRegistry';
import { LocalRegistry } from './LocalRegistry';
import { OciClient } from './OciClient';
import { attachLegacy, attachReferrer } from './referrers';
import { pushTestImage } from './testImage';
import { OCI_INDEX } from './types';

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const WORKFLOW =
  'https://github.com/acme/guestbook/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

describe('putting signatures into registries', () => {
  let sigstore: LocalSigstore;
  beforeAll(async () => {
    sigstore = await LocalSigstore.create();
  });

  it('serves the referrers API: pushed bundles list under their subject, filtered by artifactType', async () => {
    const registry = await InMemoryOciRegistry.start();
    try {
      const client = registry.client();
      const image = await pushTestImage(client, 'acme/guestbook', ['v1']);
      const signed = await signImage({
        sigstore,
        digest: image.digest,
        signer: sigstore.keyless({ subject: WORKFLOW, issuer: ISSUER }),
      });
      const referrer = await attachReferrer(client, {
        repository: 'acme/guestbook',
        subject: image.digest,
        bundle: signed,
      });
      const all = await client.referrers('acme/guestbook', image.digest);
      expect(all.index).toEqual({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [referrer],
      });
      expect(all.filtersApplied).toBeUndefined();
      expect(referrer).toMatchObject({
        artifactType: BUNDLE,
        annotations: {
          'dev.sigstore.bundle.predicateType':
            'https://sigstore.dev/cosign/sign/v1',
        },
      });
      const filtered = await client.referrers(
        'acme/guestbook',
        image.digest,
        'application/spdx+json',
      );
      expect(filtered.index.manifests).toEqual([]);
      expect(filtered.filtersApplied).toBe('artifactType');
      // The referrers API is enough: no tag schema index was written.
      expect(
        await client.headManifest(
          'acme/guestbook',
          `sha256-${digestHex(image.digest)}`,
        ),
      ).toBeUndefined();
      const manifest = await client.getManifest(
        'acme/guestbook',
        referrer.digest,
      );
      const layer = await client.getBlob(
        'acme/guestbook',
        manifest.layers[0].digest,
      );
      expect(layer.equals(signed.bytes)).toBe(true);
      expect(manifest.subject).toEqual({
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.size,
      });
    } finally {
      await registry.stop();
    }
  });

  it('falls back to the referrers tag schema where the registry has no referrers API', async () => {
    expect.hasAssertions();
    const registry = await InMemoryOciRegistry.start({ referrers: false });
    try {
      await expectTagSchema(registry.client());
    } finally {
      await registry.stop();
    }
  });

  // Debian's docker-registry: CI installs it; elsewhere this part is skipped.
  (LocalRegistry.available() ? describe : describe.skip)(
    'against distribution 2.8 (docker-registry)',
    () => {
      it('puts bundles in the tag schema and legacy signatures under .sig', async () => {
        expect.hasAssertions();
        const registry = await LocalRegistry.start();
        try {
          await expectTagSchema(registry.client());
        } finally {
          await registry.stop();
        }
      });
    },
  );

  async function expectTagSchema(client: OciClient) {
    const image = await pushTestImage(client, 'acme/podinfo', ['6.7.1']);
    expect((await client.referrers('acme/podinfo', image.digest)).status).toBe(
      404,
    );
    const signer = sigstore.keyPairSigner('demo-release');
    const one = await signImage({ sigstore, digest: image.digest, signer });
    const two = await signImage({ sigstore, digest: image.digest, signer });
    const first = await attachReferrer(client, {
      repository: 'acme/podinfo',
      subject: image,
      bundle: one,
    });
    const second = await attachReferrer(client, {
      repository: 'acme/podinfo',
      subject: image,
      bundle: two,
    });
    const index = await client.getManifest(
      'acme/podinfo',
      `sha256-${digestHex(image.digest)}`,
    );
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [first, second],
    });

    const layer = await legacySignature({
      sigstore,
      repository: 'ghcr.io/acme/podinfo',
      digest: image.digest,
      signer,
    });
    await attachLegacy(client, {
      repository: 'acme/podinfo',
      subjectDigest: image.digest,
      layers: [layer],
    });
    await attachLegacy(client, {
      repository: 'acme/podinfo',
      subjectDigest: image.digest,
      layers: [layer],
    });
    const sig = await client.getManifest(
      'acme/podinfo',
      `sha256-${digestHex(image.digest)}.sig`,
    );
    expect(sig.layers).toHaveLength(2);
    expect(sig.layers[0]).toMatchObject({
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      annotations: {
        'dev.cosignproject.cosign/signature': expect.any(String),
        'dev.sigstore.cosign/bundle': expect.stringContaining(
          'SignedEntryTimestamp',
        ),
      },
    });
  }
});
