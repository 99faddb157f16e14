import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  GitProvider,
  gitopsGitProvidersExtensionPoint,
} from '@gitops-backstage/plugin-gitops-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createExampleGitRepo, gitIn } from 'gitops-testkit';
import { gitopsPlugin } from './plugin';

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
  };
}

const entities = [
  component('guestbook', {
    'backstage.io/kubernetes-id': 'guestbook',
    'gitops.backstage.io/path': 'apps/guestbook',
    'gitops.backstage.io/image': 'ghcr.io/acme/guestbook',
  }),
  component('demo-flask-app', {
    'gitops.backstage.io/path': 'apps/demo-flask-app',
  }),
  component('sample-app', {
    'gitops.backstage.io/path': 'sample-app/apps',
    'gitops.backstage.io/image': 'ghcr.io/acme/sample-app',
  }),
  component('legacy-website', {}),
  component('elsewhere', {
    'gitops.backstage.io/path': 'apps/x',
    'gitops.backstage.io/repo': 'https://evil.example.com/x.git',
  }),
  component('broken-remote', {
    'gitops.backstage.io/path': 'apps/guestbook',
    'gitops.backstage.io/repo': 'unreachable',
  }),
];

describe('gitops router', () => {
  let workDir: string;
  let origin: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-router-'));
    origin = createExampleGitRepo(path.join(workDir, 'origin'));
  });
  // The test backends stop after this file's afterAll: a Git fetch of theirs may still be
  // writing in the folder, which rmSync then retries (ENOTEMPTY) instead of failing the suite.
  afterAll(() =>
    fs.rmSync(workDir, {
      recursive: true,
      force: true,
      maxRetries: 10,
      retryDelay: 200,
    }),
  );

  /** Starts the plugin with the example repository, or with `gitops` config of a test. */
  async function startBackend(
    options: { gitops?: object; features?: any[]; catalog?: any } = {},
  ) {
    const { server } = await startTestBackend({
      features: [
        gitopsPlugin,
        options.catalog ?? catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            gitops: options.gitops ?? {
              repositories: [
                { name: 'example', url: origin, provider: 'git' },
                {
                  name: 'unreachable',
                  url: path.join(workDir, 'does-not-exist'),
                  provider: 'git',
                },
              ],
              environments: [
                { name: 'dev' },
                { name: 'staging' },
                { name: 'prod' },
              ],
              git: {
                cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')),
                fetchIntervalSeconds: 0,
              },
            },
          },
        }),
        ...(options.features ?? []),
      ],
    });
    return server;
  }

  it('answers the health check without credentials, with the status only', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/gitops/health')
      .set('authorization', 'Bearer mock-none-token');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const signedIn = await request(server).get('/api/gitops/health');
    expect(signedIn.body).toEqual({
      status: 'ok',
      clusters: [],
      repositories: [],
      database: { ready: true, error: null },
    });
  });

  it('returns the desired state of every environment of each example service', async () => {
    const server = await startBackend();
    const head = gitIn(origin, 'rev-parse', 'main');
    const summary = async (name: string) => {
      const res = await request(server).get(
        `/api/gitops/entities/default/component/${name}/environments`,
      );
      expect(res.status).toBe(200);
      expect(res.body.entityRef).toBe(`component:default/${name}`);
      // Where the view's time went, part by part (the permission request within `entity`).
      expect(res.headers['server-timing']).toMatch(
        /permission;dur=\d+\.\d.*entity;dur=\d+\.\d, state;dur=\d+\.\d, decorate;dur=\d+\.\d$/,
      );
      return res.body.environments.map((env: any) => {
        expect(env).toMatchObject({
          live: null,
          sync: null,
          registry: null,
          error: null,
        });
        expect(env.desired.source.revision).toBe(head);
        const { tag, digest, replicas, autoscaling } = env.desired;
        return [
          env.name,
          tag,
          digest,
          replicas,
          autoscaling?.maxReplicas ?? null,
        ];
      });
    };
    expect(await summary('guestbook')).toEqual([
      ['dev', 'v1.0.5', null, 1, null],
      ['staging', 'v1.0.4', null, 2, null],
      ['prod', 'v1.0.3', null, 3, 10],
    ]);
    expect(await summary('demo-flask-app')).toEqual([
      ['dev', '9f8e7d6-42', null, 1, null],
      ['staging', '5c4b3a2-40', null, 2, null],
      ['prod', '0a1b2c3-38', null, null, 6],
    ]);
    expect(await summary('sample-app')).toEqual([
      ['dev', '1.4.2', null, 1, null],
      ['staging', '1.4.1', null, 2, null],
      [
        'prod',
        null,
        'sha256:4b1e2f0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
        3,
        null,
      ],
    ]);
  });

  it.each([
    [
      'an unknown entity',
      'component/nope/environments',
      404,
      'Entity component:default/nope not found',
    ],
    [
      'an entity without the annotations',
      'component/legacy-website/environments',
      404,
      'Entity component:default/legacy-website is not GitOps-managed: it has no gitops.backstage.io/path annotation',
    ],
    [
      'a repository that is not configured',
      'component/elsewhere/environments',
      404,
      'Entity component:default/elsewhere names GitOps repository "https://evil.example.com/x.git" (gitops.backstage.io/repo), which is not in gitops.repositories',
    ],
    [
      'history without an environment',
      'component/guestbook/history',
      400,
      'query parameter "environment" is required',
    ],
    [
      'history of an unknown environment',
      'component/guestbook/history?environment=qa',
      404,
      'Unknown environment "qa"; configured: dev, staging, prod',
    ],
  ])('answers %s with a clear error', async (_name, url, status, message) => {
    const server = await startBackend();
    const res = await request(server).get(
      `/api/gitops/entities/default/${url}`,
    );
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
  });

  it('lists the commits that changed the version or scaling of an environment, newest first', async () => {
    const server = await startBackend();
    const res = await request(server).get(
      '/api/gitops/entities/default/component/guestbook/history?environment=prod',
    );
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((i: any) => [
        i.tag,
        i.replicas,
        i.changes,
        i.message,
        i.author,
      ]),
    ).toEqual([
      [
        'v1.0.3',
        3,
        ['version'],
        'Promote guestbook v1.0.3 from staging to prod',
        'Alice Platform',
      ],
      [
        'v1.0.2',
        3,
        ['scaling'],
        'Scale guestbook prod to 3 replicas',
        'Bob Oncall',
      ],
      [
        'v1.0.2',
        2,
        ['version', 'scaling'],
        'Bootstrap GitOps repository: guestbook, demo-flask-app, sample-app',
        'Alice Platform',
      ],
    ]);
    expect(res.body.items[0]).toMatchObject({
      revision: gitIn(
        origin,
        'log',
        '-1',
        '--format=%H',
        '--grep=Promote guestbook v1.0.3',
      ),
      committedAt: expect.stringMatching(/^2026-11-/),
      promotionId: null,
    });
  });

  it('gives a broken environment its own error while the others answer', async () => {
    const clone = path.join(workDir, 'broken');
    gitIn(workDir, 'clone', '--quiet', origin, clone);
    const file = path.join(
      clone,
      'apps/guestbook/overlays/staging/kustomization.yaml',
    );
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('images:', 'images: [oops'),
    );
    gitIn(clone, 'commit', '--quiet', '-am', 'break staging');
    const server = await startBackend({
      gitops: {
        repositories: [{ url: clone }],
        git: { cacheDir: path.join(workDir, 'cache-broken') },
      },
    });
    const res = await request(server).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(200);
    const [dev, staging, prod] = res.body.environments;
    expect(dev).toMatchObject({ error: null, desired: { tag: 'v1.0.5' } });
    expect(staging).toMatchObject({
      desired: null,
      error: expect.stringMatching(
        /overlays\/staging\/kustomization.yaml:\d+: invalid YAML/,
      ),
    });
    expect(prod).toMatchObject({ error: null, desired: { tag: 'v1.0.3' } });

    const history = await request(server).get(
      '/api/gitops/entities/default/component/guestbook/history?environment=staging',
    );
    expect(history.status).toBe(200);
    expect(history.body.items.map((i: any) => i.tag)).toEqual([
      'v1.0.4',
      'v1.0.3',
    ]);
  });

  it('reports an unreachable repository in every environment instead of failing the page', async () => {
    const server = await startBackend();
    const res = await request(server).get(
      '/api/gitops/entities/default/component/broken-remote/environments',
    );
    expect(res.status).toBe(200);
    expect(res.body.environments).toHaveLength(3);
    for (const env of res.body.environments) {
      expect(env.desired).toBeNull();
      expect(env.error).toMatch(
        /^Cannot read .*does-not-exist \(main\): git clone failed/,
      );
    }
  });

  /** A permission policy that denies the named permissions, noting every request. */
  function permissionsDenying(denied: string[]) {
    const asked: string[][] = [];
    const permissions = mockServices.permissions.mock({
      authorize: async requests => {
        asked.push(requests.map(r => r.permission.name));
        return requests.map(r => ({
          result: denied.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        }));
      },
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    });
    return { permissions, asked };
  }

  it('answers 403 when the permission policy denies reading', async () => {
    const server = await startBackend({
      features: [
        permissionsDenying(['gitops.entity.read']).permissions.factory,
      ],
    });
    const res = await request(server).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
  });

  it.each([
    ['may read both', [], 200],
    [
      'may not read the catalog entity (as the catalog answers)',
      ['catalog.entity.read'],
      404,
    ],
    ['may not read its GitOps state', ['gitops.entity.read'], 403],
  ])(
    'answers a view of an entity the fleet list holds without asking the catalog: a caller who %s',
    async (_name, denied, status) => {
      const fake = catalogServiceMock({ entities });
      const catalog = catalogServiceMock.mock({
        getEntities: (...args) => fake.getEntities(...args),
        getEntityByRef: (...args) => fake.getEntityByRef(...args),
      });
      const { permissions, asked } = permissionsDenying(denied);
      const server = await startBackend({
        catalog: catalog.factory,
        features: [permissions.factory],
      });
      // The fleet page reads the list; the views after it take their entity from it.
      expect((await request(server).get('/api/gitops/overview')).status).toBe(
        200,
      );
      catalog.getEntityByRef.mockClear();
      asked.length = 0;
      const res = await request(server).get(
        '/api/gitops/entities/default/component/guestbook/environments',
      );
      expect(res.status).toBe(status);
      expect(catalog.getEntityByRef).not.toHaveBeenCalled();
      expect(asked).toEqual([['catalog.entity.read', 'gitops.entity.read']]);
      // An entity the list lacks (no GitOps path) is asked of the catalog, as before, and
      // answered "not GitOps-managed" (404) to a caller who may read it.
      const legacy = await request(server).get(
        '/api/gitops/entities/default/component/legacy-website/environments',
      );
      expect(catalog.getEntityByRef).toHaveBeenCalledTimes(1);
      expect([legacy.status, legacy.body.error.name]).toEqual(
        status === 403 ? [403, 'NotAllowedError'] : [404, 'NotFoundError'],
      );
    },
  );

  it('uses a Git provider added through the extension point, wrapping the built-in one', async () => {
    const reads: string[] = [];
    const countingModule = createBackendModule({
      pluginId: 'gitops',
      moduleId: 'counting-git',
      register(reg) {
        reg.registerInit({
          deps: { providers: gitopsGitProvidersExtensionPoint },
          async init({ providers }) {
            providers.addGitProvider(({ getDefault }) => {
              const git = getDefault('git')!;
              const wrapped: GitProvider = {
                type: 'git',
                resolveBranch: options => git.resolveBranch(options),
                readFile: options => {
                  reads.push(options.path);
                  return git.readFile(options);
                },
                log: options => git.log(options),
              };
              return wrapped;
            });
          },
        });
      },
    });
    const server = await startBackend({ features: [countingModule] });
    const res = await request(server).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(200);
    expect(reads).toContain('apps/guestbook/overlays/prod/hpa.yaml');
  });

  it('compares two environments field by field', async () => {
    const server = await startBackend();
    const res = await request(server).get(
      '/api/gitops/entities/default/component/guestbook/compare?from=staging&to=prod',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: 'staging', to: 'prod' });
    expect(res.body.differences).toEqual([
      { field: 'image.tag', from: 'v1.0.4', to: 'v1.0.3' },
      { field: 'replicas', from: 2, to: 3 },
      { field: 'autoscaling.minReplicas', from: null, to: 3 },
      { field: 'autoscaling.maxReplicas', from: null, to: 10 },
      {
        field: 'autoscaling.targetCPUUtilizationPercentage',
        from: null,
        to: 70,
      },
      {
        field: 'autoscaling.targetMemoryUtilizationPercentage',
        from: null,
        to: 80,
      },
      { field: 'resources.requests.cpu', from: '100m', to: '200m' },
      { field: 'resources.requests.memory', from: '128Mi', to: '256Mi' },
      { field: 'resources.limits.cpu', from: '250m', to: '500m' },
      { field: 'resources.limits.memory', from: '256Mi', to: '512Mi' },
    ]);
  });

  it('compares Helm environments including every other values difference', async () => {
    const server = await startBackend();
    const res = await request(server).get(
      '/api/gitops/entities/default/component/demo-flask-app/compare?from=dev&to=staging',
    );
    expect(res.status).toBe(200);
    expect(res.body.differences).toEqual([
      { field: 'image.tag', from: '9f8e7d6-42', to: '5c4b3a2-40' },
      { field: 'replicas', from: 1, to: 2 },
      { field: 'resources.requests.cpu', from: '50m', to: '100m' },
      { field: 'resources.requests.memory', from: '64Mi', to: '128Mi' },
      { field: 'resources.limits.cpu', from: '100m', to: '250m' },
      { field: 'resources.limits.memory', from: '128Mi', to: '256Mi' },
    ]);
  });

  it.each([
    ['compare?to=prod', 400, 'query parameter "from" is required'],
    [
      'compare?from=staging&to=qa',
      404,
      'Unknown environment "qa"; configured: dev, staging, prod',
    ],
  ])('answers %s with a clear error', async (url, status, message) => {
    const server = await startBackend();
    const res = await request(server).get(
      `/api/gitops/entities/default/component/guestbook/${url}`,
    );
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
  });
});
