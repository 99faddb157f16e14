import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { fleetEntity } from '../../__testUtils__/fleet';
import { installTestMeterProvider } from '../../__testUtils__/metricReader';
import { EnvironmentService } from '../EnvironmentService';
import { GithubGitProvider } from '../git/GithubGitProvider';
import { OverviewService } from '../OverviewService';
import { OciRegistryClient } from '../registry/OciRegistryClient';
import { ActionStore, StoredAction } from '../store/ActionStore';
import {
  GITOPS_METRIC_NAMES,
  actionMetricsListener,
  gitopsMetrics,
  observeStaleRepositories,
  observeWatches,
  recordGitFetch,
  recordWatchReconnect,
  repositoryLabel,
} from './gitopsMetrics';

jest.setTimeout(60_000);

const meter = installTestMeterProvider();
afterAll(() => meter.shutdown());

function environments() {
  return {
    clusterState: () => 'prod=up',
    fleetStamp: async () => 'quiet fleet',
    basis: async () => 'rev',
    isCurrent: () => true,
    getEnvironments: async (entity: any) => ({
      entityRef: `component:default/${entity.metadata.name}`,
      environments: [
        {
          name: 'dev',
          desired: { tag: 'v1', digest: null },
          live: null,
          sync: null,
          drift: [],
          problems: [],
          registry: null,
          error: null,
        },
      ],
    }),
  } as unknown as EnvironmentService;
}

function storedAction(overrides: Partial<StoredAction> = {}): StoredAction {
  return {
    id: '6f1c2f8e-0000-4000-8000-00000000000a',
    action: 'promote',
    entityRef: 'component:default/guestbook',
    status: 'Committed',
    from: 'dev',
    to: 'staging',
    actor: 'user:default/alice',
    request: { from: 'dev', to: 'staging' },
    gates: [],
    version: { tag: 'v1.0.5', digest: null },
    previousVersion: { tag: 'v1.0.4', digest: null },
    scaling: null,
    diff: '',
    commit: 'a'.repeat(40),
    branch: null,
    pullRequest: null,
    message: null,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: null,
    idempotencyKey: null,
    repository: null,
    paths: null,
    ...overrides,
  };
}

describe('gitops metrics', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('registers every instrument under the plugin meter, with its unit and description', async () => {
    // One value each, so that the SDK exports them all.
    const stopWatches = observeWatches(() => [
      {
        cluster: 'prod',
        kind: 'deployments',
        objects: 1,
        lagSeconds: 0.5,
        connected: true,
      },
    ]);
    const stopGit = observeStaleRepositories(() => [
      { provider: 'git', stale: 0 },
    ]);
    recordWatchReconnect('prod', 'deployments');
    recordGitFetch('git', {
      repository: 'https://x:secret@git.example/acme/gitops.git',
      durationMs: 120,
      ok: true,
    });
    const instruments = gitopsMetrics();
    instruments.overviewDuration.record(0.01, { outcome: 'ok' });
    instruments.registryLookups.add(1, { registry: 'r', lookup: 'tags' });
    instruments.registryLookupDuration.record(0.1, { registry: 'r' });
    // An action kind the other tests do not use: counters add up over the file.
    actionMetricsListener()(
      storedAction({
        action: 'create',
        status: 'Succeeded',
        finishedAt: '2026-11-25T10:01:00Z',
      }),
    );

    const collected = await meter.collect();
    stopWatches();
    stopGit();
    expect([...collected.keys()].sort()).toEqual(
      Object.values(GITOPS_METRIC_NAMES).sort(),
    );
    for (const metric of collected.values()) {
      expect(metric.descriptor.name).toMatch(/^gitops\.[a-z.]+$/);
      expect(metric.descriptor.description).not.toBe('');
      expect(metric.descriptor.unit).not.toBe('');
    }
    expect(collected.get('gitops.watch.lag')!.descriptor.unit).toBe('s');
    expect(collected.get('gitops.overview.duration')!.descriptor.unit).toBe(
      's',
    );
    // The repository attribute never carries credentials.
    expect(
      await meter.value('gitops.git.fetch.count', {
        repository: 'https://git.example/acme/gitops.git',
        provider: 'git',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(repositoryLabel('https://u:p@h/r?token=1')).toBe('https://h/r');
  });

  it('times each overview computed, not the pages reused', async () => {
    const overview = new OverviewService({
      catalog: catalogServiceMock({
        entities: Array.from({ length: 3 }, (_, i) => fleetEntity(i)),
      }),
      environments: environments(),
      logger: mockServices.logger.mock(),
      reuseMs: 60_000,
    });
    const before =
      (await meter.histogram('gitops.overview.duration', { outcome: 'ok' }))
        ?.count ?? 0;
    const alice = mockCredentials.user('user:default/alice');
    const page = await overview.overview({}, alice);
    expect(page.totalCount).toBe(3);
    await overview.overview({}, alice);
    const after = await meter.histogram('gitops.overview.duration', {
      outcome: 'ok',
    });
    expect(after!.count).toBe(before + 1);
    expect(after!.sum).toBeGreaterThan(0);
    expect(after!.sum).toBeLessThan(5);
  });

  it('counts each action status once and records how long an action took to succeed or fail', async () => {
    const store = await ActionStore.create(await databases.init('SQLITE_3'));
    store.onChange(actionMetricsListener());
    const created = new Date(Date.now() - 90_000).toISOString();
    const promote = storedAction({ createdAt: created, updatedAt: created });
    const scale = storedAction({
      id: '6f1c2f8e-0000-4000-8000-00000000000b',
      action: 'scale',
      createdAt: created,
      updatedAt: created,
    });
    await store.insert(promote);
    await store.insert(scale);
    expect(
      await meter.value('gitops.action.count', {
        action: 'promote',
        status: 'Committed',
      }),
    ).toBe(1);

    await store.update(
      promote.id,
      { status: 'Succeeded', finishedAt: new Date().toISOString() },
      ['Committed'],
    );
    await store.update(
      scale.id,
      {
        status: 'Failed',
        message: 'replaced',
        finishedAt: new Date().toISOString(),
      },
      ['Committed'],
    );
    // An update that leaves the status as it was is not a second outcome.
    await store.update(promote.id, { message: 'seen by the tracker again' });

    expect(
      await meter.value('gitops.action.count', {
        action: 'promote',
        status: 'Succeeded',
      }),
    ).toBe(1);
    const succeeded = await meter.histogram('gitops.action.duration', {
      action: 'promote',
      outcome: 'Succeeded',
    });
    expect(succeeded!.count).toBe(1);
    expect(succeeded!.sum).toBeGreaterThanOrEqual(89);
    expect(succeeded!.sum).toBeLessThan(120);
    expect(
      (
        await meter.histogram('gitops.action.duration', {
          action: 'scale',
          outcome: 'Failed',
        })
      )?.count,
    ).toBe(1);
  });

  describe('with a registry and GitHub over msw', () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());

    it('counts registry lookups by outcome and times those that asked the registry', async () => {
      const api = 'http://registry.local';
      server.use(
        http.get(`${api}/v2/acme/app/tags/list`, () =>
          HttpResponse.json({ name: 'acme/app', tags: ['v1', 'v2'] }),
        ),
        http.get(`${api}/v2/acme/gone/tags/list`, () =>
          HttpResponse.json({ errors: [] }, { status: 404 }),
        ),
        http.get(`${api}/v2/acme/app/manifests/:tag`, ({ params }) =>
          params.tag === 'v1'
            ? new HttpResponse(null, {
                headers: {
                  'docker-content-digest': `sha256:${'a'.repeat(64)}`,
                },
              })
            : new HttpResponse(null, { status: 404 }),
        ),
      );
      const registry = new OciRegistryClient({
        hosts: [{ host: 'registry.local', url: api, insecure: true }],
        logger: mockServices.logger.mock(),
        timeoutMs: 2000,
        cacheTtlMs: 60_000,
      });
      const image = { host: 'registry.local', repository: 'acme/app' };
      await registry.listTags(image);
      await registry.listTags(image);
      await expect(
        registry.listTags({ ...image, repository: 'acme/gone' }),
      ).rejects.toThrow(/not found/);
      expect(await registry.getDigest(image, 'v1')).toMatch(/^sha256:/);
      expect(await registry.getDigest(image, 'v9')).toBeNull();

      const count = (lookup: string, outcome: string) =>
        meter.value('gitops.registry.lookup.count', {
          registry: 'registry.local',
          lookup,
          outcome,
        });
      expect(await count('tags', 'ok')).toBe(1);
      expect(await count('tags', 'cached')).toBe(1);
      expect(await count('tags', 'not_found')).toBe(1);
      expect(await count('digest', 'ok')).toBe(1);
      expect(await count('digest', 'not_found')).toBe(1);
      // Cache answers are counted, not timed.
      expect(
        await meter.histogram('gitops.registry.lookup.duration', {
          registry: 'registry.local',
          lookup: 'tags',
          outcome: 'cached',
        }),
      ).toBeUndefined();
      expect(
        (
          await meter.histogram('gitops.registry.lookup.duration', {
            registry: 'registry.local',
            lookup: 'tags',
            outcome: 'ok',
          })
        )?.count,
      ).toBe(1);
    });

    it('counts and times GitHub head reads, failed ones apart', async () => {
      const head = 'b'.repeat(40);
      let failing = false;
      server.use(
        http.get('https://api.github.com/repos/acme/gitops/commits/main', () =>
          failing
            ? HttpResponse.json({ message: 'unavailable' }, { status: 503 })
            : new HttpResponse(head, {
                headers: {
                  etag: `"${head}"`,
                  'content-type': 'application/vnd.github.sha',
                },
              }),
        ),
      );
      const github = new GithubGitProvider({
        integrations: ScmIntegrations.fromConfig(
          new ConfigReader({
            integrations: {
              github: [{ host: 'github.com', token: 'ghp_test_token' }],
            },
          }),
        ),
        logger: mockServices.logger.mock(),
        timeoutMs: 5000,
        fetchIntervalSeconds: 0,
      });
      const repository = {
        url: 'https://github.com/acme/gitops',
        branch: 'main',
      };
      expect(await github.resolveBranch({ repository })).toBe(head);
      failing = true;
      // With a head to fall back on, a failing GitHub answers it, marked stale.
      expect(await github.resolveBranch({ repository })).toBe(head);

      const attributes = (outcome: string) => ({
        repository: 'https://github.com/acme/gitops',
        provider: 'github',
        outcome,
      });
      expect(
        await meter.value('gitops.git.fetch.count', attributes('ok')),
      ).toBe(1);
      expect(
        await meter.value('gitops.git.fetch.count', attributes('failed')),
      ).toBe(1);
      expect(
        (await meter.histogram('gitops.git.fetch.duration', attributes('ok')))
          ?.count,
      ).toBe(1);
    });
  });
});
