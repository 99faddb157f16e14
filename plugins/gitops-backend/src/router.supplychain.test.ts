import { gitIn } from 'gitops-testkit';
import request from 'supertest';
import {
  COSIGN_VULN_V1,
  InMemoryOciRegistry,
  attachReferrer,
  attestImage,
  cosignVulnPredicate,
  pushTestImage,
  signImage,
  trivyReport,
} from 'supply-chain-testkit';
import {
  createExampleRemote,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';
import {
  GITHUB,
  SigningWorld,
} from './service/supplychain/__testUtils__/signedImages';

jest.setTimeout(90_000);

const API = '/api/gitops/entities/default/component';
const RELEASE =
  'https://github.com/acme/guestbook/.github/workflows/release.yml@refs/heads/main';

/**
 * Supply-chain gates through REST, against a real bare Git remote and a registry serving the
 * referrers API with signatures made by a local Sigstore: prod refuses an unsigned version and
 * one with a critical CVE, naming why, and its branch head stays; a signed, clean version
 * goes in.
 */
describe('supply-chain gates through REST', () => {
  let repo: ReturnType<typeof createExampleRemote>;
  let registry: InMemoryOciRegistry;
  let world: SigningWorld;
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    world = await SigningWorld.create();
    registry = await InMemoryOciRegistry.start();
    for (const tag of ['v1.0.3', 'v1.0.4', 'v1.0.5']) {
      const pushed = await pushTestImage(
        registry.client(),
        'acme/guestbook',
        [tag],
        tag,
      );
      digests[tag] = pushed.digest;
    }
  });
  afterAll(async () => {
    await registry?.stop();
    world?.remove();
  });
  beforeEach(() => {
    repo = createExampleRemote('gitops-supplychain-');
  });
  afterEach(() => repo.cleanup());
  const head = () => gitIn(repo.remote, 'rev-parse', 'main');

  async function sign(tag: string) {
    const bundle = await signImage({
      sigstore: world.sigstore,
      digest: digests[tag],
      signer: world.sigstore.keyless({ subject: RELEASE, issuer: GITHUB }),
    });
    await attachReferrer(registry.client(), {
      repository: 'acme/guestbook',
      subject: digests[tag],
      bundle,
    });
  }

  async function attestScan(
    tag: string,
    vulnerabilities: Parameters<typeof trivyReport>[0]['vulnerabilities'],
  ) {
    const bundle = await attestImage({
      sigstore: world.sigstore,
      repository: 'ghcr.io/acme/guestbook',
      digest: digests[tag],
      signer: world.sigstore.keyless({ subject: RELEASE, issuer: GITHUB }),
      predicateType: COSIGN_VULN_V1,
      predicate: cosignVulnPredicate({
        result: trivyReport({
          image: 'ghcr.io/acme/guestbook',
          digest: digests[tag],
          vulnerabilities,
        }),
      }),
    });
    await attachReferrer(registry.client(), {
      repository: 'acme/guestbook',
      subject: digests[tag],
      bundle,
    });
  }

  const start = () =>
    startPromotionBackend({
      remote: repo.remote,
      workDir: repo.workDir,
      environments: [
        { name: 'dev' },
        { name: 'staging' },
        {
          name: 'prod',
          policy: {
            supplyChain: {
              requireSignature: {
                identities: [
                  {
                    issuer: GITHUB,
                    subject:
                      'https://github\\.com/acme/{service}/\\.github/workflows/release\\.yml@refs/heads/main',
                  },
                ],
              },
              maxVulnerabilities: { critical: 0 },
            },
          },
        },
      ],
      gitops: {
        registries: [{ host: 'ghcr.io', url: registry.url }],
        supplyChain: { trustedRoot: world.trustedRootPath },
      },
    });

  it('refuses an unsigned version, then a signed one with a critical CVE, each with its reason and Git unchanged; a signed, clean version goes in', async () => {
    const server = await start();
    const base = head();

    // staging declares v1.0.4, which nobody signed.
    const unsigned = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(unsigned.status).toBe(409);
    expect(unsigned.body.error.message).toMatch(
      /^Promotion staging → prod refused: signature: v1\.0\.4 \(sha256:[0-9a-f]{12}\) is not signed; prod requires a signature by https:\/\/github\.com\/acme\/guestbook\/\.github\/workflows\/release\.yml@refs\/heads\/main \(issuer https:\/\/token\.actions\.githubusercontent\.com\); vulnerabilities: no vulnerability scan of v1\.0\.4/,
    );
    expect(unsigned.body.evidence).toMatchObject({
      image: 'ghcr.io/acme/guestbook',
      digest: digests['v1.0.4'],
      signature: { state: 'unsigned' },
    });
    expect(head()).toBe(base);

    // Signed by the release workflow, with a scan that finds a critical CVE.
    await sign('v1.0.4');
    await attestScan('v1.0.4', [
      {
        VulnerabilityID: 'CVE-2024-45337',
        PkgName: 'golang.org/x/crypto',
        InstalledVersion: 'v0.21.0',
        FixedVersion: '0.31.0',
        Severity: 'CRITICAL',
      },
    ]);
    const dryRun = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod', dryRun: true });
    expect(dryRun.status).toBe(200);
    expect(
      dryRun.body.gates
        .filter((g: any) => ['signature', 'vulnerabilities'].includes(g.name))
        .map((g: any) => [g.name, g.state]),
    ).toEqual([
      ['signature', 'pass'],
      ['vulnerabilities', 'fail'],
    ]);
    expect(dryRun.body.evidence.signature).toMatchObject({
      state: 'verified',
      identity: RELEASE,
      issuer: GITHUB,
    });
    const vulnerable = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(vulnerable.status).toBe(409);
    expect(vulnerable.body.error.message).toMatch(
      /refused: vulnerabilities: v1\.0\.4 \(sha256:[0-9a-f]{12}\) has 1 critical \(at most 0\) in prod: CVE-2024-45337 in golang\.org\/x\/crypto \(fixed in 0\.31\.0\) — attested scan/,
    );
    expect(vulnerable.body.error.message).not.toMatch(/signature:/);
    expect(head()).toBe(base);

    // The fixed build, v1.0.5: signed, scanned clean, promoted through staging to prod.
    await sign('v1.0.5');
    await attestScan('v1.0.5', []);
    const toStaging = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect(toStaging.status).toBe(201);
    const stagingHead = head();
    const toProd = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(toProd.status).toBe(201);
    expect(
      toProd.body.gates
        .filter((g: any) => ['signature', 'vulnerabilities'].includes(g.name))
        .map((g: any) => [g.name, g.state, g.message]),
    ).toEqual([
      [
        'signature',
        'pass',
        expect.stringMatching(
          /^v1\.0\.5 \(sha256:[0-9a-f]{12}\) is signed by https:\/\/github\.com\/acme\/guestbook/,
        ),
      ],
      [
        'vulnerabilities',
        'pass',
        expect.stringMatching(
          /0 critical, 0 high, 0 medium, 0 low \(attested scan/,
        ),
      ],
    ]);
    expect(toProd.body.commit).toBe(head());
    expect(head()).not.toBe(stagingHead);
    expect(toProd.body.diff).toContain('+    newTag: v1.0.5');
  });

  it('shows each environment’s evidence from the caches, and Unsigned where prod runs what its policy refuses', async () => {
    const server = await start();
    const environments = async () =>
      (await request(server).get(`${API}/guestbook/environments`)).body
        .environments as any[];
    // The first view schedules the reads; later views answer from the cache.
    let prod: any;
    for (let i = 0; i < 50; i++) {
      prod = (await environments()).find(e => e.name === 'prod');
      if (prod.evidence?.signature.state !== 'unknown') break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    // prod runs v1.0.3: never signed here.
    expect(prod.evidence).toMatchObject({
      image: 'ghcr.io/acme/guestbook',
      signature: { state: 'unsigned' },
    });
    expect(prod.problems).toContainEqual(
      expect.objectContaining({
        type: 'Unsigned',
        message: expect.stringMatching(
          /^prod runs what its policy would refuse: v1\.0\.3 .* is not signed/,
        ),
      }),
    );
    // The fleet page's "unsigned or vulnerable in prod", from the same caches.
    const insecure = await request(server).get(
      '/api/gitops/overview?status=insecure&environment=prod',
    );
    expect(insecure.status).toBe(200);
    expect(insecure.body.counts.insecure).toBeGreaterThanOrEqual(1);
    const row = insecure.body.items.find(
      (i: any) => i.entityRef === 'component:default/guestbook',
    );
    expect(
      row.environments.find((e: any) => e.name === 'prod').supplyChain,
    ).toEqual({ signature: 'unsigned', critical: null, high: null });
    expect(prod.policy.supplyChain.requireSignature.identities[0].subject).toBe(
      'https://github\\.com/acme/guestbook/\\.github/workflows/release\\.yml@refs/heads/main',
    );
  });
});
