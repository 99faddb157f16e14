import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { setupServer } from 'msw/node';
import { FakeKubeApi } from '../../__testUtils__/fakeKubeApi';
import {
  FIXTURE_SERVER as SERVER,
  watchFixtureCluster,
} from '../../__testUtils__/fixtureWatch';
import {
  FIXTURE_NOW,
  healthyArgoService,
  healthyFluxService,
} from './__fixtures__/clusterObjects';
import {
  FailureScenario,
  failureScenarios,
} from './__fixtures__/failureScenarios';
import { ClusterWatch } from './ClusterWatch';
import { diagnose } from './diagnose';
import { HINTS } from './hints';
import { KindKey, WATCHED_KINDS } from './kinds';
import { selectServiceObjects } from './selectServiceObjects';

function desiredOf(scenario: FailureScenario): DesiredState {
  return {
    layout: 'kustomize',
    ...scenario.desired,
    autoscaling: null,
    resources: null,
    namespace: scenario.namespace,
    workload: scenario.service,
    source: {
      repo: 'r',
      branch: 'main',
      path: `apps/${scenario.service}/overlays/${scenario.env}`,
      revision: 'x',
    },
    warnings: [],
  };
}

/**
 * Every failure-mode fixture goes through the real informers (KindInformer, LivenessWatch), served by
 * msw: once as the initial list, once as watch events turning a healthy service into the failure.
 */
describe('failure modes read through the watch cache', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const watchOf = async (api: FakeKubeApi) =>
    (await watchFixtureCluster(server, api)).watch;

  function problemTypes(watch: ClusterWatch, scenario: FailureScenario) {
    const objects = selectServiceObjects(watch, {
      namespace: scenario.namespace,
      environment: scenario.env,
      kubernetesId: scenario.service,
      argoAppSelector: `app.kubernetes.io/name=${scenario.service}`,
    });
    return diagnose(objects, {
      desired: desiredOf(scenario),
      expectAutoSync: true,
      argoReconcileSeconds: 180,
      now: new Date(FIXTURE_NOW),
    });
  }

  it.each(failureScenarios.map(s => [s.name, s] as const))(
    'finds %s in the listed objects',
    async (_name, scenario) => {
      const api = new FakeKubeApi(SERVER);
      api.load(scenario.snapshot);
      const watch = await watchOf(api);
      try {
        const problems = problemTypes(watch, scenario);
        expect(problems.map(p => p.type).sort()).toEqual(
          [scenario.type, ...scenario.alsoProduces].sort(),
        );
        expect(problems.find(p => p.type === scenario.type)?.hint).toBe(
          HINTS[scenario.type],
        );
      } finally {
        await watch.stop();
      }
    },
  );

  it.each(failureScenarios.map(s => [s.name, s] as const))(
    'finds %s after watch events turn a healthy service into it',
    async (_name, scenario) => {
      const healthy = (
        scenario.engine === 'flux' ? healthyFluxService : healthyArgoService
      )({
        service: scenario.service,
        env: scenario.env,
        tag: 'v1.0.3',
        replicas: 3,
      });
      const api = new FakeKubeApi(SERVER);
      api.load(healthy);
      const watch = await watchOf(api);
      try {
        const kinds = Object.keys(WATCHED_KINDS) as KindKey[];
        const key = (o: any) => `${o.metadata?.namespace}/${o.metadata?.name}`;
        for (const kind of kinds) {
          const wanted = new Map(
            ((scenario.snapshot as any)[kind] ?? []).map((o: any) => [
              key(o),
              o,
            ]),
          );
          for (const old of (healthy as any)[kind] ?? []) {
            if (!wanted.has(key(old))) api.emit(kind, 'DELETED', old);
          }
          for (const object of wanted.values())
            api.emit(kind, 'MODIFIED', object as any);
        }
        // Events arrive asynchronously; wait until the cache holds the failure's objects.
        const expected = [scenario.type, ...scenario.alsoProduces].sort();
        let types: string[] = [];
        for (let i = 0; i < 100; i++) {
          types = problemTypes(watch, scenario)
            .map(p => p.type)
            .sort();
          if (JSON.stringify(types) === JSON.stringify(expected)) break;
          await new Promise(resolve => setTimeout(resolve, 10));
        }
        expect(types).toEqual(expected);
        expect(api.totalLists()).toBe(kinds.length);
      } finally {
        await watch.stop();
      }
    },
  );
});
