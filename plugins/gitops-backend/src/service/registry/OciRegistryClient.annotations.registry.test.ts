import { mockServices } from '@backstage/backend-test-utils';
import { createHash } from 'node:crypto';
import { LocalRegistry } from '../../__testUtils__/localRegistry';
import { OciRegistryClient, platformManifest } from './OciRegistryClient';

const SOURCE = 'org.opencontainers.image.source';
const REVISION = 'org.opencontainers.image.revision';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function digestOf(data: Buffer) {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Pushes through the distribution API as `docker push` / `helm push` would. */
class Pusher {
  constructor(private readonly url: string) {}

  async blob(repository: string, content: object | string) {
    const blob = Buffer.from(
      typeof content === 'string' ? content : JSON.stringify(content),
    );
    const start = await fetch(`${this.url}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
    });
    const location = new URL(start.headers.get('location')!, this.url);
    location.searchParams.set('digest', digestOf(blob));
    const done = await fetch(location, { method: 'PUT', body: blob });
    if (done.status !== 201) throw new Error(`blob: ${done.status}`);
    return { digest: digestOf(blob), size: blob.length };
  }

  async manifest(repository: string, reference: string, manifest: object) {
    const body = Buffer.from(JSON.stringify(manifest));
    const response = await fetch(
      `${this.url}/v2/${repository}/manifests/${reference}`,
      {
        method: 'PUT',
        headers: { 'content-type': (manifest as any).mediaType },
        body,
      },
    );
    if (response.status !== 201)
      throw new Error(`manifest: ${response.status} ${await response.text()}`);
    return digestOf(body);
  }

  /** An image whose manifest carries `annotations` and whose config carries `labels`. */
  async image(
    repository: string,
    tag: string,
    options: {
      annotations?: Record<string, string>;
      labels?: Record<string, string>;
      configType?: string;
      config?: object;
    },
  ) {
    const config = await this.blob(
      repository,
      options.config ?? {
        architecture: 'amd64',
        os: 'linux',
        config: { Labels: options.labels ?? null },
        tag,
      },
    );
    const layer = await this.blob(repository, `layer of ${tag}`);
    return this.manifest(repository, tag, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType:
          options.configType ?? 'application/vnd.oci.image.config.v1+json',
        ...config,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer },
      ],
      ...(options.annotations ? { annotations: options.annotations } : {}),
    });
  }
}

/** Against Debian's docker-registry on 127.0.0.1, as the other registry test. */
describe('OciRegistryClient annotations against a real registry', () => {
  let registry: LocalRegistry;
  let push: Pusher;
  const repository = 'acme/guestbook';
  const rev = (n: number) => String(n).repeat(40);

  beforeAll(async () => {
    registry = await LocalRegistry.start();
    push = new Pusher(registry.url);
  }, 60_000);
  afterAll(() => registry?.stop());

  function client() {
    return new OciRegistryClient({
      hosts: [{ host: registry.host }],
      logger: mockServices.logger.mock(),
      timeoutMs: 5000,
      cacheTtlMs: 60_000,
    });
  }
  const image = () => ({ host: registry.host, repository });

  it('reads the manifest annotations of a tag and of its digest', async () => {
    const annotations = {
      [SOURCE]: 'https://github.com/acme/guestbook',
      [REVISION]: rev(1),
    };
    const digest = await push.image(repository, 'v1.0.1', { annotations });
    const registryClient = client();
    for (const reference of ['v1.0.1', digest]) {
      const found = await registryClient.getAnnotations(image(), reference);
      expect(found).toEqual({
        digest,
        annotations,
        labels: {},
        chart: null,
      });
    }
  });

  it("reads the config's labels, where docker buildx puts them", async () => {
    const labels = {
      [SOURCE]: 'https://github.com/acme/guestbook',
      [REVISION]: rev(2),
      maintainer: 'team-a',
    };
    await push.image(repository, 'v1.0.2', { labels });
    const found = await client().getAnnotations(image(), 'v1.0.2');
    expect(found?.labels).toEqual(labels);
    expect(found?.annotations).toEqual({});
  });

  it('answers empty maps for an image with neither, and null for a tag the registry lacks', async () => {
    await push.image(repository, 'v1.0.3', {});
    const registryClient = client();
    expect(await registryClient.getAnnotations(image(), 'v1.0.3')).toEqual(
      expect.objectContaining({ annotations: {}, labels: {}, chart: null }),
    );
    expect(await registryClient.getAnnotations(image(), 'v9.9.9')).toBeNull();
  });

  it("follows an index to its linux/amd64 manifest, or answers the index's own annotations", async () => {
    const arm = await push.image(repository, 'arm-only', {
      labels: { [SOURCE]: 'https://example.com/wrong', [REVISION]: rev(9) },
    });
    const amd = await push.image(repository, 'amd-only', {
      labels: {
        [SOURCE]: 'https://github.com/acme/guestbook',
        [REVISION]: rev(4),
      },
    });
    const entry = (digest: string, architecture: string) => ({
      mediaType: OCI_MANIFEST,
      digest,
      size: 1,
      platform: { os: 'linux', architecture },
    });
    await push.manifest(repository, 'v1.0.4', {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [entry(arm, 'arm64'), entry(amd, 'amd64')],
    });
    const indexAnnotations = {
      [SOURCE]: 'https://github.com/acme/guestbook',
      [REVISION]: rev(5),
    };
    await push.manifest(repository, 'v1.0.5', {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [entry(arm, 'arm64')],
      annotations: indexAnnotations,
    });
    const registryClient = client();
    const followed = await registryClient.getAnnotations(image(), 'v1.0.4');
    expect(followed?.digest).toBe(amd);
    expect(followed?.labels[REVISION]).toBe(rev(4));
    const own = await registryClient.getAnnotations(image(), 'v1.0.5');
    expect(own?.annotations).toEqual(indexAnnotations);
  });

  it("reads a Helm chart's Chart.yaml from its config blob", async () => {
    await push.image('acme/charts/guestbook', '1.2.0', {
      configType: 'application/vnd.cncf.helm.config.v1+json',
      config: {
        apiVersion: 'v2',
        name: 'guestbook',
        version: '1.2.0',
        appVersion: 'v1.0.5',
        sources: ['https://github.com/acme/guestbook'],
        annotations: { [REVISION]: rev(6) },
      },
      annotations: { 'org.opencontainers.image.title': 'guestbook' },
    });
    const found = await client().getAnnotations(
      { host: registry.host, repository: 'acme/charts/guestbook' },
      '1.2.0',
    );
    expect(found?.chart).toEqual({
      appVersion: 'v1.0.5',
      sources: ['https://github.com/acme/guestbook'],
      annotations: { [REVISION]: rev(6) },
    });
    expect(found?.labels).toEqual({});
  });

  it('serves a digest from the cache', async () => {
    const digest = await push.image(repository, 'v1.0.7', {
      annotations: { [SOURCE]: 'https://github.com/acme/guestbook' },
    });
    const registryClient = client();
    await registryClient.getAnnotations(image(), digest);
    const fetchSpy = jest.spyOn(global, 'fetch');
    try {
      await registryClient.getAnnotations(image(), digest);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });
});

describe('platformManifest', () => {
  const m = (
    digest: string,
    os?: string,
    architecture?: string,
    attestation = false,
  ) => ({
    digest,
    ...(os ? { platform: { os, architecture } } : {}),
    ...(attestation
      ? { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }
      : {}),
  });
  it.each([
    [
      'linux/amd64 among others',
      [m('a', 'linux', 'arm64'), m('b', 'linux', 'amd64')],
      'b',
    ],
    [
      'the first when no linux/amd64',
      [m('a', 'linux', 'arm64'), m('b', 'linux', 's390x')],
      'a',
    ],
    [
      'never an attestation',
      [m('x', 'unknown', 'unknown', true), m('a', 'linux', 'arm64')],
      'a',
    ],
    ['nothing in an empty index', [], undefined],
  ])('picks %s', (_, manifests, expected) => {
    expect(platformManifest(manifests)?.digest).toBe(expected);
  });
});
