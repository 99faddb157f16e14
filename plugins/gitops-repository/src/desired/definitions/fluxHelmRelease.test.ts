import { planResolved, where } from './__testUtils__/smallRepo';
import { resolveDefinition } from './resolveDefinition';

const base: Record<string, string> = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\n',
  'charts/web/values.yaml':
    'image:\n  repository: ghcr.io/acme/web\n  tag: "1.0.0"\nreplicaCount: 1\n',
  'apps/web/base/kustomization.yaml': 'resources:\n  - helmrelease.yaml\n',
  'apps/web/base/helmrelease.yaml': [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: web',
    'spec:',
    '  interval: 5m',
    '  chart:',
    '    spec:',
    '      chart: ./charts/web',
    '      version: "1.2.x"',
    '      sourceRef:',
    '        kind: GitRepository',
    '        name: gitops',
    '  values:',
    '    image:',
    '      tag: "1.1.0" # base default',
    '    replicaCount: 2',
    '',
  ].join('\n'),
  'apps/web/overlays/prod/kustomization.yaml': [
    'resources:',
    '  - ../../base',
    'patches:',
    '  - path: values-patch.yaml',
    '',
  ].join('\n'),
  'apps/web/overlays/prod/values-patch.yaml': [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: web',
    'spec:',
    '  values:',
    '    image:',
    '      tag: "1.9.0" # prod pin',
    '',
  ].join('\n'),
  'clusters/prod/web.yaml': [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata:',
    '  name: web-prod',
    '  namespace: flux-system',
    'spec:',
    '  path: ./apps/web/overlays/prod',
    '  targetNamespace: web-prod',
    '  sourceRef:',
    '    kind: GitRepository',
    '    name: gitops',
    '',
  ].join('\n'),
};

async function resolve(
  files: Record<string, string> = {},
  hints: { image?: string; valuesPath?: string } = {
    image: 'ghcr.io/acme/web',
  },
) {
  const all = { ...base, ...files };
  const resolved = await resolveDefinition({
    text: all['clusters/prod/web.yaml'],
    file: 'clusters/prod/web.yaml',
    read: async f => all[f],
    hints,
    preferredName: 'web-prod',
    alsoNamed: 'web',
  });
  return { resolved, all };
}

describe('resolveDefinition: Flux Kustomization → HelmRelease', () => {
  it('merges chart values, the release values and the overlay patch; the patch wins', async () => {
    const { resolved } = await resolve();
    expect(resolved.layout).toBe('helm');
    expect(resolved.workload).toMatchObject({
      image: 'ghcr.io/acme/web',
      tag: '1.9.0',
      replicas: 2,
      namespace: 'web-prod',
    });
    expect(where(resolved.origins.tag)).toBe(
      'apps/web/overlays/prod/values-patch.yaml:8 spec.values.image.tag',
    );
    expect(where(resolved.origins.replicas)).toBe(
      'apps/web/base/helmrelease.yaml:17 spec.values.replicaCount',
    );
    expect(where(resolved.origins.image)).toBe(
      'charts/web/values.yaml:2 image.repository',
    );
    expect(resolved.chart).toEqual({
      name: './charts/web',
      version: '1.2.x',
      range: true,
      source: { kind: 'GitRepository', name: 'gitops', url: null },
    });
    expect(resolved.definition).toEqual({
      kind: 'HelmRelease',
      name: 'web',
      file: 'clusters/prod/web.yaml',
    });
  });

  it('reads a chart from a Helm repository: values only from the release, an exact version', async () => {
    const { resolved } = await resolve({
      'apps/web/base/helmrelease.yaml': [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '  name: web',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: podinfo',
        '      version: 6.7.1',
        '      sourceRef:',
        '        kind: HelmRepository',
        '        name: podinfo',
        '  values:',
        '    frontend:',
        '      image:',
        '        repository: ghcr.io/acme/web',
        '        tag: "2.0.0"',
        '  valuesFrom:',
        '    - kind: ConfigMap',
        '      name: web-overrides',
        '',
      ].join('\n'),
      'apps/web/overlays/prod/kustomization.yaml':
        'resources:\n  - ../../base\n',
    });
    expect(resolved.workload.tag).toBe('2.0.0');
    expect(where(resolved.origins.tag)).toBe(
      'apps/web/base/helmrelease.yaml:17 spec.values.frontend.image.tag',
    );
    expect(resolved.chart).toEqual({
      name: 'podinfo',
      version: '6.7.1',
      range: false,
      source: { kind: 'HelmRepository', name: 'podinfo', url: null },
    });
    expect(resolved.warnings).toEqual([
      'HelmRelease web also takes values from ConfigMap web-overrides, which is in the cluster, not in Git',
    ]);
  });

  it('says so when the image tag can only come from the cluster', async () => {
    await expect(
      resolve({
        'charts/web/values.yaml': 'image:\n  repository: ghcr.io/acme/web\n',
        'apps/web/base/helmrelease.yaml': [
          'apiVersion: helm.toolkit.fluxcd.io/v2',
          'kind: HelmRelease',
          'metadata:',
          '  name: web',
          'spec:',
          '  chart:',
          '    spec:',
          '      chart: ./charts/web',
          '      sourceRef: {kind: GitRepository, name: gitops}',
          '  valuesFrom:',
          '    - kind: Secret',
          '      name: web-image',
          '',
        ].join('\n'),
        'apps/web/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\n',
      }),
    ).rejects.toMatchObject({
      name: 'UnsupportedLayoutError',
      message:
        'HelmRelease web: the image tag is not in Git; it may come from Secret web-image in the cluster',
    });
  });

  it('names a remote base as unsupported', async () => {
    await expect(
      resolve({
        'apps/web/overlays/prod/kustomization.yaml':
          'resources:\n  - https://github.com/acme/platform//base?ref=v1\n',
      }),
    ).rejects.toMatchObject({
      name: 'UnsupportedLayoutError',
      message: expect.stringContaining(
        'remote resource https://github.com/acme/platform//base?ref=v1 is not read',
      ),
    });
  });

  it('promotes by editing the overlay patch that sets the tag, comment kept', async () => {
    const { resolved, all } = await resolve();
    const plan = await planResolved(resolved, all, {
      kind: 'version',
      tag: '1.9.1',
      digest: null,
    });
    expect(plan.files.map(f => f.path)).toEqual([
      'apps/web/overlays/prod/values-patch.yaml',
    ]);
    expect(plan.diff).toContain(
      '-      tag: "1.9.0" # prod pin\n+      tag: "1.9.1" # prod pin',
    );
  });

  it('pins a new chart version where the release sets it, and knows a range from a version', async () => {
    const release = (version: string) =>
      [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '  name: web',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: web',
        `      version: "${version}" # chart release`,
        '      sourceRef: {kind: HelmRepository, name: acme}',
        '  values:',
        '    image: {repository: ghcr.io/acme/web, tag: "2.0.0"}',
        '',
      ].join('\n');
    const overlay = {
      'apps/web/overlays/prod/kustomization.yaml':
        'resources:\n  - helmrelease.yaml\n',
    };
    const pinned = await resolve({
      ...overlay,
      'apps/web/overlays/prod/helmrelease.yaml': release('6.7.1'),
    });
    expect(pinned.resolved.chart).toMatchObject({
      name: 'web',
      version: '6.7.1',
      range: false,
    });
    expect(where(pinned.resolved.origins.chartVersion)).toBe(
      'apps/web/overlays/prod/helmrelease.yaml:9 spec.chart.spec.version',
    );
    const plan = await planResolved(pinned.resolved, pinned.all, {
      kind: 'version',
      tag: '2.0.0',
      digest: null,
      chartVersion: '6.8.0',
    });
    expect(plan.diff).toContain(
      '-      version: "6.7.1" # chart release\n+      version: "6.8.0" # chart release',
    );
    const range = await resolve({
      ...overlay,
      'apps/web/overlays/prod/helmrelease.yaml': release('>=6.7.0 <7.0.0'),
    });
    expect(range.resolved.chart).toMatchObject({
      name: 'web',
      version: '>=6.7.0 <7.0.0',
      range: true,
    });
  });

  it('finds the image block the entity names in gitops.backstage.io/image-values-path', async () => {
    const { resolved } = await resolve(
      {
        'apps/web/overlays/prod/values-patch.yaml': [
          'apiVersion: helm.toolkit.fluxcd.io/v2',
          'kind: HelmRelease',
          'metadata:',
          '  name: web',
          'spec:',
          '  values:',
          '    app:',
          '      container:',
          '        image: {repository: ghcr.io/acme/web-app, tag: "3.1.0"}',
          '',
        ].join('\n'),
      },
      { valuesPath: 'app.container.image' },
    );
    expect(resolved.workload).toMatchObject({
      image: 'ghcr.io/acme/web-app',
      tag: '3.1.0',
    });
    expect(where(resolved.origins.tag)).toBe(
      'apps/web/overlays/prod/values-patch.yaml:9 spec.values.app.container.image.tag',
    );
  });
});
