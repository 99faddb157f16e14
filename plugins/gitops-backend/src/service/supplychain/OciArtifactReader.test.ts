import { createHash } from 'node:crypto';
import { RegistryError } from '../registry/OciRegistryClient';
import { OciArtifactReader, RepositoryPathClient } from './OciArtifactReader';

const IMAGE = { host: 'registry.test', repository: 'acme/payments' };
const DIGEST = `sha256:${'a'.repeat(64)}`;
const signal = new AbortController().signal;

function reader(answer: (path: string) => Response | Error) {
  const paths: string[] = [];
  const client: RepositoryPathClient = {
    async getRepositoryPath(_image, path) {
      paths.push(path);
      const result = answer(path);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { reader: new OciArtifactReader(client), paths };
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json' },
  });

const sha = (bytes: Buffer) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('OciArtifactReader', () => {
  describe('referrers', () => {
    it('lists the descriptors of a referrers index', async () => {
      const { reader: r, paths } = reader(() =>
        json({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: `sha256:${'b'.repeat(64)}`,
              size: 779,
              artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
              annotations: {
                'dev.sigstore.bundle.predicateType':
                  'https://slsa.dev/provenance/v1',
              },
            },
            { mediaType: 'x' },
          ],
        }),
      );
      expect(await r.referrers(IMAGE, DIGEST, signal)).toEqual([
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${'b'.repeat(64)}`,
          size: 779,
          artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          annotations: {
            'dev.sigstore.bundle.predicateType':
              'https://slsa.dev/provenance/v1',
          },
        },
      ]);
      expect(paths).toEqual([`referrers/${DIGEST}`]);
    });

    it.each([
      ['404', () => new Response('page not found', { status: 404 })],
      ['400', () => new RegistryError('bad request', 400)],
      ['405', () => new RegistryError('method not allowed', 405)],
      ['an answer that is not an index', () => json({ errors: [] })],
      ['an answer that is not JSON', () => new Response('<html>')],
    ])('says there is no referrers API on %s', async (_name, answer) => {
      const { reader: r } = reader(answer);
      expect(await r.referrers(IMAGE, DIGEST, signal)).toBeNull();
    });

    it('throws other registry errors', async () => {
      const { reader: r } = reader(() => new RegistryError('refused', 403));
      await expect(r.referrers(IMAGE, DIGEST, signal)).rejects.toThrow(
        'refused',
      );
    });
  });

  describe('blob', () => {
    const bytes = Buffer.from('{"mediaType":"bundle"}');

    it('reads a blob that matches its digest', async () => {
      const { reader: r } = reader(() => new Response(bytes));
      expect(await r.blob(IMAGE, sha(bytes), 1000, signal)).toEqual(bytes);
    });

    it('refuses other bytes than the digest names', async () => {
      const { reader: r } = reader(() => new Response(bytes));
      await expect(r.blob(IMAGE, DIGEST, 1000, signal)).rejects.toThrow(
        'the registry answered other bytes than the digest names',
      );
    });

    it('stops reading beyond the limit', async () => {
      const { reader: r } = reader(() => new Response(bytes));
      expect(await r.blob(IMAGE, sha(bytes), 5, signal)).toBeNull();
    });
  });

  describe('manifest', () => {
    it('is null when missing and checks a manifest read by digest', async () => {
      const manifest = Buffer.from('{"schemaVersion":2,"layers":[]}');
      const { reader: r } = reader(path =>
        path.endsWith('.sig')
          ? new Response(null, { status: 404 })
          : new Response(manifest),
      );
      expect(await r.manifest(IMAGE, 'sha256-aaa.sig', signal)).toBeNull();
      expect((await r.manifest(IMAGE, sha(manifest), signal))?.digest).toBe(
        sha(manifest),
      );
      await expect(r.manifest(IMAGE, DIGEST, signal)).rejects.toThrow(
        `registry.test/acme/payments@${DIGEST}: the registry answered a manifest with digest ${sha(
          manifest,
        )}`,
      );
    });
  });
});
