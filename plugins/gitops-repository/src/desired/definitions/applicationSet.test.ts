import { planResolved, webDeployment, where } from './__testUtils__/smallRepo';
import { resolveDefinition } from './resolveDefinition';

const files: Record<string, string> = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\n',
  'charts/web/values.yaml':
    'image:\n  repository: ghcr.io/acme/web\n  tag: "1.0.0"\nreplicaCount: 1\n',
  'charts/web/values-prod.yaml': 'image:\n  tag: "1.1.0" # prod\n',
  'charts/web/values-dev.yaml': 'image:\n  tag: "1.2.0"\n',
  'apps/web/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'apps/web/base/deployment.yaml': webDeployment(),
  'apps/web/overlays/dev/kustomization.yaml':
    'resources: [../../base]\nimages:\n  - name: ghcr.io/acme/web\n    newTag: "1.4.0"\n',
  'apps/web/overlays/prod/kustomization.yaml':
    'resources: [../../base]\nimages:\n  - name: ghcr.io/acme/web\n    newTag: "1.3.0"\n',
  'apps/web/overlays/prod-old/kustomization.yaml': 'resources: [../../base]\n',
};

const folders: Record<string, string[]> = {
  'apps/web/overlays': [
    'apps/web/overlays/dev',
    'apps/web/overlays/prod',
    'apps/web/overlays/prod-old',
  ],
  'apps/web': ['apps/web/base', 'apps/web/overlays'],
  apps: ['apps/web'],
};

function appSet(
  generators: string[],
  template: string[],
  extra: string[] = [],
) {
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata:',
    '  name: web',
    'spec:',
    ...extra,
    '  generators:',
    ...generators.map(l => `    ${l}`),
    '  template:',
    ...template.map(l => `    ${l}`),
    '',
  ].join('\n');
}

async function resolve(text: string) {
  const all: Record<string, string> = { ...files, 'argocd/web.yaml': text };
  const resolved = await resolveDefinition({
    text,
    file: 'argocd/web.yaml',
    read: async f => all[f],
    hints: { workloadName: 'web' },
    preferredName: 'web-prod',
    listFolders: async f => folders[f] ?? [],
  });
  return { resolved, all };
}

describe('resolveDefinition: ApplicationSet', () => {
  it('expands a list generator and follows the generated prod Application', async () => {
    const { resolved } = await resolve(
      appSet(
        ['- list:', '    elements:', '      - env: dev', '      - env: prod'],
        [
          'metadata:',
          "  name: 'web-{{env}}'",
          'spec:',
          '  source:',
          '    path: charts/web',
          '    helm:',
          "      valueFiles: ['values-{{env}}.yaml']",
          '  destination:',
          "    namespace: 'web-{{env}}'",
        ],
      ),
    );
    expect(resolved.workload).toMatchObject({
      tag: '1.1.0',
      namespace: 'web-prod',
    });
    expect(where(resolved.origins.tag)).toBe(
      'charts/web/values-prod.yaml:2 image.tag',
    );
    expect(resolved.definition).toEqual({
      kind: 'ApplicationSet',
      name: 'web',
      file: 'argocd/web.yaml',
    });
  });

  it('expands a git directories generator (globs, exclude) with Go templates', async () => {
    const { resolved } = await resolve(
      appSet(
        [
          '- git:',
          '    repoURL: https://git.example.com/acme/gitops.git',
          '    directories:',
          "      - path: 'apps/web/overlays/*'",
          "      - path: 'apps/web/overlays/prod-old'",
          '        exclude: true',
        ],
        [
          'metadata:',
          "  name: 'web-{{ .path.basename }}'",
          'spec:',
          '  source:',
          "    path: '{{ .path.path }}'",
        ],
        ['  goTemplate: true'],
      ),
    );
    expect(resolved.layout).toBe('kustomize');
    expect(resolved.workload.tag).toBe('1.3.0');
    expect(where(resolved.origins.tag)).toBe(
      'apps/web/overlays/prod/kustomization.yaml:4 images[0].newTag',
    );
  });

  it('expands a matrix of a list and a git generator', async () => {
    const { resolved } = await resolve(
      appSet(
        [
          '- matrix:',
          '    generators:',
          '      - list:',
          '          elements: [{team: acme}]',
          '      - git:',
          '          directories: [{path: apps/web/overlays/*}]',
        ],
        [
          'metadata:',
          "  name: 'web-{{path.basename}}'",
          '  labels: {team: "{{team}}"}',
          'spec:',
          '  source:',
          "    path: '{{path}}'",
        ],
      ),
    );
    expect(resolved.workload.tag).toBe('1.3.0');
  });

  it('names an Application it does not generate, and generators it does not follow', async () => {
    await expect(
      resolve(
        appSet(
          ['- list: {elements: [{env: dev}]}'],
          ["metadata: {name: 'web-{{env}}'}"],
        ),
      ),
    ).rejects.toThrow(
      'argocd/web.yaml: ApplicationSet web generates no Application named web-prod (it generates web-dev)',
    );
    await expect(
      resolve(appSet(['- clusters: {}'], ["metadata: {name: 'web-{{name}}'}"])),
    ).rejects.toMatchObject({
      name: 'UnsupportedLayoutError',
      message:
        'ApplicationSet web (argocd/web.yaml): the clusters generator depends on things outside the repository and is not followed',
    });
  });

  it('promotes through the generated value file, and refuses to edit the shared template', async () => {
    const list = ['- list:', '    elements:', '      - env: prod'];
    const plan = async (text: string) => {
      const { resolved, all } = await resolve(text);
      return planResolved(resolved, all, {
        kind: 'version',
        tag: '1.1.1',
        digest: null,
      });
    };
    const byFile = await plan(
      appSet(list, [
        "metadata: {name: 'web-{{env}}'}",
        'spec:',
        '  source:',
        '    path: charts/web',
        "    helm: {valueFiles: ['values-{{env}}.yaml']}",
      ]),
    );
    expect(byFile.files.map(f => f.path)).toEqual([
      'charts/web/values-prod.yaml',
    ]);
    await expect(
      plan(
        appSet(list, [
          "metadata: {name: 'web-{{env}}'}",
          'spec:',
          '  source:',
          '    path: charts/web',
          '    helm:',
          '      parameters: [{name: image.tag, value: "1.5.0"}]',
        ]),
      ),
    ).rejects.toThrow(
      'spec.source.helm.parameters[0].value is set by the template of argocd/web.yaml for every generated Application; edit the template or its generator',
    );
  });
});
