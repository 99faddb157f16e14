import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  GUESTBOOK_TAGS,
  guestbookObjects,
} from '../../__testUtils__/guestbook';
import { HttpKubeApi } from '../../__testUtils__/httpKubeApi';
import { installTestMeterProvider } from '../../__testUtils__/metricReader';
import { readClusters } from '../live/clusterConfig';
import { ClusterWatch } from '../live/ClusterWatch';
import { LiveStateCache } from '../live/LiveStateCache';

/*
 * The watch metrics of a real cache against a Kubernetes API server on a real socket: they
 * move when the cluster's objects change, and when the API server stops answering and
 * comes back.
 */

jest.setTimeout(60_000);

const meter = installTestMeterProvider();
afterAll(() => meter.shutdown());

async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  limitMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > limitMs) {
      throw new Error(`not reached within ${limitMs} ms: ${String(value)}`);
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

describe('watch metrics on a real socket', () => {
  let api: HttpKubeApi;
  let cache: LiveStateCache | undefined;
  beforeEach(async () => {
    api = await new HttpKubeApi().start();
  });
  afterEach(async () => {
    await cache?.stop();
    cache = undefined;
    await api.stop();
  });

  function startCache() {
    const clusters = readClusters(
      new ConfigReader({
        gitops: {
          clusters: [
            {
              name: 'local',
              url: api.url,
              serviceAccountToken: 'local-secret',
              skipTLSVerify: true,
            },
          ],
        },
      }),
    );
    cache = new LiveStateCache({
      clusters,
      logger: mockServices.logger.mock(),
      // A cold cluster's first list of every kind, on a CI machine busy with three Jest workers.
      timeoutMs: 5000,
      watchTimeoutSeconds: 2,
      backoffMs: 50,
      maxBackoffMs: 200,
    });
    cache.start();
    return cache;
  }

  const local = (kind: string) => ({ cluster: 'local', kind });

  it('reports the objects cached per kind, and follows them as the cluster changes', async () => {
    const objects = guestbookObjects({
      dev: { tag: GUESTBOOK_TAGS.dev, replicas: 1 },
      prod: { tag: GUESTBOOK_TAGS.prod, replicas: 3 },
    });
    api.load(objects);
    await startCache().read('local');
    const deployments = objects.deployments!.length;
    expect(
      await meter.value('gitops.cache.objects', local('deployments')),
    ).toBe(deployments);
    expect(await meter.value('gitops.cache.objects', local('pods'))).toBe(
      objects.pods!.length,
    );
    await eventually(
      () => meter.value('gitops.watch.connected', local('deployments')),
      connected => connected === 1,
    );
    expect(
      await meter.value('gitops.watch.lag', local('deployments')),
    ).toBeLessThan(2);

    const added = structuredClone(objects.deployments![0]);
    added.metadata.name = 'guestbook-canary';
    api.apply('deployments', 'ADDED', added);
    await eventually(
      () => meter.value('gitops.cache.objects', local('deployments')),
      count => count === deployments + 1,
    );
    api.apply('deployments', 'DELETED', objects.deployments![0]);
    api.apply('deployments', 'DELETED', added);
    await eventually(
      () => meter.value('gitops.cache.objects', local('deployments')),
      count => count === deployments - 1,
    );
  });

  it('counts reconnects and shows the lag growing while the API server hangs, then back to current', async () => {
    api.load(
      guestbookObjects({ prod: { tag: GUESTBOOK_TAGS.prod, replicas: 3 } }),
    );
    await startCache().read('local');
    await eventually(
      () => meter.value('gitops.watch.connected', local('deployments')),
      connected => connected === 1,
    );
    const reconnects = async () =>
      (await meter.value(
        'gitops.watch.reconnect.count',
        local('deployments'),
      )) ?? 0;
    expect(await reconnects()).toBe(0);

    // Open watches end and every new request hangs: each attempt fails at its time-out.
    api.hang();
    await eventually(reconnects, count => count >= 1);
    expect(
      await meter.value('gitops.watch.connected', local('deployments')),
    ).toBe(0);
    const lag = await eventually(
      async () =>
        (await meter.value('gitops.watch.lag', local('deployments'))) ?? 0,
      seconds => seconds > 1.5,
    );
    expect(lag).toBeLessThan(30);

    api.recover();
    await eventually(
      () => meter.value('gitops.watch.connected', local('deployments')),
      connected => connected === 1,
    );
    expect(
      await meter.value('gitops.watch.lag', local('deployments')),
    ).toBeLessThan(1);
    // The objects are still there: an outage keeps the cache.
    expect(
      await meter.value('gitops.cache.objects', local('deployments')),
    ).toBeGreaterThan(0);
  });

  it('reads the caches only when metrics are collected, and no more once stopped', async () => {
    const objects = guestbookObjects({
      prod: { tag: GUESTBOOK_TAGS.prod, replicas: 1 },
    });
    api.load(objects);
    const samples = jest.spyOn(ClusterWatch.prototype, 'watchSamples');
    try {
      await startCache().read('local');
      const scaled = structuredClone(objects.deployments![0]);
      scaled.spec.replicas = 2;
      api.apply('deployments', 'MODIFIED', scaled);
      await new Promise(resolve => setTimeout(resolve, 200));
      expect(samples).not.toHaveBeenCalled();
      await meter.collect();
      expect(samples).toHaveBeenCalledTimes(1);
      await cache!.stop();
      cache = undefined;
      // The SDK goes on exporting the last values it saw; the cache is not asked again.
      await meter.collect();
      expect(samples).toHaveBeenCalledTimes(1);
    } finally {
      samples.mockRestore();
    }
  });
});
