import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { setupServer } from 'msw/node';
import { FakeKubeApi } from '../../__testUtils__/fakeKubeApi';
import { readClusters } from './clusterConfig';
import { ClusterWatch } from './ClusterWatch';

const SERVER = 'https://127.0.0.1:6443';

function deployment(name: string, image: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: `${name}-prod`,
      uid: `uid-${name}`,
      resourceVersion: '1',
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { spec: { containers: [{ name, image }] } },
    },
  };
}

function clusterWatch(
  options: {
    timeoutMs?: number;
    server?: string;
    logger?: ReturnType<typeof mockServices.logger.mock>;
    recheckMs?: number;
  } = {},
) {
  const [cluster] = readClusters(
    new ConfigReader({
      gitops: {
        clusters: [
          {
            name: 'prod',
            url: options.server ?? SERVER,
            serviceAccountToken: 'sa-secret-token',
            skipTLSVerify: true,
          },
        ],
      },
    }),
  );
  return new ClusterWatch({
    name: 'prod',
    kubeConfig: cluster.kubeConfig,
    logger: options.logger ?? mockServices.logger.mock(),
    timeoutMs: options.timeoutMs ?? 2000,
    backoffMs: 50,
    maxBackoffMs: 200,
    recheckMs: options.recheckMs,
  });
}

async function eventually(check: () => void, timeoutMs = 3000) {
  const started = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }
}

describe('ClusterWatch', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  let watch: ClusterWatch | undefined;
  afterEach(async () => {
    await watch?.stop();
    watch = undefined;
  });

  it('lists every kind once, watches it, and serves reads from the cache', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
    ]);
    api.mode('applications', 'absent');
    server.use(...api.handlers());
    watch = clusterWatch();
    watch.start();
    await watch.whenReady(2000);

    const [listed] = watch.list('deployments', 'guestbook-prod');
    expect(listed).toMatchObject({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'guestbook' },
    });
    expect(watch.health().applications).toMatchObject({
      state: 'absent',
      error: null,
    });
    expect(watch.health().deployments).toMatchObject({
      state: 'synced',
      lists: 1,
    });
    expect(api.authorizations).toEqual(new Set(['Bearer sa-secret-token']));

    const listsAfterWarmUp = api.totalLists();
    for (let i = 0; i < 100; i++) watch.list('deployments', 'guestbook-prod');
    expect(api.totalLists()).toBe(listsAfterWarmUp);
    await eventually(() => expect(api.watches.get('deployments')).toBe(1));
  });

  it.each([
    ['in pages of 500, as client-go lists', false, [500, 500, 500], 1200],
    [
      'again in one request when a continue token expired (410)',
      true,
      [500, 500, undefined],
      1200,
    ],
  ])('lists a large kind %s', async (_name, expire, limits, count) => {
    const api = new FakeKubeApi(SERVER);
    api.expireContinueTokens = expire;
    api.set(
      'deployments',
      Array.from({ length: count }, (_, i) =>
        deployment(`svc-${i}`, `ghcr.io/acme/svc-${i}:v1`),
      ),
    );
    server.use(...api.handlers());
    watch = clusterWatch();
    watch.start();
    await watch.whenReady(5000);

    expect(watch.list('deployments')).toHaveLength(count);
    expect(watch.list('deployments', 'svc-1199-prod')).toMatchObject([
      { kind: 'Deployment', metadata: { name: 'svc-1199' } },
    ]);
    expect(api.listLimits.get('deployments')).toEqual(limits);
  });

  it('shows a watch event on the next read, without listing again', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
    ]);
    server.use(...api.handlers());
    watch = clusterWatch();
    watch.start();
    await watch.whenReady(2000);
    await eventually(() => expect(api.watches.get('deployments')).toBe(1));

    api.emit(
      'deployments',
      'MODIFIED',
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.4'),
    );
    await eventually(() =>
      expect(
        watch!.list('deployments')[0].spec.template.spec.containers[0].image,
      ).toBe('ghcr.io/acme/guestbook:v1.0.4'),
    );
    expect(api.lists.get('deployments')).toBe(1);
  });

  it('restarts a failed informer with backoff and recovers when the API answers again', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
    ]);
    api.mode('deployments', 'fail');
    server.use(...api.handlers());
    watch = clusterWatch();
    watch.start();
    await expect(watch.whenReady(300)).rejects.toThrow(
      /cluster prod cannot be read: 500/,
    );
    expect(watch.health().deployments.state).toBe('error');
    expect(JSON.stringify(watch.health())).not.toContain('sa-secret-token');

    api.mode('deployments', 'serve');
    await watch.whenReady(3000);
    expect(watch.list('deployments')).toHaveLength(1);
    expect(api.lists.get('deployments')).toBeGreaterThanOrEqual(2);
  });

  it('reconnects a closed watch from the last resource version without listing again', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
    ]);
    server.use(...api.handlers());
    watch = clusterWatch();
    watch.start();
    await watch.whenReady(2000);
    await eventually(() => expect(api.watches.get('deployments')).toBe(1));
    api.closeWatches();
    // The informer reconnects its watch from the last resource version, without a list.
    await eventually(() => expect(api.watches.get('deployments')).toBe(2));
    expect(api.lists.get('deployments')).toBe(1);
  });

  it('gives up on a hung API server within the time-out', async () => {
    const api = new FakeKubeApi(SERVER, 'hang');
    server.use(...api.handlers());
    watch = clusterWatch({ timeoutMs: 300 });
    watch.start();
    const started = Date.now();
    await expect(watch.whenReady(300)).rejects.toThrow(/cluster prod/);
    expect(Date.now() - started).toBeLessThan(1000);
    await eventually(() =>
      expect(watch!.health().pods.error).toMatch(/no answer within 300 ms/),
    );
  });

  it('reports a server that refuses connections', async () => {
    watch = clusterWatch({ server: 'https://127.0.0.1:1', timeoutMs: 1000 });
    watch.start();
    await expect(watch.whenReady(1000)).rejects.toThrow(
      /cluster prod cannot be read: .*ECONNREFUSED/,
    );
  });

  it('serves every other kind when the account may not list one, and names the permission', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
    ]);
    api.mode('persistentvolumeclaims', 'forbidden');
    server.use(...api.handlers());
    watch = clusterWatch();
    watch.start();
    await watch.whenReady(2000);
    expect(watch.list('deployments', 'guestbook-prod')).toHaveLength(1);
    expect(watch.health().persistentvolumeclaims).toMatchObject({
      state: 'forbidden',
      error: expect.stringMatching(/^403 Forbidden listing/),
    });
    expect(watch.warnings('guestbook-prod')).toEqual([
      'cluster prod: may not list persistentvolumeclaims (403 Forbidden listing /api/v1/persistentvolumeclaims): grant list, watch on persistentvolumeclaims',
    ]);
    expect(watch.knownDown()).toBe(false);
    expect(watch.freshness().stale).toBe(false);
  });

  it('drops what it read of a kind whose grant was taken away after it was warm, and reads it again once granted', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
    ]);
    server.use(...api.handlers());
    const rechecked = clusterWatch({ recheckMs: 300 });
    watch = rechecked;
    rechecked.start();
    await rechecked.whenReady(2000);
    expect(rechecked.list('deployments', 'guestbook-prod')).toHaveLength(1);

    api.mode('deployments', 'forbidden');
    api.closeWatches();
    await eventually(() =>
      expect(rechecked.kindState('deployments')).toBe('forbidden'),
    );
    // Not served as current: the account can no longer confirm it.
    expect(rechecked.list('deployments', 'guestbook-prod')).toEqual([]);
    expect(rechecked.warnings('guestbook-prod')).toEqual([
      expect.stringMatching(
        /^cluster prod: may not list deployments \(403 Forbidden .*\): grant list, watch on deployments$/,
      ),
    ]);

    api.mode('deployments', 'serve');
    await eventually(() =>
      expect(rechecked.list('deployments', 'guestbook-prod')).toHaveLength(1),
    );
    expect(rechecked.kindState('deployments')).toBe('read');
    expect(rechecked.warnings('guestbook-prod')).toEqual([]);
  });

  it('reads absent image automation CRDs as not installed, without an error; a forbidden one degrades that kind only', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
    ]);
    api.mode('imagerepositories', 'absent');
    api.mode('imagepolicies', 'absent');
    api.mode('imageupdateautomations', 'absent');
    api.mode('imageupdaters', 'forbidden');
    server.use(...api.handlers());
    watch = clusterWatch();
    watch.start();
    await watch.whenReady(2000);
    expect(watch.kindState('imagepolicies')).toBe('absent');
    expect(watch.health().imagepolicies).toMatchObject({
      state: 'absent',
      error: null,
    });
    expect(watch.kindState('imageupdaters')).toBe('forbidden');
    expect(watch.kindState('deployments')).toBe('read');
    expect(watch.list('deployments', 'guestbook-prod')).toHaveLength(1);
    expect(watch.warnings('guestbook-prod')).toEqual([
      'cluster prod: may not list imageupdaters (403 Forbidden listing /apis/argocd-image-updater.argoproj.io/v1alpha1/imageupdaters): grant list, watch on imageupdaters',
    ]);
    expect(watch.knownDown()).toBe(false);
  });

  it('reads absent report CRDs (Trivy Operator, Kyverno) as absent: no error, no warning, nothing logged', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
    ]);
    api.mode('vulnerabilityreports', 'absent');
    api.mode('policyreports', 'absent');
    server.use(...api.handlers());
    const logger = mockServices.logger.mock();
    watch = clusterWatch({ logger });
    watch.start();
    await watch.whenReady(2000);
    expect(watch.kindState('vulnerabilityreports')).toBe('absent');
    expect(watch.kindState('policyreports')).toBe('absent');
    expect(watch.health().policyreports).toMatchObject({
      state: 'absent',
      error: null,
    });
    expect(watch.warnings('guestbook-prod')).toEqual([]);
    expect(
      watch.lookup('vulnerabilityreports', 'about:x/ReplicaSet/y'),
    ).toEqual([]);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(watch.knownDown()).toBe(false);
  });

  it('names the missing grant of a forbidden report kind once: one warning per view, one log line for all namespaces', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
      deployment('podinfo', 'ghcr.io/acme/podinfo:6.7.1'),
    ]);
    api.mode('vulnerabilityreports', 'forbidden');
    server.use(...api.handlers());
    const logger = mockServices.logger.mock();
    const [cluster] = readClusters(
      new ConfigReader({
        gitops: {
          clusters: [
            {
              name: 'prod',
              url: SERVER,
              serviceAccountToken: 't',
              skipTLSVerify: true,
            },
          ],
        },
      }),
    );
    watch = new ClusterWatch({
      name: 'prod',
      kubeConfig: cluster.kubeConfig,
      logger,
      timeoutMs: 2000,
      recheckMs: 100,
      scope: {
        service: ['guestbook-prod', 'podinfo-prod', 'other-prod'],
        argocd: [],
        flux: [],
      },
    });
    watch.start();
    await watch.whenReady(2000);
    expect(watch.kindState('vulnerabilityreports')).toBe('forbidden');
    for (const namespace of ['guestbook-prod', 'podinfo-prod']) {
      expect(watch.warnings(namespace)).toEqual([
        `cluster prod: may not list vulnerabilityreports in ${namespace} (403 Forbidden listing /apis/aquasecurity.github.io/v1alpha1/namespaces/${namespace}/vulnerabilityreports): grant list, watch on vulnerabilityreports`,
      ]);
    }
    // Rechecked after recheckMs, still forbidden: still one line.
    await new Promise(resolve => setTimeout(resolve, 300));
    const lines = logger.warn.mock.calls
      .map(([message]) => String(message))
      .filter(message => message.includes('vulnerabilityreports'));
    expect(lines).toEqual([
      expect.stringMatching(
        /^GitOps: cluster prod: vulnerabilityreports in \S+ not readable \(403 Forbidden.*\); the other kinds are served: grant list, watch on vulnerabilityreports$/,
      ),
    ]);
    expect(watch.list('deployments', 'podinfo-prod')).toHaveLength(1);
  });

  it('watches only the namespaces of its scope, and follows the scope as it changes', async () => {
    const api = new FakeKubeApi(SERVER);
    api.set('deployments', [
      deployment('guestbook', 'ghcr.io/acme/guestbook:v1.0.3'),
      deployment('podinfo', 'ghcr.io/acme/podinfo:6.7.1'),
    ]);
    server.use(...api.handlers());
    const [cluster] = readClusters(
      new ConfigReader({
        gitops: {
          clusters: [
            {
              name: 'prod',
              url: SERVER,
              serviceAccountToken: 't',
              skipTLSVerify: true,
              namespaces: ['guestbook-prod'],
            },
          ],
        },
      }),
    );
    expect(cluster.namespaces).toEqual({
      fromEnvironments: false,
      include: ['guestbook-prod'],
      argocd: ['argocd'],
      flux: ['flux-system'],
    });
    watch = new ClusterWatch({
      name: 'prod',
      kubeConfig: cluster.kubeConfig,
      logger: mockServices.logger.mock(),
      timeoutMs: 2000,
      scope: { service: ['guestbook-prod'], argocd: ['argocd'], flux: [] },
    });
    watch.start();
    await watch.whenReady(2000);
    expect(watch.list('deployments').map(d => d.metadata?.name)).toEqual([
      'guestbook',
    ]);
    expect(watch.warnings('podinfo-prod')).toEqual([
      'cluster prod: namespace podinfo-prod is not watched (gitops.clusters[].namespaces)',
    ]);
    watch.setScope({
      service: ['guestbook-prod', 'podinfo-prod'],
      argocd: ['argocd'],
      flux: [],
    });
    await watch.whenReady(2000);
    expect(watch.list('deployments', 'podinfo-prod')).toHaveLength(1);
    expect(Object.keys(watch.health().deployments.namespaces!)).toEqual([
      'guestbook-prod',
      'podinfo-prod',
    ]);
    watch.setScope({ service: ['podinfo-prod'], argocd: [], flux: [] });
    expect(watch.list('deployments', 'guestbook-prod')).toEqual([]);
    expect(watch.health().applications).toBeUndefined();
  });
});
