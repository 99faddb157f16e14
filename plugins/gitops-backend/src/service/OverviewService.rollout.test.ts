import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { ProgressiveRollout } from '@gitops-backstage/plugin-gitops-common';
import { fleetEntity } from '../__testUtils__/fleet';
import { EnvironmentService } from './EnvironmentService';
import { OverviewService } from './OverviewService';

/** Per service index, the prod rollout the environments answer. */
const ROLLOUTS: Array<Partial<ProgressiveRollout> | null> = [
  { health: 'Paused', weight: 20, step: 2, steps: 8 },
  { health: 'Progressing', weight: 40, step: 4, steps: 8 },
  { health: 'Degraded', weight: 0, step: 3, steps: 8 },
  { health: 'Healthy', weight: 100, step: 8, steps: 8 },
  null,
];

function environments(): EnvironmentService {
  return {
    clusterState: () => 'prod=up',
    fleetStamp: async () => 'quiet fleet',
    getEnvironments: async (entity: any) => {
      const index = Number(entity.metadata.name.replace(/\D/g, ''));
      return {
        entityRef: `component:default/${entity.metadata.name}`,
        environments: [
          {
            name: 'prod',
            desired: { tag: 'v2', digest: null },
            live: null,
            sync: null,
            drift: [],
            problems: [],
            registry: null,
            error: null,
            rollout: ROLLOUTS[index] as ProgressiveRollout | null,
          },
        ],
      };
    },
  } as unknown as EnvironmentService;
}

describe('OverviewService: progressive rollouts in the fleet', () => {
  const overview = new OverviewService({
    catalog: catalogServiceMock({
      entities: ROLLOUTS.map((_, i) => fleetEntity(i)),
    }),
    environments: environments(),
    logger: mockServices.logger.mock(),
    reuseMs: 0,
  });
  const alice = mockCredentials.user('user:default/alice');

  it('carries the health, weight and step of a rollout under way or stopped, nothing for a done one', async () => {
    const page = await overview.overview({}, alice);
    expect(
      page.items.map(item => item.environments[0].rollout ?? null),
    ).toEqual([
      { health: 'Paused', weight: 20, step: 2, steps: 8 },
      { health: 'Progressing', weight: 40, step: 4, steps: 8 },
      { health: 'Degraded', weight: 0, step: 3, steps: 8 },
      null,
      null,
    ]);
  });

  it('filters the services with a rollout under way, paused or aborted', async () => {
    const page = await overview.overview({ status: 'rollout' }, alice);
    expect(page.totalCount).toBe(3);
  });
});
