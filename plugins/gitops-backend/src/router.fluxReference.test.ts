import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { fluxFleetRepoFolder, gitIn } from 'gitops-testkit';
import { FakeKubeApi } from './__testUtils__/fakeKubeApi';
import {
  changedLines,
  component,
  createRemoteFromFolder,
  expectChangedYamlParses,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';
import { KubeObject } from './service/live/kinds';

jest.setTimeout(60_000);

const API = '/api/gitops/entities/default/component/flux-podinfo';
const ENVS = ['dev', 'staging', 'prod'] as const;
const clusterUrl = (env: string) =>
  `https://127.0.0.1:${6441 + ENVS.indexOf(env as any)}`;

/**
 * The HelmRelease as helm-controller reports it after installing `chartVersion` (written from
 * the helm.toolkit.fluxcd.io/v2 API: history entries, lastAttemptedRevision, conditions).
 */
function helmRelease(
  env: string,
  spec: object,
  chartVersion: string,
): KubeObject {
  const at = '2026-11-27T10:00:00Z';
  const message = `Helm upgrade succeeded for release apps-${env}/podinfo.v3 with chart podinfo@${chartVersion}`;
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: {
      name: 'podinfo',
      namespace: `apps-${env}`,
      uid: `0b6c1a52-${env}-4d0e-9a51-5f0c2c7e9a11`,
      resourceVersion: '48213',
      generation: 3,
      creationTimestamp: '2026-10-01T08:00:00Z',
      labels: {
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      },
      finalizers: ['finalizers.fluxcd.io'],
    },
    spec,
    status: {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 3,
          lastTransitionTime: at,
          reason: 'UpgradeSucceeded',
          message,
        },
        {
          type: 'Released',
          status: 'True',
          observedGeneration: 3,
          lastTransitionTime: at,
          reason: 'UpgradeSucceeded',
          message,
        },
      ],
      helmChart: `apps-${env}/apps-${env}-podinfo`,
      history: [
        {
          appVersion: chartVersion,
          chartName: 'podinfo',
          chartVersion,
          configDigest: `sha256:${'c'.repeat(64)}`,
          digest: `sha256:${'d'.repeat(64)}`,
          firstDeployed: '2026-10-01T08:01:00Z',
          lastDeployed: at,
          name: 'podinfo',
          namespace: `apps-${env}`,
          status: 'deployed',
          version: 3,
        },
      ],
      lastAttemptedConfigDigest: `sha256:${'c'.repeat(64)}`,
      lastAttemptedGeneration: 3,
      lastAttemptedReleaseAction: 'upgrade',
      lastAttemptedRevision: chartVersion,
      storageNamespace: `apps-${env}`,
    },
  };
}

describe('the Flux reference layout (examples/flux-fleet-repo) through the REST API', () => {
  const msw = setupServer();
  beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
  afterEach(() => msw.resetHandlers());
  afterAll(() => msw.close());

  let workDir: string;
  let remote: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ workDir, remote, cleanup } = createRemoteFromFolder(
      fluxFleetRepoFolder,
      'gitops-flux-reference-',
    ));
  });
  afterEach(() => cleanup());

  /** One cluster per environment; each installed the chart version given. */
  function clusters(installed: Record<string, string>) {
    for (const env of ENVS) {
      const api = new FakeKubeApi(clusterUrl(env));
      const spec = {
        interval: '50m',
        releaseName: 'podinfo',
        chart: {
          spec: {
            chart: 'podinfo',
            version: { dev: '>=6.0.0-0', staging: '>=6.0.0', prod: '6.7.0' }[
              env
            ],
            sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
          },
        },
      };
      api.set('helmreleases', [helmRelease(env, spec, installed[env])]);
      msw.use(...api.handlers());
    }
  }

  const start = (layout: object, gitops: object = {}) =>
    startPromotionBackend({
      remote,
      workDir,
      entities: [
        component('flux-podinfo', {
          'gitops.backstage.io/path': 'apps/base/podinfo',
          'gitops.backstage.io/repo': 'flux-fleet',
        }),
      ],
      environments: ENVS.map(name => ({ name, cluster: name })),
      gitops: {
        repositories: [
          { name: 'flux-fleet', url: remote, provider: 'git', layout },
        ],
        clusters: ENVS.map(name => ({
          name,
          url: clusterUrl(name),
          serviceAccountToken: 'secret',
          skipTLSVerify: true,
        })),
        timeouts: { clusterSeconds: 5 },
        ...gitops,
      },
    });

  /** A promotion on the overlay route with the clusters' usual installs; the head before it. */
  async function promote(from: string, to: string) {
    clusters({ dev: '6.9.1-rc.1', staging: '6.9.0', prod: '6.7.0' });
    const server = await start({ overlayPath: 'apps/{env}' });
    const head = gitIn(remote, 'rev-parse', 'main');
    const res = await request(server)
      .post(`${API}/promotions`)
      .send({ from, to });
    return { res, head };
  }

  it.each([
    { route: 'overlay route', layout: { overlayPath: 'apps/{env}' } },
    {
      route: 'definition route, staging through its ArtifactGenerator',
      layout: { definitionPath: 'clusters/{env}/apps.yaml' },
    },
  ])(
    '$route: every environment reads its chart, range and installed version',
    async ({ layout }) => {
      clusters({ dev: '6.9.1-rc.1', staging: '6.9.0', prod: '6.7.0' });
      const server = await start(layout);
      const res = await request(server).get(`${API}/environments`);
      expect(res.status).toBe(200);
      expect(
        res.body.environments.map((e: any) => ({
          name: e.name,
          error: e.error,
          unsupported: e.unsupported,
          chart: `${e.desired.chart.name} ${e.desired.chart.version}${
            e.desired.chart.range ? ' (range)' : ''
          }`,
          installed: e.sync?.chartVersion,
          image: e.desired.imageSource,
          tag: e.desired.tag,
          chartVersionAt: `${e.desired.origins.chartVersion.file}:${e.desired.origins.chartVersion.line}`,
        })),
      ).toEqual([
        {
          name: 'dev',
          error: null,
          unsupported: null,
          chart: 'podinfo >=6.0.0-0 (range)',
          installed: '6.9.1-rc.1',
          image: 'git',
          tag: '6.7.1',
          chartVersionAt: 'apps/dev/podinfo-values.yaml:10',
        },
        {
          name: 'staging',
          error: null,
          unsupported: null,
          chart: 'podinfo >=6.0.0 (range)',
          installed: '6.9.0',
          image: 'chartDefaults',
          tag: null,
          chartVersionAt: 'apps/staging/podinfo-values.yaml:9',
        },
        {
          name: 'prod',
          error: null,
          unsupported: null,
          chart: 'podinfo 6.7.0',
          installed: '6.7.0',
          image: 'chartDefaults',
          tag: null,
          chartVersionAt: 'apps/prod/podinfo-values.yaml:10',
        },
      ]);
      // The fleet overview shows the chart where it is the version: what the cluster runs.
      const overview = await request(server).get('/api/gitops/overview');
      expect(
        overview.body.items[0].environments.map((e: any) => [
          e.name,
          e.tag,
          e.chartVersion,
        ]),
      ).toEqual([
        ['dev', '6.7.1', null],
        ['staging', null, '6.9.0'],
        ['prod', null, '6.7.0'],
      ]);
    },
  );

  it('promotes staging → prod: the chart version staging installed from its range, pinned in prod’s patch', async () => {
    const { res, head: base } = await promote('staging', 'prod');
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 201,
      error: undefined,
    });
    expect(res.body).toMatchObject({
      status: 'Committed',
      version: { tag: null, digest: null, chartVersion: '6.9.0' },
      previousVersion: { tag: null, digest: null, chartVersion: '6.7.0' },
    });
    expect(res.body.diff).toBe(
      [
        '--- a/apps/prod/podinfo-values.yaml',
        '+++ b/apps/prod/podinfo-values.yaml',
        '@@ -7,7 +7,7 @@',
        '   chart:',
        '     spec:',
        '       # Production runs one exact chart version; promotions change this line.',
        '-      version: "6.7.0"',
        '+      version: "6.9.0"',
        '   values:',
        '     replicaCount: 2',
        '     ingress:',
        '',
      ].join('\n'),
    );
    expect(changedLines(gitIn(remote, 'diff', base, 'main'))).toEqual([
      '-      version: "6.7.0"',
      '+      version: "6.9.0"',
    ]);
    expect(gitIn(remote, 'log', '-1', '--format=%s', 'main')).toBe(
      'promote(prod): flux-podinfo chart 6.7.0 → chart 6.9.0 (from staging)',
    );
    expectChangedYamlParses(remote, base, 'main');
  });

  it('an image dev pins cannot go where the chart default decides: a 400 naming it, nothing written', async () => {
    const { res, head } = await promote('dev', 'staging');
    expect({ status: res.status, message: res.body.error?.message }).toEqual({
      status: 400,
      message:
        'staging: no file in Git sets the image tag of this environment; set it once by hand, then promotions can change it',
    });
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(head);
  });

  it('into a range: nothing to pin, and it says the range is kept', async () => {
    // dev without its own image: its version is the chart it installed from its range.
    const clone = `${workDir}/edit`;
    gitIn(workDir, 'clone', '--quiet', remote, clone);
    const file = `${clone}/apps/dev/podinfo-values.yaml`;
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(/ {4}# dev pins.*\n {4}image:\n.*\n.*\n/, ''),
    );
    gitIn(clone, 'commit', '--quiet', '-am', 'dev takes the chart image');
    gitIn(clone, 'push', '--quiet', 'origin', 'main');
    const { res, head } = await promote('dev', 'staging');
    expect(res.body).toMatchObject({
      status: 'NoChange',
      version: { chartVersion: '6.9.1-rc.1' },
      message: 'staging already declares this in Git: nothing to commit',
    });
    expect(res.body.gates).toContainEqual({
      state: 'pass',
      retryAt: null,
      evidence: null,
      name: 'chartVersion',
      passed: true,
      message:
        'staging takes chart podinfo >=6.0.0, a range: the engine installs the newest match, and the range is kept',
    });
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(head);
  });

  it('asks the HelmRepository for newer chart versions when its host is configured', async () => {
    // stefanprodan.github.io cannot be reached from tests: a local server plays it.
    const server = http.createServer((req, res) => {
      res.writeHead(req.url === '/podinfo/index.yaml' ? 200 : 404);
      res.end(
        [
          'apiVersion: v1',
          'entries:',
          '  podinfo:',
          ...['6.9.0', '6.8.0', '6.7.0'].flatMap(v => [
            '    - apiVersion: v2',
            `      appVersion: ${v}`,
            '      name: podinfo',
            `      urls: [https://stefanprodan.github.io/podinfo/podinfo-${v}.tgz]`,
            `      version: ${v}`,
          ]),
          'generated: "2026-11-02T10:14:05Z"',
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      clusters({ dev: '6.9.1-rc.1', staging: '6.9.0', prod: '6.7.0' });
      const backend = await start(
        { overlayPath: 'apps/{env}' },
        {
          registries: [
            { host: 'stefanprodan.github.io', url: `http://127.0.0.1:${port}` },
          ],
        },
      );
      const res = await request(backend).get(`${API}/environments`);
      const prod = res.body.environments.find((e: any) => e.name === 'prod');
      expect(prod.registry).toMatchObject({
        kind: 'chart',
        image: 'https://stefanprodan.github.io/podinfo podinfo',
        current: '6.7.0',
        latest: '6.9.0',
        newer: ['6.9.0', '6.8.0'],
      });
      expect(prod.error).toBeNull();
    } finally {
      server.close();
    }
  });
});
