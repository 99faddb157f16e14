import { applyStrategicMerge } from './strategicMerge';

const deployment = {
  kind: 'Deployment',
  metadata: { name: 'web', labels: { a: '1', b: '2' } },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            env: [{ name: 'A', value: '1' }],
            ports: [{ containerPort: 80 }],
          },
          { name: 'sidecar', image: 'proxy:1' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    },
  },
};

describe('applyStrategicMerge', () => {
  it.each<[string, unknown, (result: any) => unknown, unknown]>([
    [
      'merges a container by name',
      {
        spec: {
          template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } },
        },
      },
      r => r.spec.template.spec.containers.map((c: any) => c.image),
      ['web:2', 'proxy:1'],
    ],
    [
      'keeps fields the patch does not name',
      {
        spec: {
          template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } },
        },
      },
      r => r.spec.template.spec.containers[0].env,
      [{ name: 'A', value: '1' }],
    ],
    [
      'appends an unknown container',
      {
        spec: {
          template: { spec: { containers: [{ name: 'new', image: 'n:1' }] } },
        },
      },
      r => r.spec.template.spec.containers.map((c: any) => c.name),
      ['web', 'sidecar', 'new'],
    ],
    [
      'merges env by name',
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'web',
                  env: [
                    { name: 'A', value: '2' },
                    { name: 'B', value: '3' },
                  ],
                },
              ],
            },
          },
        },
      },
      r => r.spec.template.spec.containers[0].env,
      [
        { name: 'A', value: '2' },
        { name: 'B', value: '3' },
      ],
    ],
    [
      'deletes a list item with $patch: delete',
      {
        spec: {
          template: {
            spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] },
          },
        },
      },
      r => r.spec.template.spec.containers.length,
      1,
    ],
    [
      'deletes a key set to null',
      { metadata: { labels: { a: null } } },
      r => r.metadata.labels,
      { b: '2' },
    ],
    [
      'replaces a map with $patch: replace',
      { metadata: { labels: { $patch: 'replace', c: '3' } } },
      r => r.metadata.labels,
      { c: '3' },
    ],
    ['sets a scalar', { spec: { replicas: 4 } }, r => r.spec.replicas, 4],
  ])('%s', (_name, patch, pick, expected) => {
    const before = structuredClone(deployment);
    expect(pick(applyStrategicMerge(deployment, patch))).toEqual(expected);
    expect(deployment).toEqual(before);
  });
});
