import { helmWorkloadState, mergeHelmValues } from './helmValues';

describe('mergeHelmValues', () => {
  it.each([
    [
      'merges maps key by key',
      { image: { repository: 'r', tag: '' } },
      { image: { tag: '1' } },
      { image: { repository: 'r', tag: '1' } },
    ],
    [
      'replaces lists whole',
      { args: ['a', 'b'] },
      { args: ['c'] },
      { args: ['c'] },
    ],
    ['removes a default set to null', { a: 1, b: 2 }, { b: null }, { a: 1 }],
    [
      'replaces a map with a scalar',
      { resources: { limits: {} } },
      { resources: 'none' },
      { resources: 'none' },
    ],
  ])('%s', (_name, base, override, expected) => {
    expect(mergeHelmValues(base, override as Record<string, any>)).toEqual(
      expected,
    );
  });
});

describe('helmWorkloadState', () => {
  const chart = { name: 'app', appVersion: '9.9.9' };
  it.each<[string, Record<string, any>, Record<string, unknown>]>([
    [
      'reads repository, tag and replicaCount',
      { image: { repository: 'ghcr.io/a/app', tag: '1.0' }, replicaCount: 3 },
      { image: 'ghcr.io/a/app', tag: '1.0', replicas: 3, autoscaling: null },
    ],
    [
      'prefixes image.registry',
      { image: { registry: 'docker.io', repository: 'a/app', tag: 2 } },
      { image: 'docker.io/a/app', tag: '2' },
    ],
    [
      'falls back to appVersion',
      { image: { repository: 'r' } },
      { tag: '9.9.9', replicas: 1 },
    ],
    [
      'reads a digest',
      { image: { repository: 'r', digest: 'sha256:1' } },
      { digest: 'sha256:1' },
    ],
    [
      'drops replicas while autoscaling is enabled',
      {
        replicaCount: 2,
        autoscaling: {
          enabled: true,
          minReplicas: 2,
          maxReplicas: 5,
          targetCPUUtilizationPercentage: '60',
        },
      },
      {
        replicas: null,
        autoscaling: {
          minReplicas: 2,
          maxReplicas: 5,
          targetCPUUtilizationPercentage: 60,
          targetMemoryUtilizationPercentage: null,
        },
      },
    ],
    [
      'ignores a disabled autoscaling block',
      { replicaCount: 2, autoscaling: { enabled: false, maxReplicas: 5 } },
      { replicas: 2, autoscaling: null },
    ],
  ])('%s', (_name, values, expected) => {
    expect(helmWorkloadState(values, chart)).toMatchObject(expected);
  });

  it('warns when values set no image repository', () => {
    expect(helmWorkloadState({}, chart).warnings).toEqual([
      'values set no image.repository',
    ]);
  });
});
