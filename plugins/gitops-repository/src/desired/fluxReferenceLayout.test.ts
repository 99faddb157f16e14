import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import {
  fluxFleetRepoFolder,
  loadExampleFiles,
  memoryGitProvider,
} from 'gitops-testkit';
import { RepositoryLayout } from '../environments';
import { ServiceTarget } from '../ServiceTarget';
import { planChange } from '../planner/PromotionPlanner';
import { DesiredStateReader } from './DesiredStateReader';
import { defaultEnvironmentConfig } from '../environments';

/**
 * examples/flux-fleet-repo is laid out like fluxcd/flux2-kustomize-helm-example: a HelmRelease
 * in apps/base/podinfo, overlays apps/<env> patching it, clusters/<env>/ with the Flux objects,
 * staging through a Flux 2.7 ArtifactGenerator. Read through each route a user would configure.
 */
async function read(
  env: string,
  layout: RepositoryLayout,
  edit: Record<string, string | undefined> = {},
) {
  const files = loadExampleFiles(fluxFleetRepoFolder);
  for (const [file, text] of Object.entries(edit)) {
    if (text === undefined) files.delete(file);
    else files.set(file, text);
  }
  const target: ServiceTarget = {
    entityRef: 'component:default/flux-podinfo',
    service: 'flux-podinfo',
    path: 'apps/base/podinfo',
    repository: { url: 'https://example.com/flux-fleet.git', branch: 'main' },
    provider: memoryGitProvider(files),
    hints: {},
    selectors: {},
    layout,
  };
  const { state, inputs } = await new DesiredStateReader().read({
    target,
    environment: defaultEnvironmentConfig(env),
    revision: 'abc123',
  });
  return { state, inputs, files };
}

/** Plans a new chart version for a read state, as a promotion does. */
function planChartVersion(
  state: DesiredState,
  files: Map<string, string>,
  chartVersion: string,
) {
  return planChange(
    {
      layout: state.layout,
      path: state.source.path,
      image: state.image ?? '',
      workload: state.workload,
      origins: state.origins,
    },
    { kind: 'version', tag: null, digest: null, chartVersion },
    async f => files.get(f),
  );
}

const at = (o?: { file: string; line: number }) =>
  o ? `${o.file}:${o.line}` : null;

const summary = (state: DesiredState) => ({
  layout: state.layout,
  chart: state.chart,
  image: state.image,
  tag: state.tag,
  imageSource: state.imageSource,
  replicas: state.replicas,
  workload: state.workload,
  namespace: state.namespace,
  source: state.source.path,
  definition: state.definition,
  origins: Object.fromEntries(
    Object.entries(state.origins ?? {}).map(([k, o]) => [k, at(o)]),
  ),
  unsupported: state.unsupported,
});

const helmRepository = {
  kind: 'HelmRepository',
  name: 'podinfo',
  url: 'https://stefanprodan.github.io/podinfo',
};

const expected = {
  dev: {
    chart: {
      name: 'podinfo',
      version: '>=6.0.0-0',
      range: true,
      source: helmRepository,
    },
    image: 'ghcr.io/stefanprodan/podinfo',
    tag: '6.7.1',
    imageSource: 'git',
    replicas: null,
    origins: {
      image: 'apps/dev/podinfo-values.yaml:14',
      tag: 'apps/dev/podinfo-values.yaml:15',
      chartVersion: 'apps/dev/podinfo-values.yaml:10',
    },
  },
  staging: {
    chart: {
      name: 'podinfo',
      version: '>=6.0.0',
      range: true,
      source: helmRepository,
    },
    image: null,
    tag: null,
    imageSource: 'chartDefaults',
    replicas: null,
    origins: { chartVersion: 'apps/staging/podinfo-values.yaml:9' },
  },
  prod: {
    chart: {
      name: 'podinfo',
      version: '6.7.0',
      range: false,
      source: helmRepository,
    },
    image: null,
    tag: null,
    imageSource: 'chartDefaults',
    replicas: 2,
    origins: {
      chartVersion: 'apps/prod/podinfo-values.yaml:10',
      replicas: 'apps/prod/podinfo-values.yaml:12',
    },
  },
} as const;

describe('Flux reference layout (examples/flux-fleet-repo)', () => {
  it.each(
    [
      {
        route: 'overlay route (overlayPath apps/{env})',
        layout: { overlayPath: 'apps/{env}' },
        definitionFile: () => 'apps/base/podinfo/release.yaml',
      },
      {
        route:
          'definition route (clusters/{env}/apps.yaml; staging through its ArtifactGenerator)',
        layout: { definitionPath: 'clusters/{env}/apps.yaml' },
        definitionFile: (env: string) => `clusters/${env}/apps.yaml`,
      },
    ].flatMap(route =>
      (['dev', 'staging', 'prod'] as const).map(env => ({ ...route, env })),
    ),
  )('$route: $env', async ({ env, layout, definitionFile }) => {
    const { state, inputs } = await read(env, layout);
    expect(summary(state)).toEqual({
      layout: 'helm',
      workload: 'podinfo',
      namespace: `apps-${env}`,
      // Paths in the repository, also where the Kustomization reads an artifact.
      source: `apps/${env}`,
      definition: {
        kind: 'HelmRelease',
        name: 'podinfo',
        file: definitionFile(env),
      },
      unsupported: undefined,
      ...expected[env],
    });
    expect(inputs).toEqual(
      expect.arrayContaining([`apps/${env}`, 'apps/base/podinfo']),
    );
  });

  it('maps environment names to the repository folders (environmentFolders)', async () => {
    const { state } = await read(
      'prod',
      {
        overlayPath: 'apps/{env}',
        environmentFolders: { prod: 'production' },
      },
      {
        'apps/production/kustomization.yaml': loadExampleFiles(
          fluxFleetRepoFolder,
        ).get('apps/prod/kustomization.yaml'),
        'apps/production/podinfo-values.yaml': loadExampleFiles(
          fluxFleetRepoFolder,
        ).get('apps/prod/podinfo-values.yaml'),
        'apps/prod/kustomization.yaml': undefined,
      },
    );
    expect(state.source.path).toBe('apps/production');
    expect(at(state.origins?.chartVersion)).toBe(
      'apps/production/podinfo-values.yaml:10',
    );
  });

  it.each([
    {
      name: 'a Merge copy strategy',
      edit: {
        'clusters/staging/artifacts.yaml': loadExampleFiles(fluxFleetRepoFolder)
          .get('clusters/staging/artifacts.yaml')!
          .replace(
            'to: "@artifact/staging/"',
            'to: "@artifact/staging/"\n          strategy: Merge',
          ),
      },
      unsupported:
        'ArtifactGenerator flux-system (clusters/staging/artifacts.yaml): artifact apps copies @monorepo/apps/staging/** with strategy Merge, which is not followed',
    },
    {
      name: 'no ArtifactGenerator in the repository',
      edit: { 'clusters/staging/artifacts.yaml': undefined },
      unsupported: expect.stringMatching(
        /^ExternalArtifact apps: no ArtifactGenerator producing it in clusters\/staging\/apps\.yaml, /,
      ),
    },
    {
      name: 'a copy from an OCI source',
      edit: {
        'clusters/staging/artifacts.yaml': loadExampleFiles(fluxFleetRepoFolder)
          .get('clusters/staging/artifacts.yaml')!
          .replace('kind: GitRepository', 'kind: OCIRepository'),
      },
      unsupported: expect.stringContaining(
        'from a source that is not a GitRepository',
      ),
    },
  ])(
    '$name: named as unsupported, and the overlay route answers',
    async ({ edit, unsupported }) => {
      const { state } = await read(
        'staging',
        {
          overlayPath: 'apps/{env}',
          definitionPath: 'clusters/{env}/apps.yaml',
        },
        edit,
      );
      expect(state.unsupported).toEqual(unsupported);
      expect(state.chart?.version).toBe('>=6.0.0');
      expect(at(state.origins?.chartVersion)).toBe(
        'apps/staging/podinfo-values.yaml:9',
      );
    },
  );

  it('an unfollowable definition without an overlay to fall back on is an error naming it', async () => {
    await expect(
      read(
        'staging',
        { definitionPath: 'clusters/{env}/apps.yaml' },
        { 'clusters/staging/artifacts.yaml': undefined },
      ),
    ).rejects.toMatchObject({
      name: 'UnsupportedLayoutError',
      message: expect.stringContaining('ExternalArtifact apps'),
    });
  });

  it('reads a chart version a JSON 6902 patch file sets, and an OCIRepository chart', async () => {
    const files = loadExampleFiles(fluxFleetRepoFolder);
    const { state, files: edited } = await read(
      'prod',
      { overlayPath: 'apps/{env}' },
      {
        'apps/base/podinfo/repository.yaml': [
          'apiVersion: source.toolkit.fluxcd.io/v1',
          'kind: OCIRepository',
          'metadata:',
          '  name: podinfo',
          '  namespace: podinfo',
          'spec:',
          '  interval: 10m',
          '  url: oci://ghcr.io/stefanprodan/charts/podinfo',
          '  layerSelector:',
          '    mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip"',
          '    operation: copy',
          '  ref:',
          '    semver: ">=6.0.0"',
          '',
        ].join('\n'),
        'apps/base/podinfo/release.yaml': files
          .get('apps/base/podinfo/release.yaml')!
          .replace(
            / {2}chart:\n {4}spec:\n {6}chart: podinfo\n {6}sourceRef:\n {8}kind: HelmRepository\n {8}name: podinfo\n/,
            '  chartRef:\n    kind: OCIRepository\n    name: podinfo\n',
          ),
        'apps/prod/kustomization.yaml': [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'namespace: podinfo',
          'resources:',
          '  - ../base/podinfo',
          'patches:',
          '  - path: chart-version.yaml',
          '    target:',
          '      kind: OCIRepository',
          '      name: podinfo',
          '',
        ].join('\n'),
        'apps/prod/chart-version.yaml': [
          '- op: replace',
          '  path: /spec/ref',
          '  value:',
          '    tag: "6.7.0"',
          '',
        ].join('\n'),
      },
    );
    expect(state.chart).toEqual({
      name: 'podinfo',
      version: '6.7.0',
      range: false,
      source: {
        kind: 'OCIRepository',
        name: 'podinfo',
        url: 'oci://ghcr.io/stefanprodan/charts/podinfo',
      },
    });
    expect(state.imageSource).toBe('chartDefaults');
    expect(at(state.origins?.chartVersion)).toBe(
      'apps/prod/chart-version.yaml:4',
    );
    const plan = await planChartVersion(state, edited, '6.8.0');
    expect(plan.diff).toContain('-    tag: "6.7.0"\n+    tag: "6.8.0"');
  });

  it.each([
    {
      route: 'overlay route',
      env: 'prod',
      layout: { overlayPath: 'apps/{env}' },
      file: 'apps/prod/podinfo-values.yaml',
      line: ['-      version: "6.7.0"', '+      version: "6.8.0"'],
    },
    {
      route: 'ArtifactGenerator',
      env: 'staging',
      layout: { definitionPath: 'clusters/{env}/apps.yaml' },
      file: 'apps/staging/podinfo-values.yaml',
      line: ['-      version: ">=6.0.0"', '+      version: "6.8.0"'],
    },
  ])(
    'a new chart version changes exactly one line: $route',
    async ({ env, layout, file, line }) => {
      const { state, files } = await read(env, layout);
      const plan = await planChartVersion(state, files, '6.8.0');
      expect(plan.files.map(f => f.path)).toEqual([file]);
      const changed = plan.diff
        .split('\n')
        .filter(l => /^[-+] /.test(l) || /^[-+]\s/.test(l))
        .filter(l => !l.startsWith('---') && !l.startsWith('+++'));
      expect(changed).toEqual(line);
    },
  );

  it('a version only the shared base sets is not written for one environment', async () => {
    const files = loadExampleFiles(fluxFleetRepoFolder);
    const { state } = await read(
      'prod',
      { overlayPath: 'apps/{env}' },
      {
        'apps/base/podinfo/release.yaml': files
          .get('apps/base/podinfo/release.yaml')!
          .replace(
            '      chart: podinfo\n',
            '      chart: podinfo\n      version: "6.7.0"\n',
          ),
        'apps/prod/podinfo-values.yaml': files
          .get('apps/prod/podinfo-values.yaml')!
          .replace(/ {2}chart:\n {4}spec:\n.*\n {6}version: "6.7.0"\n/, ''),
      },
    );
    expect(state.origins?.chartVersion).toMatchObject({
      file: 'apps/base/podinfo/release.yaml',
      shared: true,
    });
    await expect(planChartVersion(state, files, '6.8.0')).rejects.toThrow(
      'apps/base/podinfo/release.yaml: spec.chart.spec.version is shared with other environments',
    );
  });
});
