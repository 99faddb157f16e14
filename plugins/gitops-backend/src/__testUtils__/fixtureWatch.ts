import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { SetupServer } from 'msw/node';
import { FIXTURE_NOW } from '../service/live/__fixtures__/clusterObjects';
import { readClusters } from '../service/live/clusterConfig';
import { ClusterWatch } from '../service/live/ClusterWatch';
import { FakeKubeApi } from './fakeKubeApi';

/** The API server URL the fixture watches are served on (by msw, never a real host). */
export const FIXTURE_SERVER = 'https://127.0.0.1:6443';

/**
 * A cluster watch through the real informers (KindInformer, LivenessWatch) over `api`, served by
 * `server` (msw), ready once every kind was listed. The fixtures are dated relative to
 * FIXTURE_NOW (events older than an hour are dropped), so the watch's clock is that.
 */
export async function watchFixtureCluster(
  server: SetupServer,
  api: FakeKubeApi,
): Promise<{
  watch: ClusterWatch;
  logger: ReturnType<typeof mockServices.logger.mock>;
}> {
  server.use(...api.handlers());
  const [cluster] = readClusters(
    new ConfigReader({
      gitops: {
        clusters: [
          {
            name: 'test',
            url: FIXTURE_SERVER,
            serviceAccountToken: 't',
            skipTLSVerify: true,
          },
        ],
      },
    }),
  );
  const logger = mockServices.logger.mock();
  const watch = new ClusterWatch({
    name: 'test',
    kubeConfig: cluster.kubeConfig,
    logger,
    timeoutMs: 2000,
    now: () => Date.parse(FIXTURE_NOW),
  });
  watch.start();
  await watch.whenReady(2000);
  return { watch, logger };
}
