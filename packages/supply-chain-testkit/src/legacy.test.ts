import {
  createHash,
  createPublicKey,
  verify,
  X509Certificate,
} from 'node:crypto';
import { legacySignature } from './legacy';
import { LocalSigstore } from './LocalSigstore';
import { tamperedLegacyLayer } from './tamper';

const DIGEST = `sha256:${'cd'.repeat(32)}`;

describe('legacy cosign signatures', () => {
  it('writes the simple-signing payload with signature, certificate, chain and Rekor bundle', async () => {
    const sigstore = await LocalSigstore.create();
    const signer = sigstore.keyless({
      subject:
        'https://github.com/acme/guestbook/.github/workflows/release.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    const layer = await legacySignature({
      sigstore,
      repository: 'ghcr.io/acme/guestbook',
      digest: DIGEST,
      signer,
    });
    expect(JSON.parse(layer.content.toString())).toEqual({
      critical: {
        identity: { 'docker-reference': 'ghcr.io/acme/guestbook' },
        image: { 'docker-manifest-digest': DIGEST },
        type: 'cosign container image signature',
      },
      optional: null,
    });
    const certificate = new X509Certificate(
      layer.annotations['dev.sigstore.cosign/certificate'],
    );
    const chain = new X509Certificate(
      layer.annotations['dev.sigstore.cosign/chain'],
    );
    expect(certificate.verify(chain.publicKey)).toBe(true);
    const signature = Buffer.from(
      layer.annotations['dev.cosignproject.cosign/signature'],
      'base64',
    );
    expect(
      verify('sha256', layer.content, certificate.publicKey, signature),
    ).toBe(true);

    const bundle = JSON.parse(layer.annotations['dev.sigstore.cosign/bundle']);
    const body = JSON.parse(
      Buffer.from(bundle.Payload.body, 'base64').toString(),
    );
    expect(body).toMatchObject({
      kind: 'hashedrekord',
      apiVersion: '0.0.1',
      spec: {
        data: {
          hash: {
            algorithm: 'sha256',
            value: createHash('sha256').update(layer.content).digest('hex'),
          },
        },
      },
    });
    // The SET is the log's signature over the canonical JSON of the payload (keys sorted).
    const root = sigstore.trustedRoot() as any;
    const logKey = createPublicKey({
      key: Buffer.from(root.tlogs[0].publicKey.rawBytes, 'base64'),
      format: 'der',
      type: 'spki',
    });
    const { body: b, integratedTime, logID, logIndex } = bundle.Payload;
    const canonical = JSON.stringify({
      body: b,
      integratedTime,
      logID,
      logIndex,
    });
    expect(
      verify(
        'sha256',
        Buffer.from(canonical),
        logKey,
        Buffer.from(bundle.SignedEntryTimestamp, 'base64'),
      ),
    ).toBe(true);

    const tampered = tamperedLegacyLayer(layer);
    expect(
      verify('sha256', tampered.content, certificate.publicKey, signature),
    ).toBe(false);
  });
});
