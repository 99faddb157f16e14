import { mockServices } from '@backstage/backend-test-utils';
import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { LocalRegistry } from '../../__testUtils__/localRegistry';
import { ChartRepositoryClient } from './ChartRepositoryClient';
import { OciRegistryClient } from './OciRegistryClient';
import { RegistryStatusService } from './RegistryStatusService';

/** An index.yaml as `helm repo index` writes it (stefanprodan.github.io/podinfo's shape). */
function indexYaml(versions: string[]) {
  const entry = (version: string) =>
    [
      '    - apiVersion: v2',
      `      appVersion: ${version}`,
      '      created: "2026-11-02T10:14:05.170836+00:00"',
      '      description: Podinfo Helm chart for Kubernetes',
      `      digest: ${'a'.repeat(64)}`,
      '      home: https://github.com/stefanprodan/podinfo',
      '      kubeVersion: ">=1.23.0-0"',
      '      maintainers:',
      '        - email: stefanprodan@users.noreply.github.com',
      '          name: stefanprodan',
      '      name: podinfo',
      '      sources:',
      '        - https://github.com/stefanprodan/podinfo',
      '      type: application',
      '      urls:',
      `        - https://stefanprodan.github.io/podinfo/podinfo-${version}.tgz`,
      `      version: ${version}`,
    ].join('\n');
  return [
    'apiVersion: v1',
    'entries:',
    '  podinfo:',
    ...versions.map(entry),
    '  redis:',
    entry('1.0.0').replace(/podinfo/g, 'redis'),
    'generated: "2026-11-02T10:14:05.170836+00:00"',
    '',
  ].join('\n');
}

/** A real HTTP server on 127.0.0.1 serving a Helm repository. */
async function helmRepository(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(String(req.url));
    handler(req, res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const VERSIONS = ['6.9.1-rc.1', '6.9.0', '6.8.0', '6.7.1', '6.7.0', '5.2.1'];

function clients(url: string, extraHosts: Array<{ host: string }> = []) {
  const hosts = [{ host: 'stefanprodan.github.io', url }, ...extraHosts];
  const logger = mockServices.logger.mock();
  const oci = new OciRegistryClient({
    hosts,
    logger,
    timeoutMs: 500,
    cacheTtlMs: 60_000,
  });
  const charts = new ChartRepositoryClient({
    hosts,
    oci,
    logger,
    timeoutMs: 500,
    cacheTtlMs: 60_000,
  });
  return { charts, status: new RegistryStatusService({ client: oci, charts }) };
}

const HELM = {
  kind: 'HelmRepository',
  url: 'https://stefanprodan.github.io/podinfo',
};

function chartState(version: string, range: boolean): DesiredState {
  return {
    layout: 'helm',
    image: null,
    tag: null,
    digest: null,
    replicas: null,
    autoscaling: null,
    resources: null,
    namespace: 'podinfo',
    workload: 'podinfo',
    source: { repo: 'r', branch: 'main', path: 'apps/prod', revision: 'x' },
    warnings: [],
    imageSource: 'chartDefaults',
    chart: {
      name: 'podinfo',
      version,
      range,
      source: { name: 'podinfo', ...HELM },
    },
  };
}

describe('ChartRepositoryClient and chart versions in the registry column', () => {
  let repo: Awaited<ReturnType<typeof helmRepository>>;
  beforeAll(async () => {
    repo = await helmRepository((req, res) => {
      if (req.url === '/podinfo/index.yaml') {
        res.writeHead(200, { 'content-type': 'text/yaml' });
        res.end(indexYaml(VERSIONS));
      } else if (req.url === '/broken/index.yaml') {
        res.writeHead(500);
        res.end('oops');
      } else if (req.url === '/hangs/index.yaml') {
        // Accepts and never answers.
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  afterAll(() => repo.close());

  it('reads the versions from index.yaml over HTTP, once within the cache time', async () => {
    const { charts } = clients(repo.url);
    const before = repo.requests.length;
    expect(await charts.versions(HELM, 'podinfo')).toEqual(VERSIONS);
    expect(await charts.versions(HELM, 'podinfo')).toEqual(VERSIONS);
    expect(repo.requests.slice(before)).toEqual(['/podinfo/index.yaml']);
  });

  it.each([
    {
      name: 'a chart the index lacks',
      url: 'https://stefanprodan.github.io/podinfo',
      chart: 'nginx',
      error:
        'Helm repository https://stefanprodan.github.io/podinfo: no chart nginx in index.yaml',
    },
    {
      name: 'a repository answering 500',
      url: 'https://stefanprodan.github.io/broken',
      chart: 'podinfo',
      error:
        'Helm repository https://stefanprodan.github.io/broken: index.yaml answered 500 Internal Server Error',
    },
    {
      name: 'a repository that never answers',
      url: 'https://stefanprodan.github.io/hangs',
      chart: 'podinfo',
      error:
        'Helm repository https://stefanprodan.github.io/hangs: no answer within 500 ms',
    },
  ])('$name: a clear error', async ({ url, chart, error }) => {
    const { charts } = clients(repo.url);
    await expect(
      charts.versions({ kind: 'HelmRepository', url }, chart),
    ).rejects.toThrow(error);
  });

  it('asks only configured hosts', () => {
    const { charts } = clients(repo.url);
    expect(charts.serves(HELM)).toBe(true);
    expect(
      charts.serves({
        kind: 'HelmRepository',
        url: 'https://charts.bitnami.com/bitnami',
      }),
    ).toBe(false);
    expect(charts.serves({ kind: 'OCIRepository', url: 'not a url' })).toBe(
      false,
    );
  });

  it.each([
    {
      name: 'a pinned version: the newer ones',
      state: chartState('6.7.1', false),
      expected: {
        current: '6.7.1',
        latest: '6.9.0',
        newer: ['6.9.0', '6.8.0'],
        tagExists: true,
      },
    },
    {
      name: 'a range: newer than its newest match, what Flux installs',
      state: chartState('>=6.0.0 <6.9.0', true),
      expected: {
        current: '6.8.0',
        latest: '6.9.0',
        newer: ['6.9.0'],
        tagExists: true,
      },
    },
    {
      name: 'a pre-release range includes pre-releases',
      state: chartState('>=6.0.0-0', true),
      expected: {
        current: '6.9.1-rc.1',
        latest: '6.9.1-rc.1',
        newer: [],
        tagExists: true,
      },
    },
    {
      name: 'a pinned version the repository does not have',
      state: chartState('6.6.6', false),
      expected: { current: '6.6.6', latest: '6.9.0', tagExists: false },
    },
  ])('registry column: $name', async ({ state, expected }) => {
    const { status } = clients(repo.url);
    expect(status.covers(state)).toBe(true);
    expect(await status.status({ desired: state })).toMatchObject({
      kind: 'chart',
      image: 'https://stefanprodan.github.io/podinfo podinfo',
      policy: expect.stringMatching(/^semver/),
      ...expected,
    });
  });

  describe('charts in an OCI registry (a real one)', () => {
    let registry: LocalRegistry;
    beforeAll(async () => {
      registry = await LocalRegistry.start();
      // Helm pushes `+` of build metadata as `_`.
      await registry.push('charts/podinfo', [
        '6.7.0',
        '6.8.0',
        '6.8.0_build.7',
      ]);
    }, 60_000);
    afterAll(() => registry?.stop());

    it.each([
      {
        kind: 'OCIRepository',
        url: () => `oci://${registry.host}/charts/podinfo`,
      },
      { kind: 'HelmRepository', url: () => `oci://${registry.host}/charts` },
    ])('$kind: the repository tags, `_` read as `+`', async ({ kind, url }) => {
      const { charts } = clients(repo.url, [{ host: registry.host }]);
      const source = { kind, url: url() };
      expect(charts.serves(source)).toBe(true);
      expect((await charts.versions(source, 'podinfo')).sort()).toEqual([
        '6.7.0',
        '6.8.0',
        '6.8.0+build.7',
      ]);
    });
  });
});
