import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { GitopsBackendClient } from '../GitopsBackendClient';
import { createServiceAction } from './createServiceAction';
import { describeEnvironmentsAction } from './describeEnvironmentsAction';
import { promoteAction, requestOf } from './promoteAction';

const BASE = 'http://localhost:7007/api/gitops';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = new GitopsBackendClient({
  discovery: mockServices.discovery.mock({
    getBaseUrl: async () => BASE,
  }),
  auth: mockServices.auth(),
});

const created = {
  id: '6f1d2c3b-1111-2222-3333-444455556666',
  status: 'Committed',
  entityRef: 'component:default/hello',
  path: 'apps/hello',
  repository: 'example',
  repositoryUrl: '/srv/gitops.git',
  branch: 'main',
  commit: 'c0ffee0000000000000000000000000000000000',
  pullRequest: null,
  changeUrl: null,
  catalogInfoPath: 'apps/hello/catalog-info.yaml',
  catalogInfoUrl:
    'http://127.0.0.1:7070/git/example/raw/main/apps/hello/catalog-info.yaml',
  devFile: 'apps/hello/overlays/dev/kustomization.yaml',
  files: ['apps/hello/base/kustomization.yaml', 'argocd/hello-dev.yaml'],
  diff: '+++ b/argocd/hello-dev.yaml',
  environments: [
    {
      name: 'dev',
      namespace: 'hello-dev',
      definitionPath: 'argocd/hello-dev.yaml',
      file: 'apps/hello/overlays/dev/kustomization.yaml',
    },
  ],
  message: '2 files committed to main',
};

const input = {
  name: 'hello',
  owner: 'group:default/guests',
  engine: 'argocd' as const,
  layout: 'kustomize' as const,
  image: 'ghcr.io/acme/hello',
  tag: '0.1.0',
  sourceLocation: '',
};

/** Records each request the backend got: path, body and the Authorization header. */
function recordRequests() {
  const seen: Array<{ path: string; body: any; authorization: string | null }> =
    [];
  const record = async (request: Request) => {
    seen.push({
      path: new URL(request.url).pathname,
      body: request.method === 'POST' ? await request.json() : null,
      authorization: request.headers.get('authorization'),
    });
  };
  return { seen, record };
}

describe('gitops:service:create', () => {
  it('posts to /services as the user running the template and outputs where things are', async () => {
    const { seen, record } = recordRequests();
    server.use(
      http.post(`${BASE}/services`, async ({ request }) => {
        await record(request);
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    // The mock context takes only some fields from its options: the rest is set on it.
    const ctx = {
      ...createMockActionContext({ input }),
      getInitiatorCredentials: async () =>
        mockCredentials.user('user:default/alice'),
    };
    await createServiceAction(client).handler(ctx as any);

    expect(seen).toHaveLength(1);
    expect(seen[0].body).toEqual({
      name: 'hello',
      owner: 'group:default/guests',
      engine: 'argocd',
      layout: 'kustomize',
      image: 'ghcr.io/acme/hello',
      tag: '0.1.0',
      dryRun: false,
    });
    // The token is one made on behalf of the initiator, for the gitops plugin.
    expect(seen[0].authorization).toContain('user:default/alice');
    expect(seen[0].authorization).toContain('gitops');
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/hello',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'catalogInfoUrl',
      created.catalogInfoUrl,
    );
    expect(ctx.output).toHaveBeenCalledWith('commit', created.commit);
    expect(ctx.output).toHaveBeenCalledWith('devFile', created.devFile);
    expect(ctx.output).toHaveBeenCalledWith('files', created.files);
  });

  it('asks for a canary in prod when the template does, leaving out an empty Prometheus address', async () => {
    const { seen, record } = recordRequests();
    server.use(
      http.post(`${BASE}/services`, async ({ request }) => {
        await record(request);
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    for (const prometheusAddress of ['http://prometheus.obs:9090', '']) {
      const ctx = {
        ...createMockActionContext({
          input: { ...input, progressiveDelivery: 'canary', prometheusAddress },
        }),
        getInitiatorCredentials: async () =>
          mockCredentials.user('user:default/alice'),
      };
      await createServiceAction(client).handler(ctx as any);
    }
    expect(seen.map(s => s.body.progressiveDelivery)).toEqual([
      'canary',
      'canary',
    ]);
    expect(seen.map(s => s.body.prometheusAddress)).toEqual([
      'http://prometheus.obs:9090',
      undefined,
    ]);
  });

  it('asks only for a plan in a dry run', async () => {
    const { seen, record } = recordRequests();
    server.use(
      http.post(`${BASE}/services`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          ...created,
          id: null,
          status: 'DryRun',
          commit: null,
        });
      }),
    );
    const ctx = { ...createMockActionContext({ input }), isDryRun: true };
    await createServiceAction(client).handler(ctx as any);
    expect(seen[0].body.dryRun).toBe(true);
    expect(ctx.output).toHaveBeenCalledWith('commit', null);
  });

  it.each([
    [
      409,
      'ConflictError',
      'component:default/hello is already in the catalog: choose another name; nothing was written',
    ],
    [
      400,
      'InputError',
      "name must be a DNS label: lower-case letters, digits and '-'",
    ],
    [403, 'NotAllowedError', 'Not allowed to create GitOps services'],
  ])(
    'fails the step with the backend’s %s message',
    async (status, name, message) => {
      server.use(
        http.post(`${BASE}/services`, () =>
          HttpResponse.json(
            { error: { name, message }, response: { statusCode: status } },
            { status },
          ),
        ),
      );
      const ctx = createMockActionContext({ input });
      // The same kind of error, so the scaffolder keeps its meaning (a 409 stays a conflict).
      await expect(
        createServiceAction(client).handler(ctx as any),
      ).rejects.toMatchObject({ name, message: `POST /services: ${message}` });
      expect(ctx.output).not.toHaveBeenCalled();
    },
  );
});

describe('gitops:promote', () => {
  it.each<[string, object, string, object]>([
    [
      'promote',
      { from: 'dev', to: 'staging' },
      'promotions',
      { from: 'dev', to: 'staging', dryRun: false },
    ],
    [
      'rollback to a tag',
      { action: 'rollback', environment: 'prod', toTag: 'v1.0.2' },
      'rollback',
      { environment: 'prod', toTag: 'v1.0.2', dryRun: false },
    ],
    [
      'rollback to a revision',
      { action: 'rollback', environment: 'prod', toRevision: 'abc1234' },
      'rollback',
      { environment: 'prod', toRevision: 'abc1234', dryRun: false },
    ],
    [
      'scale replicas',
      { action: 'scale', environment: 'staging', replicas: 3 },
      'scale',
      { environment: 'staging', replicas: 3, dryRun: false },
    ],
    [
      'scale autoscaling',
      {
        action: 'scale',
        environment: 'prod',
        autoscaling: { maxReplicas: 12 },
      },
      'scale',
      { environment: 'prod', autoscaling: { maxReplicas: 12 }, dryRun: false },
    ],
  ])('%s maps to the portal’s endpoint', (_what, given, path, body) => {
    expect(requestOf(given, false)).toEqual([path, body]);
  });

  it.each<[object, RegExp]>([
    [{ from: 'dev' }, /action promote needs to/],
    [
      { action: 'rollback', environment: 'prod' },
      /exactly one of toTag and toRevision/,
    ],
    [
      {
        action: 'rollback',
        environment: 'prod',
        toTag: 'a',
        toRevision: 'abc1234',
      },
      /exactly one/,
    ],
    [{ action: 'scale', environment: 'prod' }, /needs replicas or autoscaling/],
    [{ action: 'scale' }, /needs environment/],
  ])('refuses %j before asking the backend', (given, message) => {
    expect(() => requestOf(given, false)).toThrow(message);
  });

  it('posts the promotion for the initiator and outputs its status', async () => {
    const { seen, record } = recordRequests();
    server.use(
      http.post(
        `${BASE}/entities/default/component/guestbook/promotions`,
        async ({ request }) => {
          await record(request);
          return HttpResponse.json(
            {
              id: 'a1',
              status: 'PullRequestOpened',
              commit: 'c1',
              pullRequest: 'https://github.com/acme/gitops/pull/7',
              diff: '-x\n+y',
              message: 'Pull request opened',
              gates: [
                {
                  name: 'healthySource',
                  passed: true,
                  message: 'staging is Synced and Healthy',
                },
              ],
            },
            { status: 201 },
          );
        },
      ),
    );
    const ctx = createMockActionContext({
      input: { entityRef: 'guestbook', from: 'staging', to: 'prod' },
    });
    await promoteAction(client).handler(ctx as any);
    expect(seen[0].body).toEqual({
      from: 'staging',
      to: 'prod',
      dryRun: false,
    });
    expect(ctx.output).toHaveBeenCalledWith('status', 'PullRequestOpened');
    expect(ctx.output).toHaveBeenCalledWith(
      'pullRequest',
      'https://github.com/acme/gitops/pull/7',
    );
  });

  it('asks the backend to override with the reason, and a refusal keeps the policy’s reason', async () => {
    const { seen, record } = recordRequests();
    server.use(
      http.post(
        `${BASE}/entities/default/component/guestbook/promotions`,
        async ({ request }) => {
          await record(request);
          return HttpResponse.json(
            {
              error: {
                name: 'ConflictError',
                message:
                  'Promotion staging → prod refused: freeze: prod is frozen until Mon 7 Dec 09:00 Europe/Berlin: year-end freeze, set by user:default/alice',
              },
              gates: [],
              retryAt: '2026-12-07T08:00:00.000Z',
            },
            { status: 409 },
          );
        },
      ),
    );
    const ctx = createMockActionContext({
      input: {
        entityRef: 'guestbook',
        from: 'staging',
        to: 'prod',
        overrideReason: 'INC-42 hotfix',
      },
    });
    await expect(promoteAction(client).handler(ctx as any)).rejects.toThrow(
      /prod is frozen until Mon 7 Dec 09:00 Europe\/Berlin: year-end freeze/,
    );
    expect(seen[0].body).toEqual({
      from: 'staging',
      to: 'prod',
      dryRun: false,
      override: { reason: 'INC-42 hotfix' },
    });
  });
});

describe('gitops:environments:describe', () => {
  it('outputs each environment’s version, scaling and state, in order and by name', async () => {
    server.use(
      http.get(
        `${BASE}/entities/default/component/guestbook/environments`,
        () =>
          HttpResponse.json({
            entityRef: 'component:default/guestbook',
            environments: [
              {
                name: 'dev',
                desired: { tag: 'v1.0.5', digest: null, replicas: 1 },
                sync: { status: 'Synced', health: 'Healthy' },
                problems: [],
                error: null,
              },
              {
                name: 'prod',
                desired: { tag: null, digest: 'sha256:abc', replicas: null },
                sync: { status: 'OutOfSync', health: 'Degraded' },
                problems: [{ type: 'HPAAtMax' }],
                error: null,
              },
            ],
          }),
      ),
    );
    const ctx = createMockActionContext({
      input: { entityRef: 'component:default/guestbook' },
    });
    await describeEnvironmentsAction(client).handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('names', ['dev', 'prod']);
    const byName = (ctx.output as jest.Mock).mock.calls.find(
      c => c[0] === 'byName',
    )[1];
    expect(byName.prod).toEqual({
      name: 'prod',
      tag: null,
      digest: 'sha256:abc',
      replicas: null,
      sync: 'OutOfSync',
      health: 'Degraded',
      problems: 1,
      error: null,
    });
  });

  it('fails with the backend’s message for an entity that is not GitOps-managed', async () => {
    server.use(
      http.get(`${BASE}/entities/default/component/legacy/environments`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotFoundError',
              message: 'Entity component:default/legacy is not GitOps-managed',
            },
          },
          { status: 404 },
        ),
      ),
    );
    const ctx = createMockActionContext({ input: { entityRef: 'legacy' } });
    await expect(
      describeEnvironmentsAction(client).handler(ctx as any),
    ).rejects.toThrow(/is not GitOps-managed/);
  });
});
