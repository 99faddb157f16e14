import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import supertest from 'supertest';
import { createExampleGitRepo } from 'gitops-testkit';
import { FakeKubeApi } from './__testUtils__/fakeKubeApi';
import { mergeSnapshots, shiftTimes } from './__testUtils__/clusterSnapshots';
import { gitopsPlugin } from './plugin';
import { WATCHED_KINDS } from './service/live/kinds';
import { imagePullBackOff } from './service/live/__fixtures__/failureScenarios';
import {
  FIXTURE_NOW,
  healthyArgoService,
} from './service/live/__fixtures__/clusterObjects';
import {
  buildImagePolicy,
  buildImageRepository,
  buildImageUpdateAutomation,
} from './service/live/__fixtures__/imageAutomationObjects';
import {
  FINDINGS,
  RULES,
  buildPolicyReport,
  buildVulnerabilityReport,
  serviceResources,
} from './service/live/__fixtures__/securityReportObjects';

const NONPROD = 'https://127.0.0.1:6443';
const PROD = 'https://127.0.0.1:6444';

function guestbook(name = 'guestbook'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': 'guestbook',
        'argocd/app-selector': 'app.kubernetes.io/name=guestbook',
        'gitops.backstage.io/path': 'apps/guestbook',
        'gitops.backstage.io/image': 'ghcr.io/acme/guestbook',
      },
    },
    spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
  };
}

jest.setTimeout(60_000);

describe('gitops router with clusters', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
  afterEach(() => server.resetHandlers());
  // A backend left running would keep listing the next test's fake clusters (same URLs).
  const backends: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(backends.splice(0).map(b => b.stop()));
  });
  afterAll(() => server.close());

  let workDir: string;
  let origin: string;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-live-'));
    origin = createExampleGitRepo(path.join(workDir, 'origin'));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  function clusters(prodMode: 'serve' | 'hang' | 'fail' = 'serve') {
    const shift = Date.now() - Date.parse(FIXTURE_NOW);
    const nonprod = new FakeKubeApi(NONPROD);
    nonprod.load(
      shiftTimes(
        mergeSnapshots(
          healthyArgoService({
            service: 'guestbook',
            env: 'dev',
            tag: 'v1.0.5',
            replicas: 1,
          }),
          healthyArgoService({
            service: 'guestbook',
            env: 'staging',
            tag: 'v1.0.4',
            replicas: 2,
          }),
        ),
        shift,
      ),
    );
    const prod = new FakeKubeApi(PROD, prodMode);
    // prod runs v1.0.2 while Git says v1.0.3: drift.
    prod.load(
      shiftTimes(
        healthyArgoService({
          service: 'guestbook',
          env: 'prod',
          tag: 'v1.0.2',
          replicas: 3,
          hpa: { min: 3, max: 10, current: 3, cpu: 70 },
        }),
        shift,
      ),
    );
    server.use(...nonprod.handlers(), ...prod.handlers());
    return { nonprod, prod };
  }

  async function startBackend(
    entities: Entity[],
    options: {
      prodUrl?: string;
      registries?: object[];
      environments?: object[];
    } = {},
  ) {
    const testBackend = await startTestBackend({
      features: [
        gitopsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              repositories: [{ url: origin }],
              git: { cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')) },
              clusters: [
                {
                  name: 'nonprod',
                  url: NONPROD,
                  serviceAccountToken: 'nonprod-secret',
                  skipTLSVerify: true,
                },
                {
                  name: 'prod',
                  url: options.prodUrl ?? PROD,
                  serviceAccountToken: 'prod-secret',
                  skipTLSVerify: true,
                },
              ],
              environments: options.environments ?? [
                { name: 'dev', cluster: 'nonprod', autoSync: true },
                { name: 'staging', cluster: 'nonprod', autoSync: true },
                { name: 'prod', cluster: 'prod' },
              ],
              timeouts: { clusterSeconds: 1, registrySeconds: 1 },
              registries: options.registries ?? [],
            },
          },
        }),
      ],
    });
    backends.push(testBackend);
    return testBackend.server;
  }

  it('joins Git and cluster state per environment in the contract shape', async () => {
    clusters();
    const backend = await startBackend([guestbook()]);
    const res = await supertest(backend).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(200);
    const [dev, , prod] = res.body.environments;
    expect(dev).toMatchObject({
      error: null,
      desired: { tag: 'v1.0.5' },
      live: {
        cluster: 'nonprod',
        namespace: 'guestbook-dev',
        images: ['ghcr.io/acme/guestbook:v1.0.5'],
        replicas: { desired: 1, ready: 1 },
        rollout: { status: 'Complete' },
        pods: { total: 1, ready: 1 },
      },
      sync: {
        engine: 'argocd',
        status: 'Synced',
        health: 'Healthy',
        object: 'Application argocd/guestbook-dev',
      },
      drift: [],
      problems: [],
    });
    expect(prod).toMatchObject({
      error: null,
      live: {
        cluster: 'prod',
        autoscaling: { minReplicas: 3, maxReplicas: 10, currentReplicas: 3 },
      },
      drift: [
        {
          field: 'image',
          desired: 'ghcr.io/acme/guestbook:v1.0.3',
          live: 'ghcr.io/acme/guestbook:v1.0.2',
        },
      ],
      problems: [{ type: 'Drift', severity: 'warning' }],
    });
  });

  it('answers the image automation per environment: Flux in dev and staging, a conflict with auto-promotion, not installed where the CRDs are absent', async () => {
    const { nonprod, prod } = clusters();
    const shift = Date.now() - Date.parse(FIXTURE_NOW);
    const automation = (
      env: string,
      failure?: { reason: string; message: string },
    ) =>
      buildImageUpdateAutomation({
        name: `guestbook-${env}`,
        path: `./apps/guestbook/overlays/${env}`,
        pushedMinutesAgo: 3,
        failure,
      });
    nonprod.load(
      shiftTimes(
        {
          imagerepositories: [
            buildImageRepository({ service: 'guestbook', tags: ['v1.0.5'] }),
          ],
          imagepolicies: ['dev', 'staging'].map(env =>
            buildImagePolicy({
              service: 'guestbook',
              env,
              range: '^1.x',
              latest: 'v1.0.5',
            }),
          ),
          imageupdateautomations: [
            automation('dev'),
            automation('staging', {
              reason: 'GitOperationFailed',
              message: 'failed to push to remote: authentication required',
            }),
          ],
        },
        shift,
      ),
    );
    nonprod.mode('imageupdaters', 'absent');
    for (const kind of [
      'imagerepositories',
      'imagepolicies',
      'imageupdateautomations',
      'imageupdaters',
    ] as const) {
      prod.mode(kind, 'absent');
    }
    const backend = await startBackend([guestbook()], {
      environments: [
        {
          name: 'dev',
          cluster: 'nonprod',
          autoSync: true,
          verification: {
            checks: [
              { name: 'health', kind: 'http', url: 'http://127.0.0.1:1/' },
            ],
          },
        },
        {
          name: 'staging',
          cluster: 'nonprod',
          autoSync: true,
          policy: { autoPromotion: { from: 'dev' } },
        },
        { name: 'prod', cluster: 'prod' },
      ],
    });
    const res = await supertest(backend).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(200);
    const [dev, staging, prod_] = res.body.environments;
    expect(dev.automation).toEqual([
      expect.objectContaining({
        engine: 'flux-image-automation',
        policy: '^1.x',
        lastUpdateAt: expect.any(String),
        error: null,
        latestImage: 'ghcr.io/acme/guestbook:v1.0.5',
        conflict: null,
      }),
    ]);
    expect(dev.automationEngines).toEqual({
      'flux-image-automation': 'installed',
      'argocd-image-updater': 'not installed',
    });
    // Beside the portal's own entry (the policy's part of the answer).
    expect(staging.automation).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          engine: 'flux-image-automation',
          error:
            'ImageUpdateAutomation flux-system/guestbook-staging: GitOperationFailed: failed to push to remote: authentication required',
          conflict:
            "Flux image automation and the portal's auto-promotion from dev both write staging's image",
        }),
      ]),
    );
    expect(staging.problems).toEqual([
      expect.objectContaining({
        type: 'AutomationFailed',
        object: 'ImageUpdateAutomation flux-system/guestbook-staging',
      }),
    ]);
    // Not installed is no error, no warning: prod answers as before.
    expect(prod_).toMatchObject({ error: null, automation: [] });
    expect(prod_.automationEngines).toEqual({
      'flux-image-automation': 'not installed',
      'argocd-image-updater': 'not installed',
    });
    expect(prod_.warnings).toEqual([]);
  });

  it("shows each environment's Trivy and Kyverno reports in live.security, with Vulnerable and PolicyViolation; not installed where the CRDs are absent", async () => {
    const { nonprod, prod } = clusters();
    const shift = Date.now() - Date.parse(FIXTURE_NOW);
    const [devPod] = nonprod
      .list('pods')
      .filter(p => p.metadata?.namespace === 'guestbook-dev');
    const dev = serviceResources({
      service: 'guestbook',
      env: 'dev',
      tag: 'v1.0.5',
      pod: devPod.metadata!.name,
    });
    const staging = serviceResources({
      service: 'guestbook',
      env: 'staging',
      tag: 'v1.0.4',
      pod: 'unused',
    });
    const image = 'ghcr.io/acme/guestbook:v1.0.5';
    nonprod.load(
      shiftTimes(
        {
          vulnerabilityreports: [
            buildVulnerabilityReport({
              service: 'guestbook',
              env: 'dev',
              tag: 'v1.0.5',
              findings: [FINDINGS.xNetContinuation],
            }),
            buildVulnerabilityReport({
              service: 'guestbook',
              env: 'staging',
              tag: 'v1.0.4',
              findings: [FINDINGS.xCryptoSsh, FINDINGS.libssl],
            }),
          ],
          policyreports: [
            buildPolicyReport({
              resource: dev.deployment,
              results: [
                RULES.runAsNonRoot('controller', 'pass'),
                RULES.latestTag('controller', 'pass'),
                RULES.verifySignature('controller', image, 'pass'),
              ],
            }),
            buildPolicyReport({
              resource: dev.pod,
              results: [RULES.verifySignature('Pod', image, 'fail')],
            }),
            buildPolicyReport({
              resource: staging.deployment,
              results: [RULES.runAsNonRoot('controller', 'pass')],
            }),
          ],
        },
        shift,
      ),
    );
    prod.mode('vulnerabilityreports', 'absent');
    prod.mode('policyreports', 'absent');
    // staging allows no critical finding: its report's critical CVE is a problem there.
    const backend = await startBackend([guestbook()], {
      environments: [
        { name: 'dev', cluster: 'nonprod', autoSync: true },
        {
          name: 'staging',
          cluster: 'nonprod',
          autoSync: true,
          policy: { supplyChain: { maxVulnerabilities: { critical: 0 } } },
        },
        { name: 'prod', cluster: 'prod' },
      ],
    });
    const res = await supertest(backend).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(200);
    const [devEnv, stagingEnv, prodEnv] = res.body.environments;
    expect(devEnv.live.security).toEqual({
      vulnerabilities: {
        critical: 0,
        high: 1,
        medium: 0,
        low: 0,
        unknown: 0,
        source: 'VulnerabilityReport',
        scanner: 'Trivy 0.58.1',
        scannedAt: expect.any(String),
        top: [
          {
            id: 'CVE-2023-45288',
            package: 'golang.org/x/net',
            severity: 'HIGH',
            installedVersion: 'v0.17.0',
            fixedVersion: '0.23.0',
          },
        ],
        object: `VulnerabilityReport guestbook-dev/replicaset-${dev.replicaSet.name}-guestbook`,
      },
      policies: {
        passed: 2,
        failed: 1,
        warned: 0,
        source: 'PolicyReport',
        failures: [
          {
            policy: 'verify-image-signature',
            rule: 'verify-signature',
            message: `failed to verify image ${image}: .attestors[0].entries[0].keyless: no matching signatures`,
            resource: `Pod guestbook-dev/${devPod.metadata!.name}`,
          },
        ],
      },
      installed: {
        'trivy-operator': 'installed',
        'policy-reports': 'installed',
      },
    });
    // The reports are evidence too, without gitops.supplyChain: signatures are not read then.
    expect(devEnv.evidence).toMatchObject({
      image: 'ghcr.io/acme/guestbook',
      signature: {
        state: 'unknown',
        reason:
          'signatures are not checked (gitops.supplyChain is not configured)',
      },
      vulnerabilities: { high: 1, source: 'VulnerabilityReport' },
      policies: { passed: 2, failed: 1 },
    });
    expect(devEnv.problems).toEqual([
      expect.objectContaining({
        type: 'PolicyViolation',
        severity: 'error',
        hint: expect.stringContaining('policy verify-image-signature'),
      }),
    ]);
    expect(stagingEnv.live.security.vulnerabilities).toMatchObject({
      critical: 1,
      low: 1,
    });
    expect(stagingEnv.problems).toEqual([
      expect.objectContaining({
        type: 'Vulnerable',
        severity: 'warning',
        message:
          '1 critical vulnerability (Trivy 0.58.1; at most 0 allowed): CVE-2024-45337 in golang.org/x/crypto v0.21.0, fixed in 0.31.0',
        hint: 'Rebuild with golang.org/x/crypto ≥ 0.31.0, or promote a fixed version.',
      }),
    ]);
    // Absent CRDs: not installed, no error, no warning.
    expect(prodEnv.live.security).toEqual({
      vulnerabilities: null,
      policies: null,
      installed: {
        'trivy-operator': 'not installed',
        'policy-reports': 'not installed',
      },
    });
    expect(prodEnv.warnings).toEqual([]);
    expect(prodEnv.error).toBeNull();
  });

  it.each([
    ['hangs', 'hang' as const, undefined],
    ['refuses connections', 'serve' as const, 'https://127.0.0.1:1'],
  ])(
    'answers within the time-out when the prod cluster %s, with the other environments intact',
    async (_name, mode, prodUrl) => {
      clusters(mode);
      const backend = await startBackend([guestbook()], { prodUrl });
      const started = Date.now();
      const res = await supertest(backend).get(
        '/api/gitops/entities/default/component/guestbook/environments',
      );
      expect(Date.now() - started).toBeLessThan(2500);
      expect(res.status).toBe(200);
      const [dev, staging, prod] = res.body.environments;
      expect(dev).toMatchObject({
        error: null,
        live: { images: ['ghcr.io/acme/guestbook:v1.0.5'] },
      });
      expect(staging).toMatchObject({
        error: null,
        live: { images: ['ghcr.io/acme/guestbook:v1.0.4'] },
      });
      expect(prod).toMatchObject({
        desired: { tag: 'v1.0.3' },
        live: null,
        error: expect.stringMatching(/cluster prod/),
      });
      expect(prod.error).not.toContain('prod-secret');

      const health = await supertest(backend).get('/api/gitops/health');
      expect(health.body.status).toBe('degraded');
      expect(health.body.clusters.map((c: any) => [c.name, c.ready])).toEqual([
        ['nonprod', true],
        ['prod', false],
      ]);
      expect(JSON.stringify(health.body)).not.toMatch(/secret/);
      const anonymous = await supertest(backend)
        .get('/api/gitops/health')
        .set('authorization', 'Bearer mock-none-token');
      expect(anonymous.body).toEqual({ status: 'degraded' });
    },
  );

  it('costs no list call once warm: 100 overview reads of 50 entities, and a watch event shows on the next read', async () => {
    const { nonprod, prod } = clusters();
    const entities = Array.from({ length: 50 }, (_, i) =>
      guestbook(`guestbook-${i}`),
    );
    const backend = await startBackend(entities);
    const warm = await supertest(backend).get('/api/gitops/overview');
    expect(warm.status).toBe(200);
    expect(warm.body.items).toHaveLength(50);
    expect(warm.body.items[0].environments).toEqual([
      {
        name: 'dev',
        tag: 'v1.0.5',
        digest: null,
        chartVersion: null,
        sync: 'Synced',
        health: 'Healthy',
        problems: 0,
        error: null,
        stale: false,
      },
      {
        name: 'staging',
        tag: 'v1.0.4',
        digest: null,
        chartVersion: null,
        sync: 'Synced',
        health: 'Healthy',
        problems: 0,
        error: null,
        stale: false,
      },
      {
        name: 'prod',
        tag: 'v1.0.3',
        digest: null,
        chartVersion: null,
        sync: 'Synced',
        health: 'Healthy',
        problems: 1,
        error: null,
        stale: false,
      },
    ]);
    const lists = nonprod.totalLists() + prod.totalLists();
    // Every watched kind × 2 clusters, once each.
    expect(lists).toBe(Object.keys(WATCHED_KINDS).length * 2);

    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      const res = await supertest(backend).get('/api/gitops/overview');
      expect(res.body.items).toHaveLength(50);
    }
    const perRead = (Date.now() - started) / 100;
    // Printed for the record: the cost of a warm fleet view.
    process.stdout.write(
      `overview of 50 entities × 3 environments: ${perRead.toFixed(
        1,
      )} ms per read\n`,
    );
    expect(nonprod.totalLists() + prod.totalLists()).toBe(lists);
    expect(perRead).toBeLessThan(500);

    const [deployment] = prod.list('deployments');
    deployment.spec.template.spec.containers[0].image =
      'ghcr.io/acme/guestbook:v1.0.3';
    prod.emit('deployments', 'MODIFIED', deployment);
    // The event arrives over the open watch; poll the page until it shows.
    let prodEnv: any;
    for (let i = 0; i < 50; i++) {
      const res = await supertest(backend).get(
        '/api/gitops/entities/default/component/guestbook-7/environments',
      );
      prodEnv = res.body.environments[2];
      if (prodEnv.live.images[0].endsWith('v1.0.3')) break;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(prodEnv.live.images).toEqual(['ghcr.io/acme/guestbook:v1.0.3']);
    expect(prodEnv.drift).toEqual([]);
    expect(nonprod.totalLists() + prod.totalLists()).toBe(lists);
  });

  it('filters the overview by owner, system, text, environment and status', async () => {
    clusters();
    const backend = await startBackend([
      guestbook(),
      {
        ...guestbook('other'),
        metadata: { ...guestbook('other').metadata, title: 'Other Shop' },
        spec: {
          type: 'service',
          owner: 'team-b',
          lifecycle: 'production',
          system: 'shop',
        },
      },
    ]);
    const ask = async (query: string) =>
      (
        await supertest(backend).get(`/api/gitops/overview${query}`)
      ).body.items.map((i: any) => [
        i.entityRef,
        i.environments.map((e: any) => e.name),
      ]);
    expect(await ask('?owner=team-b')).toEqual([
      ['component:default/other', ['dev', 'staging', 'prod']],
    ]);
    expect(await ask('?owner=group:default/guests&environment=prod')).toEqual([
      ['component:default/guestbook', ['prod']],
    ]);
    // Text in the name, title or ref; the system by name or ref.
    expect(await ask('?q=GUESTB')).toEqual([
      ['component:default/guestbook', ['dev', 'staging', 'prod']],
    ]);
    expect(await ask('?q=other%20shop')).toEqual([
      ['component:default/other', ['dev', 'staging', 'prod']],
    ]);
    expect(await ask('?system=system:default/shop')).toEqual([
      ['component:default/other', ['dev', 'staging', 'prod']],
    ]);
    expect(await ask('?q=nothing-like-this')).toEqual([]);
    expect(await ask('?status=problems')).toEqual(
      [
        ['component:default/guestbook', ['prod']],
        ['component:default/other', ['prod']],
      ].map(([ref]) => [ref, ['dev', 'staging', 'prod']]),
    );
  });

  it('fills registry with newer tags and says an ImagePullBackOff is a missing tag', async () => {
    const { prod } = clusters();
    // prod rolls out v1.0.3 (what Git says), which was never pushed.
    prod.load(
      shiftTimes(
        imagePullBackOff({ tag: 'v1.0.2', newTag: 'v1.0.3' }),
        Date.now() - Date.parse(FIXTURE_NOW),
      ),
    );
    const tags = ['v1.0.2', 'v1.0.4', 'v1.0.5', 'v1.0.6', 'latest'];
    const challenge =
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/guestbook:pull"';
    const authorized = (request: Request) =>
      request.headers.get('authorization') === 'Bearer t';
    server.use(
      http.get('https://ghcr.io/token', () =>
        HttpResponse.json({ token: 't' }),
      ),
      http.get('https://ghcr.io/v2/acme/guestbook/tags/list', ({ request }) =>
        authorized(request)
          ? HttpResponse.json({ tags })
          : new HttpResponse(null, {
              status: 401,
              headers: { 'www-authenticate': challenge },
            }),
      ),
      http.get(
        'https://ghcr.io/v2/acme/guestbook/manifests/:tag',
        ({ request, params }) => {
          if (!authorized(request))
            return new HttpResponse(null, {
              status: 401,
              headers: { 'www-authenticate': challenge },
            });
          return tags.includes(String(params.tag))
            ? new HttpResponse(null, {
                headers: {
                  'docker-content-digest': `sha256:${'b'.repeat(64)}`,
                },
              })
            : new HttpResponse(null, { status: 404 });
        },
      ),
    );
    const backend = await startBackend([guestbook()], {
      registries: [{ host: 'ghcr.io' }],
    });
    const res = await supertest(backend).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(200);
    const [dev, , prod_] = res.body.environments;
    expect(dev.registry).toEqual({
      image: 'ghcr.io/acme/guestbook',
      policy: 'semver',
      latest: 'v1.0.6',
      newer: ['v1.0.6'],
      digest: `sha256:${'b'.repeat(64)}`,
      tagExists: true,
    });
    expect(prod_.registry).toMatchObject({
      latest: 'v1.0.6',
      newer: ['v1.0.6', 'v1.0.5', 'v1.0.4'],
      tagExists: false,
    });
    const pull = prod_.problems.find((p: any) => p.type === 'ImagePullBackOff');
    expect(pull.message).toMatch(
      /tag v1\.0\.3 does not exist in ghcr\.io\/acme\/guestbook$/,
    );
  });

  it('answers with a partial page when the registry hangs', async () => {
    clusters();
    server.use(
      http.get(
        'https://ghcr.io/v2/acme/guestbook/tags/list',
        async ({ request }) => {
          await new Promise(resolve =>
            request.signal.addEventListener('abort', resolve),
          );
          return HttpResponse.json({ tags: [] });
        },
      ),
      http.get(
        'https://ghcr.io/v2/acme/guestbook/manifests/:tag',
        async ({ request }) => {
          await new Promise(resolve =>
            request.signal.addEventListener('abort', resolve),
          );
          return new HttpResponse(null, { status: 404 });
        },
      ),
    );
    const backend = await startBackend([guestbook()], {
      registries: [{ host: 'ghcr.io' }],
    });
    const started = Date.now();
    const res = await supertest(backend).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(200);
    for (const env of res.body.environments) {
      expect(env.desired.tag).toMatch(/^v1\.0\.\d$/);
      expect(env.live.workload).toBe('guestbook');
      expect(env.registry).toBeNull();
      expect(env.error).toBe(
        'ghcr.io/acme/guestbook: registry did not answer within 1000 ms',
      );
    }
  });
});
