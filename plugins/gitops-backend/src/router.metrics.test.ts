import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createExampleGitRepo } from 'gitops-testkit';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import {
  GUESTBOOK_TAGS,
  guestbookEntity,
  guestbookObjects,
  until,
} from './__testUtils__/guestbook';
import { HttpKubeApi } from './__testUtils__/httpKubeApi';
import { installTestMeterProvider } from './__testUtils__/metricReader';
import { gitopsPlugin } from './plugin';

/*
 * The plugin as a backend runs it, with an OpenTelemetry meter provider registered first (as
 * Backstage's instrumentation setup does): the watch gauges, Git fetches and overview times
 * are reported through the wiring of the real services.
 */

jest.setTimeout(60_000);

const meter = installTestMeterProvider();
afterAll(() => meter.shutdown());

describe('gitops metrics through the backend', () => {
  let workDir: string;
  let api: HttpKubeApi;
  let backend: { stop(): Promise<void>; server: any } | undefined;
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-metrics-'));
    api = await new HttpKubeApi().start();
  });
  afterAll(async () => {
    await backend?.stop();
    await api.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('reports cached objects, Git fetches and overview times, and follows a change of the cluster', async () => {
    const objects = guestbookObjects({
      dev: { tag: GUESTBOOK_TAGS.dev, replicas: 1 },
      staging: { tag: GUESTBOOK_TAGS.staging, replicas: 1 },
      prod: { tag: GUESTBOOK_TAGS.prod, replicas: 3 },
    });
    api.load(objects);
    const origin = createExampleGitRepo(path.join(workDir, 'origin'));
    backend = await startTestBackend({
      features: [
        gitopsPlugin,
        catalogServiceMock.factory({ entities: [guestbookEntity()] }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              repositories: [{ url: origin }],
              git: { cacheDir: path.join(workDir, 'cache') },
              clusters: [
                {
                  name: 'local',
                  url: api.url,
                  serviceAccountToken: 'local-secret',
                  skipTLSVerify: true,
                },
              ],
              environments: ['dev', 'staging', 'prod'].map(name => ({
                name,
                cluster: 'local',
              })),
              timeouts: { clusterSeconds: 2, watchSeconds: 5 },
            },
          },
        }),
      ],
    });
    const server = backend.server;
    await until(
      () =>
        supertest(server).get(
          '/api/gitops/entities/default/component/guestbook/environments',
        ),
      res => res.status === 200 && res.body.environments[2].live !== null,
      10_000,
    );
    const overview = await supertest(server).get('/api/gitops/overview');
    expect(overview.status).toBe(200);

    const deployments = { cluster: 'local', kind: 'deployments' };
    expect(await meter.value('gitops.cache.objects', deployments)).toBe(
      objects.deployments!.length,
    );
    expect(
      await meter.value('gitops.watch.lag', deployments),
    ).toBeLessThanOrEqual(5);
    // The clone of the mirror is the first fetch (its URL is the resolved local path).
    const fetches = (await meter.collect())
      .get('gitops.git.fetch.count')!
      .dataPoints.filter(
        point =>
          point.attributes.provider === 'git' &&
          point.attributes.outcome === 'ok' &&
          String(point.attributes.repository).endsWith('origin'),
      );
    expect(fetches.map(point => point.value)).toEqual([expect.any(Number)]);
    expect(
      (await meter.histogram('gitops.overview.duration', { outcome: 'ok' }))
        ?.count,
    ).toBe(1);

    const canary = structuredClone(objects.deployments![0]);
    canary.metadata.name = 'guestbook-canary';
    api.apply('deployments', 'ADDED', canary);
    await until(
      () => meter.value('gitops.cache.objects', deployments),
      count => count === objects.deployments!.length + 1,
      5_000,
    );
  });
});
