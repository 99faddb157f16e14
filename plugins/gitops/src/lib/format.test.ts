import {
  DesiredAutoscaling,
  DesiredResources,
} from '@gitops-backstage/plugin-gitops-common';
import {
  formatResources,
  formatScaling,
  formatVersion,
  shortDigest,
  shortRevision,
} from './format';

const DIGEST =
  'sha256:4b1e2f0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c';

function hpa(overrides: Partial<DesiredAutoscaling> = {}): DesiredAutoscaling {
  return {
    minReplicas: 3,
    maxReplicas: 10,
    targetCPUUtilizationPercentage: 70,
    targetMemoryUtilizationPercentage: 80,
    ...overrides,
  };
}

function resources(
  requests: [string | null, string | null],
  limits: [string | null, string | null],
): DesiredResources {
  return {
    requests: { cpu: requests[0], memory: requests[1] },
    limits: { cpu: limits[0], memory: limits[1] },
  };
}

describe('formatVersion', () => {
  it.each([
    ['a tag', { tag: 'v1.0.5', digest: null }, 'v1.0.5'],
    ['a digest', { tag: null, digest: DIGEST }, 'sha256:4b1e2f0c…'],
    ['both', { tag: 'v1.0.5', digest: DIGEST }, 'v1.0.5@sha256:4b1e2f0c…'],
    ['neither', { tag: null, digest: null }, '—'],
    ['an empty tag', { tag: '', digest: null }, '—'],
  ])('shows %s', (_, desired, expected) => {
    expect(formatVersion(desired)).toBe(expected);
  });

  const chart = (version: string | null, range: boolean) => ({
    tag: null,
    digest: null,
    imageSource: 'chartDefaults' as const,
    chart: { name: 'podinfo', version, range },
  });
  it.each([
    ['a pinned chart', chart('6.7.0', false), '6.9.0', 'chart podinfo 6.7.0'],
    [
      'a range, with what the cluster installed',
      chart('>=6.0.0', true),
      '6.9.0',
      'chart podinfo >=6.0.0 (installed 6.9.0)',
    ],
    [
      'a range not installed yet',
      chart('>=6.0.0', true),
      null,
      'chart podinfo >=6.0.0',
    ],
    ['any version', chart(null, false), null, 'chart podinfo any version'],
  ])(
    'shows %s when the image is the chart default',
    (_, desired, installed, expected) => {
      expect(formatVersion(desired, installed)).toBe(expected);
    },
  );
});

describe('shortDigest', () => {
  it.each([
    [DIGEST, 'sha256:4b1e2f0c…'],
    ['sha256:abc', 'sha256:abc'],
    ['sha256:4b1e2f0c', 'sha256:4b1e2f0c'],
    ['4b1e2f0c9d8a7b6c', '4b1e2f0c…'],
  ])('shortens %s to %s', (digest, expected) => {
    expect(shortDigest(digest)).toBe(expected);
  });
});

describe('formatScaling', () => {
  it.each([
    ['one replica', { replicas: 1, autoscaling: null }, '1 replica'],
    ['several replicas', { replicas: 3, autoscaling: null }, '3 replicas'],
    ['zero replicas', { replicas: 0, autoscaling: null }, '0 replicas'],
    [
      'an autoscaler alone',
      { replicas: null, autoscaling: hpa() },
      'HPA 3–10 · CPU 70% · mem 80%',
    ],
    [
      'an autoscaler and the replicas Git also sets',
      { replicas: 3, autoscaling: hpa() },
      'HPA 3–10 · CPU 70% · mem 80% · 3 replicas',
    ],
    [
      'an autoscaler on CPU only',
      {
        replicas: null,
        autoscaling: hpa({ targetMemoryUtilizationPercentage: null }),
      },
      'HPA 3–10 · CPU 70%',
    ],
    [
      'an autoscaler without a minimum',
      {
        replicas: null,
        autoscaling: hpa({
          minReplicas: null,
          targetCPUUtilizationPercentage: null,
          targetMemoryUtilizationPercentage: null,
        }),
      },
      'HPA up to 10',
    ],
    [
      'an autoscaler without a maximum',
      { replicas: null, autoscaling: hpa({ maxReplicas: null }) },
      'HPA from 3 · CPU 70% · mem 80%',
    ],
    [
      'an autoscaler without bounds or targets',
      {
        replicas: null,
        autoscaling: {
          minReplicas: null,
          maxReplicas: null,
          targetCPUUtilizationPercentage: null,
          targetMemoryUtilizationPercentage: null,
        },
      },
      'HPA',
    ],
    ['nothing', { replicas: null, autoscaling: null }, '—'],
  ])('shows %s', (_, desired, expected) => {
    expect(formatScaling(desired)).toBe(expected);
  });
});

describe('formatResources', () => {
  it.each([
    [
      'requests and limits',
      resources(['50m', '64Mi'], ['100m', '128Mi']),
      'req 50m/64Mi · lim 100m/128Mi',
    ],
    ['requests only', resources(['50m', '64Mi'], [null, null]), 'req 50m/64Mi'],
    [
      'a memory limit without a CPU limit',
      resources(['50m', '64Mi'], [null, '128Mi']),
      'req 50m/64Mi · lim —/128Mi',
    ],
    ['an empty block', resources([null, null], [null, null]), '—'],
    ['no block', null, '—'],
  ])('shows %s', (_, value, expected) => {
    expect(formatResources(value)).toBe(expected);
  });
});

describe('shortRevision', () => {
  it.each([
    ['3f2a9c81d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9', '3f2a9c8'],
    ['3F2A9C81D4E5', '3F2A9C8'],
    ['3f2a9c8', '3f2a9c8'],
    ['main', 'main'],
    ['release/2024-01-01abcdef', 'release/2024-01-01abcdef'],
    ['', ''],
  ])('abbreviates %j to %j', (revision, expected) => {
    expect(shortRevision(revision)).toBe(expected);
  });
});
