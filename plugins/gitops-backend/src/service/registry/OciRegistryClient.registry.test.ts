import { mockServices } from '@backstage/backend-test-utils';
import { LocalRegistry } from '../../__testUtils__/localRegistry';
import { parseImageRepository } from './imageRepository';
import { OciRegistryClient } from './OciRegistryClient';
import { newerTags, orderTags, parseTagPolicy } from './tagPolicy';

/** Against a real registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1. */
describe('OciRegistryClient against a real registry', () => {
  let registry: LocalRegistry;
  let digest: string;
  let deletedDigest: string;
  const repository = 'acme/guestbook';

  beforeAll(async () => {
    registry = await LocalRegistry.start();
    const tags = Array.from({ length: 150 }, (_, i) => `v1.0.${i}`);
    digest = await registry.push(repository, [...tags, 'latest']);
    deletedDigest = await registry.push(repository, ['v9.9.9'], 'to-delete');
    await registry.deleteManifest(repository, deletedDigest);
  }, 60_000);
  afterAll(() => registry?.stop());

  function client(pageSize = 50, cacheEntries?: number) {
    return new OciRegistryClient({
      hosts: [{ host: registry.host }],
      logger: mockServices.logger.mock(),
      timeoutMs: 5000,
      cacheTtlMs: 60_000,
      pageSize,
      cacheEntries,
    });
  }

  it('lists all 151 tags, asking for pages of 50', async () => {
    const fetchSpy = jest.spyOn(global, 'fetch');
    try {
      const image = parseImageRepository(`${registry.host}/${repository}`);
      const tags = await client(50).listTags(image);
      expect(tags).toHaveLength(151);
      expect(new Set(tags).size).toBe(151);
      const pages = fetchSpy.mock.calls
        .map(([url]) => String(url))
        .filter(url => url.includes('/tags/list'));
      expect(pages[0]).toMatch(/\/tags\/list\?n=50$/);
      // distribution 2.8 answers tags/list in one page whatever `n` says (it paginates only
      // the catalog); the three-page walk over Link headers is tested with msw.
      expect(pages.length).toBeGreaterThanOrEqual(1);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('reads the digest a tag points to, and null for a deleted tag', async () => {
    const image = parseImageRepository(`${registry.host}/${repository}`);
    const registryClient = client();
    expect(await registryClient.getDigest(image, 'v1.0.42')).toBe(digest);
    expect(await registryClient.getDigest(image, 'v9.9.9')).toBeNull();
    expect(await registryClient.listTags(image)).not.toContain('v9.9.9');
  });

  it('serves repeated reads from the cache', async () => {
    const image = parseImageRepository(`${registry.host}/${repository}`);
    const registryClient = client(100);
    await registryClient.listTags(image);
    const fetchSpy = jest.spyOn(global, 'fetch');
    try {
      await registryClient.listTags(image);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it.each([
    ['holds them all', undefined, 0],
    ['holds fewer (gitops.registryCacheEntries: 2)', 2, 3],
  ])(
    'reads 3 digests once more each when the cache %s',
    async (_name, cacheEntries, requests) => {
      const image = parseImageRepository(`${registry.host}/${repository}`);
      const registryClient = client(100, cacheEntries);
      const tags = ['v1.0.1', 'v1.0.2', 'v1.0.3'];
      for (const tag of tags) await registryClient.getDigest(image, tag);
      const fetchSpy = jest.spyOn(global, 'fetch');
      try {
        for (const tag of tags) {
          expect(await registryClient.getDigest(image, tag)).toBe(digest);
        }
        const manifests = fetchSpy.mock.calls.filter(([url]) =>
          String(url).includes('/manifests/'),
        );
        expect(manifests).toHaveLength(requests);
      } finally {
        fetchSpy.mockRestore();
      }
    },
  );

  it('orders the tags by semver and finds the newer ones, never `latest`', async () => {
    const image = parseImageRepository(`${registry.host}/${repository}`);
    const policy = parseTagPolicy('semver');
    const ordered = orderTags(await client().listTags(image), policy);
    expect(ordered[ordered.length - 1]).toBe('v1.0.149');
    expect(newerTags(ordered, 'v1.0.147', policy)).toEqual([
      'v1.0.149',
      'v1.0.148',
    ]);
    expect(ordered).not.toContain('latest');
  });

  it('says a repository the registry does not have is not found', async () => {
    await expect(
      client().listTags({ host: registry.host, repository: 'acme/nope' }),
    ).rejects.toThrow(`${registry.host}/acme/nope not found in the registry`);
  });
});
