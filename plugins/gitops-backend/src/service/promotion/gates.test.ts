import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { defaultEnvironment } from '@gitops-backstage/plugin-gitops-repository/testUtils';
import { EnvironmentConfig } from '../config';
import {
  desiredVersion,
  evaluateGates,
  formatVersion,
  runsVersion,
} from './gates';

const NOW = new Date('2026-11-25T12:00:00Z');

function env(
  name: string,
  promotion: Partial<EnvironmentConfig> = {},
): EnvironmentConfig {
  return { ...defaultEnvironment(name), allowedSources: ['dev'], ...promotion };
}

function source(overrides: {
  tag?: string | null;
  images?: string[];
  sync?: [string, string] | null;
  error?: string;
}): EnvironmentStatus {
  const tag = overrides.tag === undefined ? 'v1.0.5' : overrides.tag;
  return {
    name: 'dev',
    desired: {
      layout: 'kustomize',
      image: 'ghcr.io/acme/guestbook',
      tag,
      digest: null,
      replicas: 1,
      autoscaling: null,
      resources: null,
      namespace: null,
      workload: 'guestbook',
      source: { repo: 'r', branch: 'main', path: 'p', revision: 'x' },
      warnings: [],
    },
    live:
      overrides.sync === null
        ? null
        : ({
            images: overrides.images ?? ['ghcr.io/acme/guestbook:v1.0.5'],
          } as any),
    sync:
      overrides.sync === null
        ? null
        : ({
            status: (overrides.sync ?? ['Synced', 'Healthy'])[0],
            health: (overrides.sync ?? ['Synced', 'Healthy'])[1],
          } as any),
    drift: [],
    problems: [],
    registry: null,
    error: overrides.error ?? null,
  };
}

describe('evaluateGates', () => {
  it.each<
    [
      string,
      EnvironmentConfig,
      EnvironmentStatus,
      Date | null,
      Array<[string, boolean, string]>,
    ]
  >([
    [
      'passes a plain promotion from the previous environment',
      env('staging'),
      source({}),
      null,
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        ['versionKnown', true, 'dev declares v1.0.5'],
      ],
    ],
    [
      'fails a source that is not allowed',
      env('prod', { allowedSources: ['staging'] }),
      source({}),
      null,
      [
        [
          'allowedSource',
          false,
          'prod takes promotions only from staging, not from dev',
        ],
        ['versionKnown', true, 'dev declares v1.0.5'],
      ],
    ],
    [
      'fails a source without a version',
      env('staging'),
      source({ tag: null, error: 'apps/x: no kustomization.yaml' }),
      null,
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        [
          'versionKnown',
          false,
          'dev has no version to promote: apps/x: no kustomization.yaml',
        ],
      ],
    ],
    [
      'passes a healthy source running the version',
      env('staging', { requireHealthySource: true }),
      source({}),
      null,
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        ['versionKnown', true, 'dev declares v1.0.5'],
        ['healthySource', true, 'dev runs v1.0.5, Synced and Healthy'],
      ],
    ],
    [
      'fails a Degraded source',
      env('staging', { requireHealthySource: true }),
      source({ sync: ['Synced', 'Degraded'] }),
      null,
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        ['versionKnown', true, 'dev declares v1.0.5'],
        ['healthySource', false, 'dev is Synced and Degraded'],
      ],
    ],
    [
      'fails an OutOfSync source',
      env('staging', { requireHealthySource: true }),
      source({ sync: ['OutOfSync', 'Healthy'] }),
      null,
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        ['versionKnown', true, 'dev declares v1.0.5'],
        ['healthySource', false, 'dev is OutOfSync and Healthy'],
      ],
    ],
    [
      'fails a source still running the old version',
      env('staging', { requireHealthySource: true }),
      source({ images: ['ghcr.io/acme/guestbook:v1.0.4'] }),
      null,
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        ['versionKnown', true, 'dev declares v1.0.5'],
        [
          'healthySource',
          false,
          'dev does not run v1.0.5 yet (running ghcr.io/acme/guestbook:v1.0.4)',
        ],
      ],
    ],
    [
      'passes a soak that is long enough',
      env('staging', { minSoakMinutes: 30 }),
      source({}),
      new Date('2026-11-25T11:15:00Z'),
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        ['versionKnown', true, 'dev declares v1.0.5'],
        [
          'soak',
          true,
          'v1.0.5 has been in dev for 45 min (since 2026-11-25T11:15:00.000Z); 30 min required',
        ],
      ],
    ],
    [
      'fails a soak that is too short',
      env('staging', { minSoakMinutes: 30 }),
      source({}),
      new Date('2026-11-25T11:50:00Z'),
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        ['versionKnown', true, 'dev declares v1.0.5'],
        [
          'soak',
          false,
          'v1.0.5 has been in dev for 10 min (since 2026-11-25T11:50:00.000Z); 30 min required',
        ],
      ],
    ],
    [
      'fails a soak it cannot measure',
      env('staging', { minSoakMinutes: 30 }),
      source({}),
      null,
      [
        ['allowedSource', true, 'staging takes promotions from dev'],
        ['versionKnown', true, 'dev declares v1.0.5'],
        [
          'soak',
          false,
          'cannot tell since when dev has v1.0.5; 30 min required',
        ],
      ],
    ],
  ])('%s', (_name, to, status, versionSince, expected) => {
    const gates = evaluateGates({
      from: env('dev', { allowedSources: [] }),
      to,
      source: status,
      versionSince,
      now: NOW,
    });
    expect(gates.map(g => [g.name, g.passed, g.message])).toEqual(expected);
  });
});

describe('runsVersion', () => {
  it.each<[string[], string | null, string | null, boolean]>([
    [['ghcr.io/acme/guestbook:v1.0.5'], 'v1.0.5', null, true],
    [['ghcr.io/acme/guestbook:v1.0.50'], 'v1.0.5', null, false],
    [['ghcr.io/acme/guestbook:v1.0.5@sha256:abc'], 'v1.0.5', null, true],
    [['ghcr.io/acme/guestbook@sha256:abc'], null, 'sha256:abc', true],
    [['ghcr.io/acme/guestbook@sha256:abd'], null, 'sha256:abc', false],
    [[], 'v1.0.5', null, false],
  ])('%j runs %s/%s: %s', (images, tag, digest, expected) => {
    const status = source({ images });
    expect(runsVersion(status, { tag, digest })).toBe(expected);
  });
});

describe('the version of an environment whose image is the chart default', () => {
  const status = (
    chart: { version: string; range: boolean },
    installed: string | null,
  ): EnvironmentStatus => {
    const base = source({ tag: null });
    return {
      ...base,
      desired: {
        ...base.desired!,
        layout: 'helm',
        image: null,
        imageSource: 'chartDefaults',
        chart: { name: 'podinfo', ...chart },
      },
      sync: { ...base.sync!, chartVersion: installed },
    };
  };

  it.each([
    {
      name: 'a pinned chart is its version',
      chart: { version: '6.7.0', range: false },
      installed: '6.7.0',
      expected: { tag: null, digest: null, chartVersion: '6.7.0' },
    },
    {
      name: 'a range is the version the cluster installed',
      chart: { version: '>=6.0.0', range: true },
      installed: '6.9.0',
      expected: { tag: null, digest: null, chartVersion: '6.9.0' },
    },
    {
      name: 'a range the cluster does not report has no version',
      chart: { version: '>=6.0.0', range: true },
      installed: null,
      expected: null,
    },
  ])('$name', ({ chart, installed, expected }) => {
    expect(desiredVersion(status(chart, installed))).toEqual(expected);
  });

  it('runs the version when the cluster installed that chart', () => {
    const running = status({ version: '>=6.0.0', range: true }, '6.9.0');
    const version = { tag: null, digest: null, chartVersion: '6.9.0' };
    expect(runsVersion(running, version)).toBe(true);
    expect(runsVersion(running, { ...version, chartVersion: '6.9.1' })).toBe(
      false,
    );
    expect(formatVersion(version)).toBe('chart 6.9.0');
  });

  it('says why a range without an installed version blocks a promotion', () => {
    const gates = evaluateGates({
      from: env('staging'),
      to: env('prod', { allowedSources: ['staging'] }),
      source: status({ version: '>=6.0.0', range: true }, null),
      versionSince: null,
      now: NOW,
    });
    expect(gates.find(g => g.name === 'versionKnown')).toEqual({
      name: 'versionKnown',
      passed: false,
      message:
        'staging has no version to promote: it takes chart podinfo >=6.0.0, a range, and its cluster does not say which version it installed',
    });
  });
});
