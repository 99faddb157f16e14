import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DemoRegistry } from '../DemoRegistry';
import { readSeeds } from '../seeds';
import { signDemoImages } from './signDemoImages';

const root = path.resolve(__dirname, '../../../..');

describe('the demo registry’s signatures and attestations', () => {
  let dir: string;
  let registry: DemoRegistry;
  let files: Awaited<ReturnType<typeof signDemoImages>>;
  let signingMs: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-supply-chain-'));
    registry = new DemoRegistry([
      ...readSeeds(path.join(root, 'examples/demo-cluster')).images,
      {
        image: 'ghcr.io/acme/hand-built',
        tags: ['1.0.0'],
        crashing: [],
        digests: {},
        signedBy: null,
      },
    ]);
    const started = Date.now();
    files = await signDemoImages(registry, dir);
    signingMs = Date.now() - started;
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function get(url: string) {
    const answer = registry.handle('GET', url);
    return { status: answer?.status, json: JSON.parse(answer?.body ?? 'null') };
  }

  function referrersOf(image: string, tag: string) {
    const found = registry.list().find(i => i.image === image)!;
    const repository = image.split('/').slice(1).join('/');
    return get(`/v2/${repository}/referrers/${registry.digestOf(found, tag)}`);
  }

  it('signs every tag quickly, as it does at each demo start', () => {
    expect(signingMs).toBeLessThan(2000);
  });

  it('lists a signature and three attestations for a signed tag', () => {
    const { status, json } = referrersOf('ghcr.io/acme/guestbook', 'v1.0.5');
    expect(status).toBe(200);
    expect(json.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(
      json.manifests
        .map((m: any) => m.annotations['dev.sigstore.bundle.predicateType'])
        .sort(),
    ).toEqual([
      'https://cosign.sigstore.dev/attestation/vuln/v1',
      'https://sigstore.dev/cosign/sign/v1',
      'https://slsa.dev/provenance/v1',
      'https://spdx.dev/Document',
    ]);
    for (const m of json.manifests) {
      expect(m.artifactType).toBe(
        'application/vnd.dev.sigstore.bundle.v0.3+json',
      );
    }
  });

  it('serves the referrer manifests and bundles by digest', () => {
    const { json } = referrersOf('ghcr.io/acme/guestbook', 'v1.0.5');
    const vuln = json.manifests.find(
      (m: any) =>
        m.annotations['dev.sigstore.bundle.predicateType'] ===
        'https://cosign.sigstore.dev/attestation/vuln/v1',
    );
    const manifest = get(`/v2/acme/guestbook/manifests/${vuln.digest}`).json;
    expect(manifest.subject.digest).toBe(
      registry.digestOf(
        registry.list().find(i => i.image === 'ghcr.io/acme/guestbook')!,
        'v1.0.5',
      ),
    );
    const bundle = get(
      `/v2/acme/guestbook/blobs/${manifest.layers[0].digest}`,
    ).json;
    expect(bundle.verificationMaterial.certificate).toBeDefined();
    const statement = JSON.parse(
      Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString(),
    );
    expect(
      statement.predicate.scanner.result.Results[0].Vulnerabilities,
    ).toEqual([
      expect.objectContaining({
        VulnerabilityID: 'CVE-2023-45288',
        PkgName: 'golang.org/x/net',
        Severity: 'HIGH',
        InstalledVersion: 'v0.17.0',
        FixedVersion: '0.23.0',
      }),
    ]);
  });

  it('lists nothing for an unsigned tag nor an image without a signer', () => {
    expect(
      referrersOf('ghcr.io/acme/demo-flask-app', '9f8e7d6-42').json.manifests,
    ).toEqual([]);
    expect(
      referrersOf('ghcr.io/acme/hand-built', '1.0.0').json.manifests,
    ).toEqual([]);
  });

  it('writes the trusted root and the public keys the seeds name', () => {
    expect(files.trustedRoot).toBe(path.join(dir, 'trusted_root.json'));
    expect(
      JSON.parse(fs.readFileSync(files.trustedRoot, 'utf8')),
    ).toMatchObject({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    });
    expect(files.keys).toEqual({
      'demo-release': path.join(dir, 'keys', 'demo-release.pub'),
    });
    expect(fs.readFileSync(files.keys['demo-release'], 'utf8')).toMatch(
      /^-----BEGIN PUBLIC KEY-----/,
    );
  });

  it('keeps the tag manifests it served before', () => {
    const { status, json } = get('/v2/acme/guestbook/manifests/v1.0.5');
    expect(status).toBe(200);
    expect(json.annotations['org.opencontainers.image.version']).toBe('v1.0.5');
  });
});
