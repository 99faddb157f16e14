import {
  DeploymentKind,
  DeploymentRecord,
  DoraMetric,
} from '@gitops-backstage/plugin-gitops-common';
import { InputError } from '@backstage/errors';
import { computeDeliveryMetrics } from './doraMetrics';

const DAY_MS = 86_400_000;
let lastId = 0;

/** A ledger row; `committed` defaults to `observed`, `entity` to `a`. */
function record(fields: {
  entity?: string;
  env: string;
  version: string;
  kind?: DeploymentKind;
  outcome?: 'succeeded' | 'failed';
  committed?: string;
  observed: string;
}): DeploymentRecord {
  lastId++;
  return {
    id: `r${String(lastId).padStart(5, '0')}`,
    entityRef: `component:default/${fields.entity ?? 'a'}`,
    environment: fields.env,
    revision: `sha${lastId}`,
    version: fields.version,
    previousVersion: null,
    kind: fields.kind ?? 'promote',
    outcome: fields.outcome ?? 'succeeded',
    actionId: null,
    committedAt: fields.committed ?? fields.observed,
    observedAt: fields.observed,
    backfilled: false,
  };
}

/** `row('staging v2 @2026-11-02T10:00Z', { kind: 'rollback' })`: a ledger row, briefly. */
function row(
  what: string,
  fields: Omit<
    Parameters<typeof record>[0],
    'env' | 'version' | 'observed'
  > = {},
): DeploymentRecord {
  const [, env, version, observed] = /^(\S+) (\S+) @(\S+)$/.exec(what)!;
  return record({ env, version, observed, ...fields });
}

/** Metrics over the week 2026-11-01 – 2026-11-08 (UTC) unless told otherwise. */
function compute(
  records: DeploymentRecord[],
  options: { from?: string; to?: string; failureWindowHours?: number } = {},
) {
  return computeDeliveryMetrics({
    records,
    environments: ['dev', 'staging', 'prod'],
    window: {
      from: new Date(options.from ?? '2026-11-01T00:00Z'),
      to: new Date(options.to ?? '2026-11-08T00:00Z'),
    },
    failureWindowHours: options.failureWindowHours ?? 24,
    entities: 2,
  });
}

function environment(records: DeploymentRecord[], name: string) {
  const found = compute(records).environments.find(e => e.environment === name);
  if (!found) throw new Error(`no ${name} in the answer`);
  return found;
}

/** [value, samples, band, target met]: what each assertion checks of a metric. */
function verdict(metric: DoraMetric) {
  return [metric.value, metric.samples, metric.band, metric.target.met];
}

const noSample = [null, 0, null, null];

describe('computeDeliveryMetrics', () => {
  it('answers an empty window with every environment, zero counts, null metrics and one entry per day', () => {
    const answer = compute([]);
    expect(answer.window).toEqual({
      days: 7,
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-08T00:00:00.000Z',
    });
    expect(answer.failureWindowHours).toBe(24);
    expect(answer.entities).toBe(2);
    expect(answer.environments.map(e => e.environment)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    for (const env of answer.environments) {
      expect(verdict(env.deploymentFrequency)).toEqual(noSample);
      expect(verdict(env.leadTime)).toEqual(noSample);
      expect(verdict(env.hopLeadTime)).toEqual(noSample);
      expect(verdict(env.changeFailureRate)).toEqual(noSample);
      expect(verdict(env.timeToRestore)).toEqual(noSample);
      expect(env.counts).toEqual({
        deployments: 0,
        promotions: 0,
        rollbacks: 0,
        external: 0,
        failed: 0,
      });
      expect(env.leadTimes).toEqual([]);
      expect(env.daily.map(d => d.date)).toEqual([
        '2026-11-01',
        '2026-11-02',
        '2026-11-03',
        '2026-11-04',
        '2026-11-05',
        '2026-11-06',
        '2026-11-07',
      ]);
      expect(
        env.daily.every(d => !d.deployments && !d.rollbacks && !d.failed),
      ).toBe(true);
    }
  });

  describe('deployment frequency', () => {
    // n deployments spread evenly over [from, to).
    const spread = (n: number, from: string, to: string) => {
      const start = Date.parse(from);
      const step = (Date.parse(to) - start) / n;
      return Array.from({ length: n }, (_, i) =>
        record({
          env: 'dev',
          version: `v${i}`,
          kind: 'external',
          observed: new Date(start + i * step).toISOString(),
        }),
      );
    };

    it.each([
      // deployments, from, to, value, band, target met
      [70, '2026-11-01T00:00Z', '2026-11-08T00:00Z', 10, 'elite', true],
      [69, '2026-11-01T00:00Z', '2026-11-08T00:00Z', 9.86, 'elite', false],
      [7, '2026-11-01T00:00Z', '2026-11-08T00:00Z', 1, 'elite', false],
      [6, '2026-11-01T00:00Z', '2026-11-08T00:00Z', 0.86, 'high', false],
      [1, '2026-11-01T00:00Z', '2026-11-08T00:00Z', 0.14, 'high', false],
      [4, '2026-11-01T00:00Z', '2026-12-01T00:00Z', 0.13, 'medium', false],
      [1, '2026-11-01T00:00Z', '2026-12-01T00:00Z', 0.03, 'medium', false],
      // October has 31 days: once a month is not quite reached.
      [1, '2026-10-01T00:00Z', '2026-11-01T00:00Z', 0.03, 'low', false],
    ])(
      'counts %p deployments from %s to %s as %p per day (%s)',
      (n, from, to, value, band, met) => {
        const dev = compute(spread(n, from, to), { from, to }).environments[0];
        expect(verdict(dev.deploymentFrequency)).toEqual([value, n, band, met]);
        expect(dev.deploymentFrequency.unit).toBe('perDay');
        expect(dev.counts.external).toBe(n);
        expect(dev.daily).toHaveLength(
          (Date.parse(to) - Date.parse(from)) / DAY_MS,
        );
      },
    );
  });

  describe('lead time', () => {
    const pipeline = [
      row('dev v1 @2026-11-01T10:30Z', {
        kind: 'external',
        committed: '2026-11-01T10:00Z',
      }),
      row('staging v1 @2026-11-01T12:30Z', { committed: '2026-11-01T12:00Z' }),
      row('prod v1 @2026-11-02T10:00Z', { committed: '2026-11-02T09:00Z' }),
      // v2 never reaches prod.
      row('dev v2 @2026-11-03T08:15Z', {
        kind: 'external',
        committed: '2026-11-03T08:00Z',
      }),
      row('staging v2 @2026-11-03T09:15Z', { committed: '2026-11-03T09:00Z' }),
    ];

    it('measures from the first commit in dev through staging and prod, and per hop', () => {
      const [dev, staging, prod] = compute(pipeline).environments;
      // dev: 0.5 h and 0.25 h from commit to running.
      expect(verdict(dev.leadTime)).toEqual([0.38, 2, 'elite', true]);
      expect(verdict(dev.hopLeadTime)).toEqual(noSample);
      expect(dev.leadTimes).toEqual([
        { version: 'v1', at: '2026-11-01T10:30:00.000Z', hours: 0.5 },
        { version: 'v2', at: '2026-11-03T08:15:00.000Z', hours: 0.25 },
      ]);
      // staging: 2.5 h and 1.25 h from the dev commits; hops of 2 h and 1 h.
      expect(verdict(staging.leadTime)).toEqual([1.88, 2, 'elite', false]);
      expect(verdict(staging.hopLeadTime)).toEqual([1.5, 2, 'elite', false]);
      // prod: only v1, 24 h after its dev commit, 21.5 h after staging ran it.
      expect(verdict(prod.leadTime)).toEqual([24, 1, 'high', false]);
      expect(verdict(prod.hopLeadTime)).toEqual([21.5, 1, 'elite', false]);
      expect(prod.leadTimes).toEqual([
        { version: 'v1', at: '2026-11-02T10:00:00.000Z', hours: 24 },
      ]);
      expect(prod.leadTime.unit).toBe('hours');
    });

    it('counts a clock skew (running before committed) as zero', () => {
      const staging = environment(
        [
          row('staging v9 @2026-11-02T10:00Z', {
            committed: '2026-11-02T10:05Z',
          }),
        ],
        'staging',
      );
      expect(verdict(staging.leadTime)).toEqual([0, 1, 'elite', true]);
      expect(staging.leadTimes[0].hours).toBe(0);
    });

    it("starts from the row's own commit when the first environment never had the version", () => {
      const prod = environment(
        [
          row('prod hotfix @2026-11-02T03:00Z', {
            committed: '2026-11-02T00:00Z',
          }),
          // The same version string of another entity in dev is not this version.
          row('dev hotfix @2026-10-20T00:10Z', {
            entity: 'b',
            committed: '2026-10-20T00:00Z',
          }),
        ],
        'prod',
      );
      expect(verdict(prod.leadTime)).toEqual([3, 1, 'elite', false]);
      expect(verdict(prod.hopLeadTime)).toEqual(noSample);
    });

    it('ignores rows outside the window but still starts from a first commit made before it', () => {
      const [dev, staging] = compute([
        row('dev v3 @2026-10-25T01:00Z', {
          kind: 'external',
          committed: '2026-10-25T00:00Z',
        }),
        row('staging v3 @2026-11-02T00:00Z'),
        // `to` is exclusive.
        row('staging v4 @2026-11-08T00:00Z'),
      ]).environments;
      expect(dev.counts.deployments).toBe(0);
      expect(verdict(dev.deploymentFrequency)).toEqual(noSample);
      expect(verdict(dev.leadTime)).toEqual(noSample);
      expect(staging.counts.deployments).toBe(1);
      // 8 days = 192 h from the dev commit, 191 h after dev ran it.
      expect(verdict(staging.leadTime)).toEqual([192, 1, 'medium', false]);
      expect(verdict(staging.hopLeadTime)).toEqual([191, 1, 'medium', false]);
    });

    it('takes the latest healthy arrival in the previous environment at or before this one', () => {
      const staging = environment(
        [
          row('dev v5 @2026-11-02T01:00Z', {
            kind: 'external',
            committed: '2026-11-02T00:00Z',
          }),
          row('dev v6 @2026-11-02T02:00Z', { kind: 'external' }),
          row('dev v5 @2026-11-02T03:00Z', { kind: 'rollback' }),
          row('dev v5 @2026-11-02T03:30Z', {
            outcome: 'failed',
            kind: 'external',
          }),
          row('staging v5 @2026-11-02T04:00Z'),
          // After the staging arrival: not its hop.
          row('dev v5 @2026-11-02T05:00Z', { kind: 'rollback' }),
        ],
        'staging',
      );
      expect(verdict(staging.hopLeadTime)).toEqual([1, 1, 'elite', true]);
      expect(verdict(staging.leadTime)).toEqual([4, 1, 'elite', false]);
    });
  });

  describe('change failure rate and time to restore', () => {
    it.each([
      {
        name: 'a rollback within the failure window fails the change',
        rows: [
          row('staging v2 @2026-11-02T10:00Z'),
          row('staging v1 @2026-11-02T20:00Z', { kind: 'rollback' }),
        ],
        rate: [100, 1, 'low', false],
        restore: [600, 1, 'high', false],
      },
      {
        name: 'a rollback exactly at the end of the failure window still fails it',
        rows: [
          row('staging v2 @2026-11-02T10:00Z'),
          row('staging v1 @2026-11-03T10:00Z', { kind: 'rollback' }),
        ],
        rate: [100, 1, 'low', false],
        restore: [1_440, 1, 'medium', false],
      },
      {
        name: 'a rollback after the failure window does not',
        rows: [
          row('staging v2 @2026-11-02T10:00Z'),
          row('staging v1 @2026-11-03T11:00Z', { kind: 'rollback' }),
        ],
        rate: [0, 1, 'elite', true],
        restore: noSample,
      },
      {
        name: 'a rollback after the analysis window still fails a change inside it',
        rows: [
          row('staging v2 @2026-11-07T20:00Z'),
          row('staging v1 @2026-11-08T02:00Z', { kind: 'rollback' }),
        ],
        rate: [100, 1, 'low', false],
        restore: [360, 1, 'high', false],
      },
      {
        name: 'a change that failed to run is failed, and left out of restore until something runs',
        rows: [row('staging v2 @2026-11-02T10:00Z', { outcome: 'failed' })],
        rate: [100, 1, 'low', false],
        restore: noSample,
      },
      {
        name: 'a rollback of a rollback fails only the change before the first rollback',
        rows: [
          row('staging v2 @2026-11-02T10:00Z'),
          row('staging v1 @2026-11-02T11:00Z', { kind: 'rollback' }),
          row('staging v2 @2026-11-02T12:00Z', { kind: 'rollback' }),
        ],
        rate: [100, 1, 'low', false],
        restore: [60, 1, 'high', false],
      },
      {
        name: 'a fix forward restores a failed change; an unrestored failure of another entity is left out',
        rows: [
          row('staging v2 @2026-11-02T10:00Z', { outcome: 'failed' }),
          row('staging v3 @2026-11-02T10:10Z', { kind: 'external' }),
          row('staging v5 @2026-11-03T00:00Z', {
            entity: 'b',
            outcome: 'failed',
          }),
        ],
        rate: [66.67, 3, 'low', false],
        restore: [10, 1, 'elite', true],
      },
      {
        name: 'a fix forward that is itself rolled back restores neither; the rollback restores both',
        rows: [
          row('staging v2 @2026-11-02T10:00Z', { outcome: 'failed' }),
          row('staging v3 @2026-11-02T10:30Z'),
          row('staging v1 @2026-11-02T10:45Z', { kind: 'rollback' }),
        ],
        rate: [100, 2, 'low', false],
        restore: [30, 2, 'elite', false],
      },
      {
        name: 'scaling is neither a change nor the row after one, nor a restore',
        rows: [
          row('staging v1 @2026-11-02T10:00Z'),
          row('staging v1 @2026-11-02T11:00Z', { kind: 'scale' }),
          row('staging v0 @2026-11-02T12:00Z', { kind: 'rollback' }),
          row('staging v4 @2026-11-03T10:00Z', { outcome: 'failed' }),
          row('staging v4 @2026-11-03T11:00Z', { kind: 'scale' }),
          row('staging v4 @2026-11-03T12:00Z', {
            kind: 'scale',
            outcome: 'failed',
          }),
        ],
        rate: [100, 2, 'low', false],
        restore: [120, 1, 'high', false],
      },
    ])('$name', ({ rows, rate, restore }) => {
      const staging = environment(rows, 'staging');
      expect(verdict(staging.changeFailureRate)).toEqual(rate);
      expect(verdict(staging.timeToRestore)).toEqual(restore);
      expect(staging.changeFailureRate.unit).toBe('percent');
      expect(staging.timeToRestore.unit).toBe('minutes');
    });

    it('leaves scaling out of frequency and counts', () => {
      const staging = environment(
        [
          row('staging v1 @2026-11-02T10:00Z'),
          row('staging v1 @2026-11-02T11:00Z', { kind: 'scale' }),
          row('staging v1 @2026-11-02T12:00Z', {
            kind: 'scale',
            outcome: 'failed',
          }),
        ],
        'staging',
      );
      expect(verdict(staging.deploymentFrequency)).toEqual([
        0.14,
        1,
        'high',
        false,
      ]);
      expect(staging.counts).toEqual({
        deployments: 1,
        promotions: 1,
        rollbacks: 0,
        external: 0,
        failed: 0,
      });
      expect(staging.daily[1]).toEqual({
        date: '2026-11-02',
        deployments: 1,
        rollbacks: 0,
        failed: 0,
      });
    });
  });

  it('keeps two entities in one environment apart', () => {
    const staging = environment(
      [
        row('dev v1 @2026-11-01T00:30Z', {
          entity: 'a',
          kind: 'external',
          committed: '2026-11-01T00:00Z',
        }),
        row('dev v1 @2026-11-02T00:30Z', {
          entity: 'b',
          kind: 'external',
          committed: '2026-11-02T00:00Z',
        }),
        row('staging v1 @2026-11-02T10:00Z', { entity: 'a' }),
        row('staging v1 @2026-11-02T10:30Z', { entity: 'b' }),
        row('staging v0 @2026-11-02T11:00Z', { entity: 'a', kind: 'rollback' }),
      ],
      'staging',
    );
    expect(verdict(staging.deploymentFrequency)).toEqual([
      0.43,
      3,
      'high',
      false,
    ]);
    // a's promotion is rolled back, b's is not: the rollback follows a, not b.
    expect(verdict(staging.changeFailureRate)).toEqual([50, 2, 'low', false]);
    expect(verdict(staging.timeToRestore)).toEqual([60, 1, 'high', false]);
    // a: 34 h from its dev commit; b: 10.5 h from its own. Hops of 33.5 h and 10 h.
    expect(verdict(staging.leadTime)).toEqual([22.25, 2, 'elite', false]);
    expect(verdict(staging.hopLeadTime)).toEqual([21.75, 2, 'elite', false]);
  });

  it('scores the demo: promote v2, roll back to v1, promote v2 again', () => {
    const answer = compute([
      row('dev v2 @2026-11-03T09:10Z', {
        kind: 'external',
        committed: '2026-11-03T09:00Z',
      }),
      row('staging v2 @2026-11-03T10:00Z'),
      row('staging v1 @2026-11-03T10:20Z', { kind: 'rollback' }),
      row('staging v2 @2026-11-03T11:00Z'),
    ]);
    const staging = answer.environments[1];
    expect(staging.counts).toEqual({
      deployments: 3,
      promotions: 2,
      rollbacks: 1,
      external: 0,
      failed: 0,
    });
    expect(verdict(staging.deploymentFrequency)).toEqual([
      0.43,
      3,
      'high',
      false,
    ]);
    expect(verdict(staging.changeFailureRate)).toEqual([50, 2, 'low', false]);
    // t1 − t0 = 20 minutes.
    expect(verdict(staging.timeToRestore)).toEqual([20, 1, 'elite', false]);
    // 1 h and 2 h from the dev commit; 50 and 110 minutes after dev ran v2.
    expect(staging.leadTimes).toEqual([
      { version: 'v2', at: '2026-11-03T10:00:00.000Z', hours: 1 },
      { version: 'v2', at: '2026-11-03T11:00:00.000Z', hours: 2 },
    ]);
    expect(verdict(staging.leadTime)).toEqual([1.5, 2, 'elite', false]);
    expect(verdict(staging.hopLeadTime)).toEqual([1.33, 2, 'elite', false]);
    expect(staging.daily[2]).toEqual({
      date: '2026-11-03',
      deployments: 3,
      rollbacks: 1,
      failed: 0,
    });
    expect(answer.environments[2].counts.deployments).toBe(0);
    expect(verdict(answer.environments[2].leadTime)).toEqual(noSample);
  });

  it('puts each row of the window on its UTC day, the edges included', () => {
    const dev = environment(
      [
        row('dev v0 @2026-10-31T23:59Z', { kind: 'external' }),
        row('dev v1 @2026-11-01T00:00Z', { kind: 'external' }),
        row('dev v2 @2026-11-04T12:00Z', {
          kind: 'external',
          outcome: 'failed',
        }),
        row('dev v1 @2026-11-04T13:00Z', { kind: 'rollback' }),
        row('dev v3 @2026-11-07T23:59Z', { kind: 'create' }),
        row('dev v4 @2026-11-08T00:00Z', { kind: 'external' }),
      ],
      'dev',
    );
    expect(
      dev.daily.map(d => [d.date, d.deployments, d.rollbacks, d.failed]),
    ).toEqual([
      ['2026-11-01', 1, 0, 0],
      ['2026-11-02', 0, 0, 0],
      ['2026-11-03', 0, 0, 0],
      ['2026-11-04', 1, 1, 1],
      ['2026-11-05', 0, 0, 0],
      ['2026-11-06', 0, 0, 0],
      ['2026-11-07', 1, 0, 0],
    ]);
    expect(dev.counts).toEqual({
      deployments: 3,
      promotions: 1,
      rollbacks: 1,
      external: 1,
      failed: 1,
    });
  });

  it('covers the partial UTC days of a window not aligned to midnight', () => {
    const answer = compute([row('prod v1 @2026-11-08T06:00Z')], {
      from: '2026-11-01T12:00Z',
      to: '2026-11-08T12:00Z',
    });
    const prod = answer.environments[2];
    expect(answer.window.days).toBe(7);
    expect(prod.daily).toHaveLength(8);
    expect(prod.daily[0].date).toBe('2026-11-01');
    expect(prod.daily[7]).toEqual({
      date: '2026-11-08',
      deployments: 1,
      rollbacks: 0,
      failed: 0,
    });
  });

  it('rounds the window length to two decimals and ignores environments not asked for', () => {
    const answer = compute([row('qa v1 @2026-11-01T01:00Z')], {
      to: '2026-11-01T08:00Z',
    });
    expect(answer.window.days).toBe(0.33);
    expect(answer.environments.map(e => e.counts.deployments)).toEqual([
      0, 0, 0,
    ]);
  });

  it.each([
    [{ to: '2026-11-01T00:00Z' }],
    [{ to: '2026-10-01T00:00Z' }],
    [{ failureWindowHours: -1 }],
  ])('rejects %p', options => {
    expect(() => compute([], options)).toThrow(InputError);
  });
});
