import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import net from 'node:net';
import {
  attachReferrer,
  InMemoryOciRegistry,
  OciClient,
  signImage,
} from 'supply-chain-testkit';
import {
  evidenceService,
  GITHUB,
  pushImage,
  SigningWorld,
  WORKFLOW,
} from './__testUtils__/signedImages';
import { DigestEvidenceService } from './DigestEvidenceService';
import { RepositoryPathClient } from './OciArtifactReader';

describe('DigestEvidenceService', () => {
  let world: SigningWorld;
  let registry: InMemoryOciRegistry;
  let client: OciClient;

  beforeAll(async () => {
    world = await SigningWorld.create();
    registry = await InMemoryOciRegistry.start();
    client = registry.client();
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    world?.remove();
  });

  async function signedImage(repository: string, keyed = false) {
    const digest = await pushImage(client, repository);
    const bundle = await signImage({
      sigstore: world.sigstore,
      digest,
      signer: keyed
        ? world.key
        : world.sigstore.keyless({ subject: WORKFLOW, issuer: GITHUB }),
    });
    await attachReferrer(client, { repository, subject: digest, bundle });
    return digest;
  }

  it('peeks null, reads in the background, and peeks warm without a request', async () => {
    const digest = await signedImage('acme/peek');
    const service = evidenceService(registry.host, world.config());
    const image = `${registry.host}/acme/peek`;
    expect(service.peek(image, digest)).toBeNull();
    const read = await service.read(image, digest);
    expect(read.signature.state).toBe('verified');
    const fetchSpy = jest.spyOn(global, 'fetch');
    try {
      for (let i = 0; i < 10; i++) {
        expect(service.peek(`${image}:v1`, digest)).toBe(read);
      }
      expect(await service.read(image, digest)).toBe(read);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('answers unknown when the registry is down, and reads again only after the back-off', async () => {
    const port = await closedPort();
    let now = Date.parse('2026-12-03T10:00:00Z');
    const service = evidenceService(
      `127.0.0.1:${port}`,
      world.config({ retryMs: 30_000 }),
      () => now,
    );
    const image = `127.0.0.1:${port}/acme/down`;
    const digest = `sha256:${'1'.repeat(64)}`;
    const evidence = await service.read(image, digest);
    expect(evidence.signature).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(
        /^registry: 127\.0\.0\.1:\d+\/acme\/down: fetch failed \(ECONNREFUSED\)$/,
      ),
    });
    expect(evidence.sbom).toBeNull();
    const fetchSpy = jest.spyOn(global, 'fetch');
    try {
      expect(service.peek(image, digest)).toBe(evidence);
      expect(await service.read(image, digest)).toBe(evidence);
      expect(fetchSpy).not.toHaveBeenCalled();
      now += 30_000;
      expect(service.peek(image, digest)).toBe(evidence);
      const again = await service.read(image, digest);
      expect(again).not.toBe(evidence);
      expect(fetchSpy).toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('reads a trusted root written after start, once the back-off is over', async () => {
    const digest = await signedImage('acme/late-root');
    const path = `${world.dir}/late/trusted_root.json`;
    let now = Date.parse('2026-12-03T10:00:00Z');
    const service = evidenceService(
      registry.host,
      world.config({ trustedRootPath: path, retryMs: 5000 }),
      () => now,
    );
    const image = `${registry.host}/acme/late-root`;
    const before = await service.read(image, digest);
    expect(before.signature).toMatchObject({
      state: 'unknown',
      reason: expect.stringContaining(
        `the trusted root ${path} cannot be read (ENOENT`,
      ),
    });
    fs.mkdirSync(`${world.dir}/late`);
    fs.writeFileSync(path, JSON.stringify(world.sigstore.trustedRoot()));
    now += 5000;
    const after = await service.read(image, digest);
    expect(after.signature).toMatchObject({
      state: 'verified',
      identity: WORKFLOW,
      issuer: GITHUB,
    });
  });

  it('without a trusted root: keyless is unknown offline, keyed still verifies', async () => {
    const keylessDigest = await signedImage('acme/no-root');
    const keyedDigest = await signedImage('acme/no-root', true);
    const service = evidenceService(
      registry.host,
      world.config({ trustedRootPath: null }),
    );
    const image = `${registry.host}/acme/no-root`;
    expect((await service.read(image, keylessDigest)).signature).toEqual({
      state: 'unknown',
      identity: null,
      issuer: null,
      reason:
        'the Sigstore public-good trusted root cannot be fetched (tests do not reach the public-good TUF); configure gitops.supplyChain.trustedRoot to verify offline',
      source: 'referrers',
      signers: [],
    });
    expect((await service.read(image, keyedDigest)).signature).toMatchObject({
      state: 'verified',
      identity: 'key:release',
    });
  });

  it('reads each digest once at a time and at most `concurrency` digests at once', async () => {
    const inFlight = new Map<string, number>();
    let most = 0;
    const requested: string[] = [];
    const slowRegistry: RepositoryPathClient = {
      async getRepositoryPath(_image, path) {
        requested.push(path);
        const digest = path.match(/sha256[:-](\d)/)![1];
        inFlight.set(digest, (inFlight.get(digest) ?? 0) + 1);
        most = Math.max(most, inFlight.size);
        await new Promise(resolve => setTimeout(resolve, 20));
        inFlight.set(digest, inFlight.get(digest)! - 1);
        if (inFlight.get(digest) === 0) inFlight.delete(digest);
        return new Response(null, { status: 404 });
      },
    };
    const service = new DigestEvidenceService({
      registry: slowRegistry,
      config: world.config({ concurrency: 2 }),
      logger: mockServices.logger.mock(),
    });
    const digests = Array.from(
      { length: 6 },
      (_, i) => `sha256:${String(i).repeat(64)}`,
    );
    for (const digest of digests) {
      expect(service.peek('registry.test/acme/many', digest)).toBeNull();
      expect(service.peek('registry.test/acme/many', digest)).toBeNull();
    }
    const all = await Promise.all(
      digests.map(d => service.read('registry.test/acme/many', d)),
    );
    expect(all.map(e => e.signature.state)).toEqual(
      digests.map(() => 'unsigned'),
    );
    // referrers, .sig, .att and the tag schema's index: four requests per digest, once.
    expect(requested).toHaveLength(4 * digests.length);
    expect(most).toBe(2);
  });

  it('refuses a read of something that is not a digest, and peeks null', async () => {
    const service = evidenceService(registry.host, world.config());
    await expect(service.read('x/y', 'latest')).rejects.toThrow(
      'not an image digest: latest',
    );
    expect(service.peek('x/y', 'latest')).toBeNull();
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
