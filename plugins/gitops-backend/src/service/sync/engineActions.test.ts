import { ConfigReader } from '@backstage/config';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { readClusters } from '../live/clusterConfig';
import {
  applyEngineAction,
  EngineAction,
  EngineObjectRef,
  supportedActions,
} from './engineActions';

const SERVER = 'http://127.0.0.1:8089';
const TOKEN = 'sa-secret-token';
const NOW = new Date('2025-03-04T05:06:07.089Z');
const MERGE_PATCH = 'application/merge-patch+json';

const guestbook: EngineObjectRef = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  name: 'guestbook-dev',
  namespace: 'argocd',
};
const podinfo: EngineObjectRef = {
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  name: 'podinfo',
  namespace: 'flux-system',
};
const redis: EngineObjectRef = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  name: 'redis',
  namespace: 'data',
};

const GUESTBOOK =
  '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/guestbook-dev';
const PODINFO =
  '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/podinfo';
const REDIS =
  '/apis/helm.toolkit.fluxcd.io/v2/namespaces/data/helmreleases/redis';

interface Recorded {
  method: string;
  origin: string;
  path: string;
  query: string;
  contentType: string | null;
  authorization: string | null;
  body: unknown;
}

type Responder = (
  recorded: Recorded,
  request: Request,
) => Response | Promise<Response>;

function application(extra: Record<string, any> = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: 'guestbook-dev',
      namespace: 'argocd',
      resourceVersion: '41',
    },
    spec: { project: 'default' },
    status: {
      operationState: {
        phase: 'Succeeded',
        operation: { initiatedBy: { username: 'admin' } },
      },
    },
    ...extra,
  };
}

function status(code: number, message: string) {
  return HttpResponse.json(
    { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message },
    { status: code },
  );
}

describe('engineActions', () => {
  const server = setupServer();
  // Anything not answered here is an error: the tests reach no real network.
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  let requests: Recorded[];
  let respond: Responder;
  beforeEach(() => {
    requests = [];
    respond = ({ method }) =>
      method === 'GET'
        ? HttpResponse.json(application())
        : HttpResponse.json({ patched: true });
    server.use(
      http.all('*', async ({ request }) => {
        const url = new URL(request.url);
        const text = await request.text();
        const recorded: Recorded = {
          method: request.method,
          origin: url.origin,
          path: url.pathname,
          query: url.search,
          contentType: request.headers.get('content-type'),
          authorization: request.headers.get('authorization'),
          body: text ? JSON.parse(text) : undefined,
        };
        requests.push(recorded);
        return respond(recorded, request);
      }),
    );
  });
  afterEach(() => {
    server.resetHandlers();
    // Only the fake API server was ever called, and always with the cluster's token.
    const strays = requests.filter(
      r => r.origin !== SERVER || r.authorization !== `Bearer ${TOKEN}`,
    );
    if (strays.length) {
      throw new Error(`unexpected requests: ${JSON.stringify(strays)}`);
    }
  });

  const [cluster] = readClusters(
    new ConfigReader({
      gitops: {
        clusters: [
          {
            name: 'dev',
            url: SERVER,
            serviceAccountToken: TOKEN,
            skipTLSVerify: true,
          },
        ],
      },
    }),
  );

  function act(
    object: EngineObjectRef,
    action: EngineAction,
    signal?: AbortSignal,
  ) {
    return applyEngineAction({
      kubeConfig: cluster.kubeConfig,
      object,
      action,
      actor: 'user:default/jane',
      now: () => NOW,
      signal,
    });
  }

  const requestedAt = { 'reconcile.fluxcd.io/requestedAt': NOW.toISOString() };

  it.each<[string, EngineObjectRef, EngineAction, Partial<Recorded>[]]>([
    [
      'Argo refresh',
      guestbook,
      'refresh',
      [
        {
          method: 'PATCH',
          path: GUESTBOOK,
          contentType: MERGE_PATCH,
          body: {
            metadata: {
              annotations: { 'argocd.argoproj.io/refresh': 'normal' },
            },
          },
        },
      ],
    ],
    [
      'Argo sync',
      guestbook,
      'sync',
      [
        { method: 'GET', path: GUESTBOOK, contentType: null, body: undefined },
        {
          method: 'PATCH',
          path: GUESTBOOK,
          contentType: MERGE_PATCH,
          body: {
            metadata: { resourceVersion: '41' },
            operation: {
              initiatedBy: { username: 'user:default/jane' },
              sync: { syncStrategy: { hook: {} } },
            },
          },
        },
      ],
    ],
    ...(
      [
        ['Kustomization', podinfo, PODINFO],
        ['HelmRelease', redis, REDIS],
      ] as const
    ).flatMap(([kind, object, path]) => [
      [
        `${kind} reconcile`,
        object,
        'reconcile' as const,
        [
          {
            method: 'PATCH',
            path,
            contentType: MERGE_PATCH,
            body: { metadata: { annotations: requestedAt } },
          },
        ],
      ] as [string, EngineObjectRef, EngineAction, Partial<Recorded>[]],
      [
        `${kind} suspend`,
        object,
        'suspend' as const,
        [
          {
            method: 'PATCH',
            path,
            contentType: MERGE_PATCH,
            body: { spec: { suspend: true } },
          },
        ],
      ] as [string, EngineObjectRef, EngineAction, Partial<Recorded>[]],
      [
        `${kind} resume`,
        object,
        'resume' as const,
        [
          {
            method: 'PATCH',
            path,
            contentType: MERGE_PATCH,
            body: {
              metadata: { annotations: requestedAt },
              spec: { suspend: false },
            },
          },
        ],
      ] as [string, EngineObjectRef, EngineAction, Partial<Recorded>[]],
    ]),
  ])('%s sends exactly its requests', async (_, object, action, expected) => {
    await act(object, action);
    expect(requests).toEqual(
      expected.map(request => ({
        origin: SERVER,
        authorization: `Bearer ${TOKEN}`,
        query:
          request.method === 'PATCH' ? '?fieldManager=backstage-gitops' : '',
        ...request,
      })),
    );
  });

  it.each<[string, EngineAction, EngineObjectRef]>([
    ['Application', 'reconcile', guestbook],
    ['Application', 'suspend', guestbook],
    ['Application', 'resume', guestbook],
    ['Kustomization', 'refresh', podinfo],
    ['Kustomization', 'sync', podinfo],
    ['HelmRelease', 'refresh', redis],
    ['HelmRelease', 'sync', redis],
  ])(
    '%s refuses %s with an InputError and sends nothing',
    async (_, action, object) => {
      const supported = supportedActions(object.kind).join(', ');
      await expect(act(object, action)).rejects.toMatchObject({
        name: 'InputError',
        message: `${object.kind} supports ${supported}, not ${action}`,
      });
      expect(requests).toEqual([]);
    },
  );

  it.each<[string, EngineObjectRef]>([
    [
      'a kind of no engine',
      { ...podinfo, apiVersion: 'apps/v1', kind: 'Deployment' },
    ],
    [
      'the kustomize file type of the same name',
      { ...podinfo, apiVersion: 'kustomize.config.k8s.io/v1beta1' },
    ],
    ['an apiVersion without a group', { ...guestbook, apiVersion: 'v1' }],
    ['an object without a namespace', { ...guestbook, namespace: '' }],
  ])('refuses %s with an InputError and sends nothing', async (_, object) => {
    await expect(act(object, 'refresh')).rejects.toMatchObject({
      name: 'InputError',
    });
    expect(requests).toEqual([]);
  });

  it('names the actions of each engine kind', () => {
    expect(supportedActions('Application')).toEqual(['refresh', 'sync']);
    expect(supportedActions('Kustomization')).toEqual([
      'reconcile',
      'suspend',
      'resume',
    ]);
    expect(supportedActions('HelmRelease')).toEqual([
      'reconcile',
      'suspend',
      'resume',
    ]);
    expect(supportedActions('Deployment')).toEqual([]);
    expect(supportedActions('constructor')).toEqual([]);
  });

  it('refuses a sync without an actor', async () => {
    await expect(
      applyEngineAction({
        kubeConfig: cluster.kubeConfig,
        object: guestbook,
        action: 'sync',
        actor: ' ',
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(requests).toEqual([]);
  });

  describe('Argo sync', () => {
    it.each([
      [
        'an operation is running',
        {
          status: {
            operationState: {
              phase: 'Running',
              operation: { initiatedBy: { username: 'user:default/bob' } },
            },
          },
          operation: { sync: {} },
        },
        'Application argocd/guestbook-dev already has an operation running (started by user:default/bob); sync again when it has finished',
      ],
      [
        'an operation waits for the controller',
        {
          operation: {
            initiatedBy: { username: 'user:default/bob' },
            sync: {},
          },
        },
        'Application argocd/guestbook-dev already has an operation waiting (started by user:default/bob); sync again when it has finished',
      ],
      [
        'the Application is being deleted',
        {
          metadata: {
            name: 'guestbook-dev',
            namespace: 'argocd',
            deletionTimestamp: '2025-03-04T05:00:00Z',
          },
        },
        'Application argocd/guestbook-dev is being deleted',
      ],
    ])(
      'answers a ConflictError and sends no PATCH when %s',
      async (_, extra, message) => {
        respond = () => HttpResponse.json(application(extra));
        await expect(act(guestbook, 'sync')).rejects.toMatchObject({
          name: 'ConflictError',
          message,
        });
        expect(requests.map(r => r.method)).toEqual(['GET']);
      },
    );

    it("carries the Application's sync options and retry strategy, as the Argo CD API server does", async () => {
      const retry = { limit: 3, backoff: { duration: '5s' } };
      respond = ({ method }) =>
        method === 'GET'
          ? HttpResponse.json(
              application({
                spec: {
                  syncPolicy: {
                    syncOptions: [
                      'CreateNamespace=true',
                      'ServerSideApply=true',
                    ],
                    retry,
                  },
                },
              }),
            )
          : HttpResponse.json({});
      await act(guestbook, 'sync');
      expect(requests[1].body).toEqual({
        metadata: { resourceVersion: '41' },
        operation: {
          initiatedBy: { username: 'user:default/jane' },
          sync: {
            syncStrategy: { hook: {} },
            syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
          },
          retry,
        },
      });
    });

    it('reads again and retries when the Application changed under it', async () => {
      let version = 41;
      respond = ({ method }) => {
        if (method === 'GET') {
          version += 1;
          return HttpResponse.json(
            application({
              metadata: {
                name: 'guestbook-dev',
                namespace: 'argocd',
                resourceVersion: String(version),
              },
            }),
          );
        }
        return version === 42
          ? status(
              409,
              'the object has been modified; please apply your changes',
            )
          : HttpResponse.json({});
      };
      await act(guestbook, 'sync');
      expect(
        requests.map(r => [
          r.method,
          (r.body as any)?.metadata?.resourceVersion,
        ]),
      ).toEqual([
        ['GET', undefined],
        ['PATCH', '42'],
        ['GET', undefined],
        ['PATCH', '43'],
      ]);
    });

    it('gives up with a ConflictError after three stale attempts', async () => {
      respond = ({ method }) =>
        method === 'GET'
          ? HttpResponse.json(application())
          : status(409, 'the object has been modified');
      await expect(act(guestbook, 'sync')).rejects.toMatchObject({
        name: 'ConflictError',
      });
      expect(requests.map(r => r.method)).toEqual([
        'GET',
        'PATCH',
        'GET',
        'PATCH',
        'GET',
        'PATCH',
      ]);
    });

    it('answers NotFoundError without a PATCH when the Application is gone', async () => {
      respond = () =>
        status(404, 'applications.argoproj.io "guestbook-dev" not found');
      await expect(act(guestbook, 'sync')).rejects.toMatchObject({
        name: 'NotFoundError',
        message: 'Application argocd/guestbook-dev not found in the cluster',
      });
      expect(requests.map(r => r.method)).toEqual(['GET']);
    });
  });

  describe('cluster answers', () => {
    it('maps 404 to NotFoundError', async () => {
      respond = () =>
        status(
          404,
          'kustomizations.kustomize.toolkit.fluxcd.io "podinfo" not found',
        );
      await expect(act(podinfo, 'reconcile')).rejects.toMatchObject({
        name: 'NotFoundError',
        message: 'Kustomization flux-system/podinfo not found in the cluster',
      });
    });

    it('maps 403 to NotAllowedError naming what the credentials lack', async () => {
      respond = () =>
        status(
          403,
          'helmreleases.helm.toolkit.fluxcd.io "redis" is forbidden: User "system:serviceaccount:backstage:backstage" cannot patch resource',
        );
      await expect(act(redis, 'suspend')).rejects.toMatchObject({
        name: 'NotAllowedError',
        message:
          "the backend's cluster credentials may not patch HelmRelease (helmreleases.helm.toolkit.fluxcd.io) in namespace data",
      });
    });

    it('maps 403 on the read before a sync to NotAllowedError', async () => {
      respond = () => status(403, 'forbidden');
      await expect(act(guestbook, 'sync')).rejects.toMatchObject({
        name: 'NotAllowedError',
        message:
          "the backend's cluster credentials may not get Application (applications.argoproj.io) in namespace argocd",
      });
      expect(requests.map(r => r.method)).toEqual(['GET']);
    });

    it("answers other statuses with the cluster's reason and status, and no credentials", async () => {
      respond = () => status(500, 'etcdserver: request timed out');
      const error = await act(podinfo, 'suspend').catch(e => e);
      expect(error).toMatchObject({
        name: 'EngineActionError',
        status: 500,
        message:
          'the cluster answered 500 to the patch of Kustomization flux-system/podinfo: etcdserver: request timed out',
      });
      expect(String(error.message)).not.toContain(TOKEN);
      expect(JSON.stringify(error)).not.toContain(TOKEN);
    });

    it('answers a rejected token without repeating it', async () => {
      respond = () => new HttpResponse(null, { status: 401 });
      const error = await act(podinfo, 'reconcile').catch(e => e);
      expect(error).toMatchObject({ name: 'EngineActionError', status: 401 });
      expect(String(error.message)).not.toContain(TOKEN);
    });

    it('answers a network failure without the request it was making', async () => {
      respond = () => HttpResponse.error();
      const error = await act(podinfo, 'reconcile').catch(e => e);
      expect(error).toMatchObject({ name: 'EngineActionError' });
      expect(error.status).toBeUndefined();
      expect(String(error.message)).toMatch(
        /^could not patch Kustomization flux-system\/podinfo: the cluster's API server did not answer/,
      );
      expect(String(error.message)).not.toContain('127.0.0.1');
    });
  });

  describe('abort', () => {
    it('sends nothing when already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(
        act(podinfo, 'reconcile', controller.signal),
      ).rejects.toMatchObject({ name: 'AbortError' });
      expect(requests).toEqual([]);
    });

    it('abandons a request the API server does not answer', async () => {
      const controller = new AbortController();
      let answer: (() => void) | undefined;
      respond = () =>
        new Promise<Response>(resolve => {
          answer = () => resolve(HttpResponse.json({}));
        });
      const pending = act(podinfo, 'suspend', controller.signal);
      await new Promise(resolve => setTimeout(resolve, 50));
      expect(requests).toHaveLength(1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      // Too late: the client has given up, and an answer now changes nothing.
      answer?.();
    });
  });
});
