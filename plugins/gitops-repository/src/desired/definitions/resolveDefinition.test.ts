import { planChange } from '../../planner/PromotionPlanner';
import { resolveDefinition } from './resolveDefinition';
import { planResolved, webDeployment } from './__testUtils__/smallRepo';

const CHART = {
  'charts/web/Chart.yaml':
    'apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: "0.9.0"\n',
  'charts/web/values.yaml': [
    'image:',
    '  repository: ghcr.io/acme/web',
    '  tag: "1.0.0" # chart default',
    'replicaCount: 1',
    'autoscaling:',
    '  enabled: false',
    '',
  ].join('\n'),
  'charts/web/values-prod.yaml': [
    'image:',
    '  tag: "1.1.0"',
    'replicaCount: 3',
    '',
  ].join('\n'),
  'charts/web/values-prod-hotfix.yaml': [
    'image:',
    '  tag: "1.1.1" # hotfix',
    '',
  ].join('\n'),
  'envs/prod/values.yaml': [
    '# values kept beside the Application',
    'image:',
    '  tag: "2.0.0"',
    '',
  ].join('\n'),
  'apps/web/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'apps/web/base/deployment.yaml': webDeployment(),
  'apps/web/overlays/prod/kustomization.yaml': [
    'resources:',
    '  - ../../base',
    'images:',
    '  - name: ghcr.io/acme/web',
    '    newTag: "1.3.0"',
    '',
  ].join('\n'),
};

function helmApp(helm: string[], extraSource: string[] = []) {
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    '  name: web-prod',
    '  namespace: argocd',
    'spec:',
    '  source:',
    '    repoURL: https://git.example.com/acme/gitops.git',
    '    path: charts/web',
    ...extraSource,
    '    helm:',
    ...helm.map(l => `      ${l}`),
    '  destination:',
    '    namespace: web-prod',
    '',
  ].join('\n');
}

async function resolve(
  files: Record<string, string>,
  appFile = 'argocd/web-prod.yaml',
) {
  const all: Record<string, string> = { ...CHART, ...files };
  return resolveDefinition({
    text: all[appFile],
    file: appFile,
    read: async f => all[f],
    hints: { workloadName: 'web' },
    preferredName: 'web-prod',
  });
}

type Row = [string, Record<string, string>, string | null, string | null];

describe('resolveDefinition: Argo CD Application, Helm', () => {
  it.each<Row>([
    [
      'chart defaults only',
      { 'argocd/web-prod.yaml': helmApp(['releaseName: web']) },
      '1.0.0',
      'charts/web/values.yaml:3 image.tag',
    ],
    [
      'valueFiles in order: the later file wins',
      {
        'argocd/web-prod.yaml': helmApp([
          'valueFiles:',
          '  - values-prod-hotfix.yaml',
          '  - values-prod.yaml',
        ]),
      },
      '1.1.0',
      'charts/web/values-prod.yaml:2 image.tag',
    ],
    [
      'valueFiles in the other order',
      {
        'argocd/web-prod.yaml': helmApp([
          'valueFiles:',
          '  - values-prod.yaml',
          '  - values-prod-hotfix.yaml',
        ]),
      },
      '1.1.1',
      'charts/web/values-prod-hotfix.yaml:2 image.tag',
    ],
    [
      'valuesObject over value files',
      {
        'argocd/web-prod.yaml': helmApp([
          'valueFiles: [values-prod.yaml]',
          'valuesObject:',
          '  image:',
          '    tag: "1.5.0"',
        ]),
      },
      '1.5.0',
      'argocd/web-prod.yaml:14 spec.source.helm.valuesObject.image.tag',
    ],
    [
      'an inline values string, with the line inside the block',
      {
        'argocd/web-prod.yaml': helmApp([
          'valueFiles: [values-prod.yaml]',
          'values: |',
          '  image:',
          '    tag: "1.6.0"',
        ]),
      },
      '1.6.0',
      'argocd/web-prod.yaml:14 spec.source.helm.values → image.tag',
    ],
    [
      'parameters over values and files',
      {
        'argocd/web-prod.yaml': helmApp([
          'valueFiles: [values-prod.yaml]',
          'valuesObject:',
          '  image:',
          '    tag: "1.5.0"',
          'parameters:',
          '  - name: image.tag',
          '    value: "1.7.0"',
        ]),
      },
      '1.7.0',
      'argocd/web-prod.yaml:17 spec.source.helm.parameters[0].value',
    ],
    [
      "the image updater's .argocd-source file over everything",
      {
        'argocd/web-prod.yaml': helmApp([
          'parameters:',
          '  - name: image.tag',
          '    value: "1.7.0"',
        ]),
        'charts/web/.argocd-source-web-prod.yaml': [
          'helm:',
          '  parameters:',
          '    - name: image.tag',
          '      value: 1.8.0',
          '      forcestring: true',
          '',
        ].join('\n'),
      },
      '1.8.0',
      'charts/web/.argocd-source-web-prod.yaml:4 helm.parameters[0].value',
    ],
    [
      'a $values ref of a multi-source Application',
      {
        'argocd/web-prod.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata:',
          '  name: web-prod',
          'spec:',
          '  sources:',
          '    - repoURL: https://git.example.com/acme/gitops.git',
          '      path: charts/web',
          '      helm:',
          '        valueFiles:',
          '          - $values/envs/prod/values.yaml',
          '    - repoURL: https://git.example.com/acme/gitops.git',
          '      ref: values',
          '',
        ].join('\n'),
      },
      '2.0.0',
      'envs/prod/values.yaml:3 image.tag',
    ],
  ])('%s', async (_name, files, tag, origin) => {
    const resolved = await resolve(files);
    expect(resolved.layout).toBe('helm');
    expect(resolved.workload.tag).toBe(tag);
    const o = resolved.origins.tag;
    expect(o ? `${o.file}:${o.line} ${o.yamlPath}` : null).toBe(origin);
  });

  it('reads replicas and the definition', async () => {
    const resolved = await resolve({
      'argocd/web-prod.yaml': helmApp(['valueFiles: [values-prod.yaml]']),
    });
    expect(resolved.workload).toMatchObject({
      image: 'ghcr.io/acme/web',
      replicas: 3,
      namespace: 'web-prod',
    });
    expect(resolved.origins.replicas).toMatchObject({
      file: 'charts/web/values-prod.yaml',
      line: 3,
      yamlPath: 'replicaCount',
    });
    expect(resolved.definition).toEqual({
      kind: 'Application',
      name: 'web-prod',
      file: 'argocd/web-prod.yaml',
    });
    expect(resolved.chart).toEqual({
      name: 'web',
      version: '1.2.0',
      range: false,
    });
  });
});

describe('resolveDefinition: Argo CD Application, Kustomize', () => {
  const kustomizeApp = (extra: string[] = []) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: web-prod',
      'spec:',
      '  source:',
      '    repoURL: https://git.example.com/acme/gitops.git',
      '    path: apps/web/overlays/prod',
      ...extra,
      '',
    ].join('\n');

  it.each<Row>([
    [
      'the overlay',
      { 'argocd/web-prod.yaml': kustomizeApp() },
      '1.3.0',
      'apps/web/overlays/prod/kustomization.yaml:5 images[0].newTag',
    ],
    [
      'kustomize.images on the Application over the overlay',
      {
        'argocd/web-prod.yaml': kustomizeApp([
          '    kustomize:',
          '      images:',
          '        - ghcr.io/acme/web:1.4.0',
        ]),
      },
      '1.4.0',
      'argocd/web-prod.yaml:11 spec.source.kustomize.images[0]',
    ],
    [
      "the image updater's file over the Application",
      {
        'argocd/web-prod.yaml': kustomizeApp([
          '    kustomize:',
          '      images: [ghcr.io/acme/web:1.4.0]',
        ]),
        'apps/web/overlays/prod/.argocd-source-web-prod.yaml':
          'kustomize:\n  images:\n    - ghcr.io/acme/web:1.4.2\n',
      },
      '1.4.2',
      'apps/web/overlays/prod/.argocd-source-web-prod.yaml:3 kustomize.images[0]',
    ],
  ])('%s', async (_name, files, tag, origin) => {
    const resolved = await resolve(files);
    expect(resolved.layout).toBe('kustomize');
    expect(resolved.workload.tag).toBe(tag);
    const o = resolved.origins.tag;
    expect(o ? `${o.file}:${o.line} ${o.yamlPath}` : null).toBe(origin);
  });
});

describe('resolveDefinition: what it does not follow', () => {
  const app = (source: string[]) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: web-prod',
      'spec:',
      '  source:',
      ...source.map(l => `    ${l}`),
      '',
    ].join('\n');
  it.each([
    [
      'a config management plugin',
      app([
        'repoURL: https://git.example.com/acme/gitops.git',
        'path: apps/web',
        'plugin:',
        '  name: cue',
      ]),
      /config management plugin cue renders outside Git/,
    ],
    [
      'Jsonnet',
      app([
        'repoURL: https://git.example.com/acme/gitops.git',
        'path: jsonnet/web',
        'directory:',
        '  jsonnet: {}',
      ]),
      /a directory with Jsonnet source is not followed/,
    ],
    [
      'a chart from a Helm repository',
      app([
        'repoURL: https://charts.example.com',
        'chart: web',
        'targetRevision: 1.2.*',
      ]),
      /chart web 1\.2\.\* comes from a Helm repository; its default values are not in Git/,
    ],
  ])('names %s', async (_name, text, message) => {
    await expect(
      resolve({ 'argocd/web-prod.yaml': text }),
    ).rejects.toMatchObject({
      name: 'UnsupportedLayoutError',
      message: expect.stringMatching(message),
    });
  });
});

describe('planning where the value is written', () => {
  async function plan(
    files: Record<string, string>,
    change: Parameters<typeof planChange>[1],
  ) {
    const all: Record<string, string> = { ...CHART, ...files };
    const resolved = await resolve(files);
    return planResolved(resolved, all, change);
  }
  const lines = (diff: string) =>
    diff.split('\n').filter(l => /^([-+](?![-+]{2} )|\+\+\+ )/.test(l));

  it.each<
    [string, Record<string, string>, Parameters<typeof planChange>[1], string[]]
  >([
    [
      'the later value file, comment kept',
      {
        'argocd/web-prod.yaml': helmApp([
          'valueFiles: [values-prod.yaml, values-prod-hotfix.yaml]',
        ]),
      },
      { kind: 'version', tag: '1.2.0', digest: null },
      [
        '+++ b/charts/web/values-prod-hotfix.yaml',
        '-  tag: "1.1.1" # hotfix',
        '+  tag: "1.2.0" # hotfix',
      ],
    ],
    [
      'the Helm parameter, not the values beneath it',
      {
        'argocd/web-prod.yaml': helmApp([
          'valueFiles: [values-prod.yaml]',
          'parameters:',
          '  - name: image.tag',
          '    value: "1.7.0"',
        ]),
      },
      { kind: 'version', tag: '1.7.1', digest: null },
      [
        '+++ b/argocd/web-prod.yaml',
        '-          value: "1.7.0"',
        '+          value: "1.7.1"',
      ],
    ],
    [
      "the image updater's file",
      {
        'argocd/web-prod.yaml': helmApp(['valueFiles: [values-prod.yaml]']),
        'charts/web/.argocd-source-web-prod.yaml':
          'helm:\n  parameters:\n    - name: image.tag\n      value: 1.8.0\n',
      },
      { kind: 'version', tag: '1.8.1', digest: null },
      [
        '+++ b/charts/web/.argocd-source-web-prod.yaml',
        '-      value: 1.8.0',
        '+      value: 1.8.1',
      ],
    ],
    [
      'replicas in the value file that sets them',
      { 'argocd/web-prod.yaml': helmApp(['valueFiles: [values-prod.yaml]']) },
      { kind: 'replicas', replicas: 5 },
      [
        '+++ b/charts/web/values-prod.yaml',
        '-replicaCount: 3',
        '+replicaCount: 5',
      ],
    ],
    [
      'a kustomize.images override on the Application',
      {
        'argocd/web-prod.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata:',
          '  name: web-prod',
          'spec:',
          '  source:',
          '    path: apps/web/overlays/prod',
          '    kustomize:',
          '      images:',
          '        - ghcr.io/acme/web:1.4.0 # pinned by the release team',
          '',
        ].join('\n'),
      },
      { kind: 'version', tag: '1.4.1', digest: null },
      [
        '+++ b/argocd/web-prod.yaml',
        '-        - ghcr.io/acme/web:1.4.0 # pinned by the release team',
        '+        - ghcr.io/acme/web:1.4.1 # pinned by the release team',
      ],
    ],
  ])('edits %s', async (_name, files, change, expected) => {
    const result = await plan(files, change);
    expect(lines(result.diff)).toEqual(expected);
  });

  it('refuses to edit inside an inline values string', async () => {
    await expect(
      plan(
        {
          'argocd/web-prod.yaml': helmApp([
            'values: |',
            '  image:',
            '    tag: "1.6.0"',
          ]),
        },
        { kind: 'version', tag: '1.6.1', digest: null },
      ),
    ).rejects.toThrow(
      'argocd/web-prod.yaml: spec.source.helm.values → image.tag is inside an inline Helm values string; edit it there or move it to valuesObject',
    );
  });
});
