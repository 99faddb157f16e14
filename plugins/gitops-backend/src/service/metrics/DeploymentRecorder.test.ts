import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EnvironmentStatus,
  GitopsAction,
  HistoryItem,
} from '@gitops-backstage/plugin-gitops-common';
import { readGitopsConfig } from '../config';
import { DeploymentLedger } from '../store/DeploymentLedger';
import { DeploymentRecorder } from './DeploymentRecorder';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'guestbook',
    namespace: 'default',
    annotations: { 'gitops.backstage.io/path': 'apps/guestbook' },
  },
  spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
};

const NOW = new Date('2026-11-28T12:00:00.000Z');
const minutesAgo = (m: number) =>
  new Date(NOW.getTime() - m * 60_000).toISOString();

function item(
  revision: string,
  tag: string,
  committedMinutesAgo: number,
  extra: Partial<HistoryItem> = {},
): HistoryItem {
  return {
    revision: revision.repeat(40),
    author: 'ci-bot',
    message: `deploy ${tag}`,
    committedAt: minutesAgo(committedMinutesAgo),
    tag,
    digest: null,
    replicas: 2,
    autoscaling: null,
    changes: ['version'],
    promotionId: null,
    ...extra,
  };
}

const HEALTH = {
  settled: 'Healthy',
  rolling: 'Progressing',
  degraded: 'Degraded',
} as const;
type StagingState = keyof typeof HEALTH | 'aborted' | 'abortedOther';

function staging(state: StagingState, tag: string): EnvironmentStatus {
  if (state === 'aborted' || state === 'abortedOther') {
    // Argo Rollouts aborted the update: Argo CD calls it Degraded, the stable version serves.
    return {
      ...staging('degraded', tag),
      problems: [],
      rollout: {
        aborted: {
          at: NOW.toISOString(),
          message: 'Metric "success-rate" assessed Failed',
        },
        canary: {
          image: `ghcr.io/acme/checkout:${state === 'aborted' ? tag : 'v0'}`,
          revision: 'abc',
          ready: 0,
          pods: 0,
        },
      } as any,
    };
  }
  return {
    name: 'staging',
    desired: { tag, digest: null } as any,
    live: {
      rollout: { status: state === 'rolling' ? 'Progressing' : 'Complete' },
    } as any,
    sync: {
      engine: 'argocd',
      status: 'Synced',
      health: HEALTH[state],
    } as any,
    drift: [],
    problems:
      state === 'degraded'
        ? [
            {
              type: 'CrashLoopBackOff',
              severity: 'error',
              message: '',
              hint: '',
            } as any,
          ]
        : [],
    registry: null,
    error: null,
  };
}

/** The recorder over a real SQLite ledger, with the environment and history it is shown. */
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function setup(metrics: object = {}) {
  const knex = await databases.init('SQLITE_3');
  const ledger = await DeploymentLedger.create(knex);
  const shown: {
    env: EnvironmentStatus;
    items: HistoryItem[];
    actions: GitopsAction[];
    historyReads: number;
    others: EnvironmentStatus[];
    stateReads: number;
  } = {
    others: [],
    stateReads: 0,
    env: staging('settled', 'v1'),
    items: [],
    actions: [],
    historyReads: 0,
  };
  const config = new ConfigReader({
    gitops: { environments: [{ name: 'staging' }], metrics },
  });
  const recorder = () =>
    new DeploymentRecorder({
      config: readGitopsConfig(config, ScmIntegrations.fromConfig(config)),
      catalog: catalogServiceMock({ entities: [entity] }),
      auth: mockServices.auth(),
      ledger,
      logger: mockServices.logger.mock(),
      environments: {
        getEnvironments: async () => {
          shown.stateReads++;
          return { environments: [shown.env, ...shown.others] };
        },
        // The head and the cluster reads move with every test step here.
        basis: async () =>
          JSON.stringify([shown.items, shown.env, shown.others]),
        isCurrent: () => true,
      },
      getHistory: async () => {
        shown.historyReads++;
        return { items: shown.items, actions: shown.actions };
      },
    });
  return { ledger, shown, recorder, close: async () => {} };
}

describe('DeploymentRecorder', () => {
  it('fills a new environment from its Git history, then records each change once it runs', async () => {
    const { ledger, shown, recorder, close } = await setup();
    shown.items = [
      item('c', 'v3', 60 * 24),
      item('b', 'v2', 60 * 48),
      item('a', 'v1', 60 * 72),
    ];
    shown.env = staging('settled', 'v3');
    expect(await recorder().runOnce(NOW)).toBe(3);
    expect(
      (await ledger.list()).map(r => [
        r.version,
        r.previousVersion,
        r.kind,
        r.observedAt,
        r.backfilled,
      ]),
    ).toEqual([
      ['v1', null, 'external', minutesAgo(60 * 72), true],
      ['v2', 'v1', 'external', minutesAgo(60 * 48), true],
      // Older than the freshness limit when first seen: at its commit time, backfilled.
      ['v3', 'v2', 'external', minutesAgo(60 * 24), true],
    ]);

    // A promotion through the portal: nothing while it rolls out, then one row.
    const promotion = {
      id: '6f1c2f8e-0000-4000-8000-00000000000d',
      action: 'promote',
      status: 'Committed',
    } as GitopsAction;
    shown.items = [
      item('d', 'v4', 1, { promotionId: promotion.id, author: 'Alice' }),
      ...shown.items,
    ];
    shown.actions = [promotion];
    shown.env = staging('rolling', 'v4');
    expect(await recorder().runOnce(NOW)).toBe(0);
    shown.env = staging('settled', 'v4');
    expect(await recorder().runOnce(NOW)).toBe(1);
    expect(await recorder().runOnce(NOW)).toBe(0);
    expect((await ledger.list()).pop()).toMatchObject({
      version: 'v4',
      previousVersion: 'v3',
      kind: 'promote',
      actionId: promotion.id,
      outcome: 'succeeded',
      committedAt: minutesAgo(1),
      observedAt: NOW.toISOString(),
      backfilled: false,
    });
    await close();
  });

  it.each<[string, Partial<HistoryItem>, StagingState, number, string | null]>([
    [
      'an aborted rollout of the version is a failed deployment at once',
      {},
      'aborted',
      1,
      'external/failed',
    ],
    [
      'an abort of another version leaves the commit pending',
      {},
      'abortedOther',
      1,
      null,
    ],
    [
      'a scaling commit is a scale',
      { changes: ['scaling'] },
      'settled',
      1,
      'scale/succeeded',
    ],
    [
      'a degraded environment soon after the commit is still pending',
      {},
      'degraded',
      5,
      null,
    ],
    [
      'a degraded environment after failAfterMinutes has failed',
      {},
      'degraded',
      11,
      'external/failed',
    ],
  ])('%s', async (_what, extra, state, minutes, expected) => {
    const { ledger, shown, recorder, close } = await setup();
    shown.items = [item('a', 'v1', 60)];
    shown.env = staging('settled', 'v1');
    await recorder().runOnce(NOW);
    shown.items = [item('b', 'v2', minutes, extra), ...shown.items];
    shown.env = staging(state, 'v2');
    await recorder().runOnce(NOW);
    const rows = await ledger.list();
    expect(
      rows.length === 2 ? `${rows[1].kind}/${rows[1].outcome}` : null,
    ).toBe(expected);
    await close();
  });

  it('writes one row when two backend instances see the same change', async () => {
    const { ledger, shown, recorder, close } = await setup();
    shown.items = [item('a', 'v1', 60)];
    await recorder().runOnce(NOW);
    shown.items = [item('b', 'v2', 1), ...shown.items];
    shown.env = staging('settled', 'v2');
    const written = await Promise.all([
      recorder().runOnce(NOW),
      recorder().runOnce(NOW),
    ]);
    expect(written.reduce((a, b) => a + b)).toBe(1);
    expect((await ledger.list()).map(r => r.version)).toEqual(['v1', 'v2']);
    await close();
  });

  it('dates backfilled commits by the engine history: Argo CD revisions, Flux chart builds', async () => {
    const { ledger, shown, recorder } = await setup();
    shown.items = [
      item('c', 'v3', 60 * 24),
      item('b', 'v2', 60 * 48),
      item('a', 'v1', 60 * 72),
    ];
    shown.env = {
      ...staging('settled', 'v3'),
      sync: {
        ...staging('settled', 'v3').sync!,
        deployed: [
          // Flux: the chart built from commit c.
          {
            revision: null,
            version: `0.1.0+${'c'.repeat(12)}`,
            at: minutesAgo(60 * 24 - 3),
          },
          // Argo CD: commit b itself, and a sync after commit a.
          {
            revision: 'b'.repeat(40),
            version: null,
            at: minutesAgo(60 * 48 - 2),
          },
          {
            revision: 'f'.repeat(40),
            version: null,
            at: minutesAgo(60 * 72 - 1),
          },
        ],
      },
    };
    await recorder().runOnce(NOW);
    expect((await ledger.list()).map(r => [r.version, r.observedAt])).toEqual([
      ['v1', minutesAgo(60 * 72 - 1)],
      ['v2', minutesAgo(60 * 48 - 2)],
      ['v3', minutesAgo(60 * 24 - 3)],
    ]);
  });

  it('reads no Git history while what an environment declares is unchanged', async () => {
    const { shown, recorder } = await setup();
    shown.items = [item('a', 'v1', 60)];
    const one = recorder();
    await one.runOnce(NOW);
    await one.runOnce(NOW);
    const reads = shown.historyReads;
    await one.runOnce(NOW);
    expect(shown.historyReads).toBe(reads);
    // A new declaration is looked up.
    shown.items = [item('b', 'v2', 1), ...shown.items];
    shown.env = staging('settled', 'v2');
    expect(await one.runOnce(NOW)).toBe(1);
    expect(shown.historyReads).toBe(reads + 1);
  });

  it('reads at most historyReadsPerPass histories in a pass and goes on in the next', async () => {
    const { ledger, shown, recorder } = await setup({ historyReadsPerPass: 1 });
    shown.items = [item('a', 'v1', 60)];
    // A second environment with the same history: two reads needed, one per pass.
    shown.others = [{ ...staging('settled', 'v1'), name: 'prod' }];
    const one = recorder();
    expect(await one.runOnce(NOW)).toBe(1);
    expect(shown.historyReads).toBe(1);
    expect(await one.runOnce(NOW)).toBe(1);
    expect(shown.historyReads).toBe(2);
    expect((await ledger.list()).map(r => r.environment).sort()).toEqual([
      'prod',
      'staging',
    ]);
  });

  it('computes no state for an entity whose head and cluster objects did not move', async () => {
    const { shown, recorder } = await setup();
    shown.items = [item('a', 'v1', 60)];
    const one = recorder();
    await one.runOnce(NOW);
    const reads = shown.stateReads;
    await one.runOnce(NOW);
    await one.runOnce(NOW);
    expect(shown.stateReads).toBe(reads);
    // A rollout still going on is looked at again on every pass.
    shown.items = [item('b', 'v2', 1), ...shown.items];
    shown.env = staging('rolling', 'v2');
    await one.runOnce(NOW);
    await one.runOnce(NOW);
    expect(shown.stateReads).toBe(reads + 2);
  });
});
