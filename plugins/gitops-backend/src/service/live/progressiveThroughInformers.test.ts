import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { setupServer } from 'msw/node';
import { FakeKubeApi } from '../../__testUtils__/fakeKubeApi';
import {
  FIXTURE_SERVER as SERVER,
  watchFixtureCluster,
} from '../../__testUtils__/fixtureWatch';
import { FIXTURE_NOW, healthyArgoService } from './__fixtures__/clusterObjects';
import {
  NAMESPACE,
  ProgressiveScenario,
  SERVICE,
  argoScenarios,
} from './__fixtures__/progressive';
import { flaggerScenarios } from './__fixtures__/progressiveFlagger';
import { diagnose } from './diagnose';
import { ClusterObjects, KindKey, WATCHED_KINDS } from './kinds';
import { progressiveRollout } from './progressive/progressiveRollout';
import { scenarioObjects } from './progressive/__testUtils__/scenarioObjects';
import { selectServiceObjects } from './selectServiceObjects';

const PROGRESSIVE: KindKey[] = ['rollouts', 'analysisruns', 'canaries'];

const desired = (scenario: ProgressiveScenario): DesiredState => ({
  layout: 'kustomize',
  image: scenario.desired.image,
  tag: scenario.desired.tag,
  digest: null,
  replicas: null,
  autoscaling: null,
  resources: null,
  namespace: NAMESPACE,
  workload: SERVICE,
  source: { repo: 'r', branch: 'main', path: 'p', revision: 'x' },
  warnings: [],
});

/**
 * Rollouts, AnalysisRuns and Canaries read through the real informers (KindInformer, LivenessWatch)
 * served by msw: absent CRDs are "not installed" (no error, no warning), a forbidden kind is
 * one warning, and what the cache holds gives the same rollout and problems as the objects.
 */
describe('progressive delivery read through the watch cache', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const watchOf = (api: FakeKubeApi) => watchFixtureCluster(server, api);

  const view = (cluster: ClusterObjects, scenario: ProgressiveScenario) => {
    const found = selectServiceObjects(cluster, {
      namespace: NAMESPACE,
      environment: 'prod',
      kubernetesId: SERVICE,
      workloadName: SERVICE,
    });
    return {
      rollout: progressiveRollout(found, scenario.desired.image),
      problems: diagnose(found, {
        desired: desired(scenario),
        expectAutoSync: false,
        argoReconcileSeconds: 180,
        now: new Date(FIXTURE_NOW),
      }),
    };
  };

  it('reads absent CRDs as not installed: no rollout, no problem, no warning, nothing logged', async () => {
    const api = new FakeKubeApi(SERVER);
    api.load(
      healthyArgoService({
        service: SERVICE,
        env: 'prod',
        tag: 'v1.0.5',
        replicas: 3,
      }),
    );
    for (const kind of PROGRESSIVE) api.mode(kind, 'absent');
    const { watch, logger } = await watchOf(api);
    try {
      for (const kind of PROGRESSIVE)
        expect(watch.kindState(kind)).toBe('absent');
      expect(watch.warnings(NAMESPACE)).toEqual([]);
      expect(logger.warn).not.toHaveBeenCalled();
      const scenario = argoScenarios.completed();
      expect(view(watch, scenario)).toEqual({ rollout: null, problems: [] });
    } finally {
      await watch.stop();
    }
  });

  it('names a forbidden kind in one warning and still reads the others', async () => {
    const scenario = argoScenarios.abortedBySuccessRate();
    const api = new FakeKubeApi(SERVER);
    api.load(scenario.snapshot);
    api.mode('canaries', 'forbidden');
    const { watch, logger } = await watchOf(api);
    try {
      expect(watch.kindState('canaries')).toBe('forbidden');
      expect(watch.warnings(NAMESPACE)).toEqual([
        'cluster test: may not list canaries (403 Forbidden listing /apis/flagger.app/v1beta1/canaries): grant list, watch on canaries',
      ]);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(view(watch, scenario).problems.map(p => p.type)).toEqual([
        'RolloutAborted',
      ]);
    } finally {
      await watch.stop();
    }
  });

  const scenarios = [
    ...Object.values(argoScenarios),
    ...Object.values(flaggerScenarios),
  ].map(build => build());

  it.each(scenarios.map(s => [s.name, s] as const))(
    '%s: the cache gives what the objects give, with no API request per view',
    async (_name, scenario) => {
      const api = new FakeKubeApi(SERVER);
      api.load(scenario.snapshot);
      const { watch } = await watchOf(api);
      try {
        const lists = api.totalLists();
        expect(lists).toBe(Object.keys(WATCHED_KINDS).length);
        const fromCache = view(watch, scenario);
        const found = scenarioObjects(scenario);
        expect(fromCache.rollout).toEqual(
          progressiveRollout(found, scenario.desired.image),
        );
        expect(fromCache.rollout).not.toBeNull();
        for (let i = 0; i < 3; i++) view(watch, scenario);
        expect(api.totalLists()).toBe(lists);
      } finally {
        await watch.stop();
      }
    },
  );

  it('finds the abort after watch events turn a paused rollout into an aborted one', async () => {
    const paused = argoScenarios.pausedAtStep2();
    const aborted = argoScenarios.abortedBySuccessRate();
    const api = new FakeKubeApi(SERVER);
    api.load(paused.snapshot);
    const { watch } = await watchOf(api);
    try {
      expect(view(watch, paused).problems.map(p => p.type)).toEqual([
        'RolloutPaused',
      ]);
      api.emit('analysisruns', 'ADDED', aborted.snapshot.analysisruns![0]);
      api.emit('rollouts', 'MODIFIED', aborted.snapshot.rollouts![0]);
      let types: string[] = [];
      for (let i = 0; i < 100; i++) {
        const { problems, rollout } = view(watch, aborted);
        types = problems.map(p => p.type);
        if (types.includes('RolloutAborted') && rollout?.analysis) break;
        await new Promise(resolve => setTimeout(resolve, 10));
      }
      expect(types).toEqual(['RolloutAborted']);
      expect(view(watch, aborted).problems[0].message).toMatch(
        /success-rate measured \[0\.97\], \[0\.96\], \[0\.81\]/,
      );
    } finally {
      await watch.stop();
    }
  });
});
