import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { ServiceTarget } from '../ServiceTarget';
import { loadExampleFiles, memoryGitProvider } from 'gitops-testkit';
import { DesiredStateReader } from './DesiredStateReader';
import { ManifestError } from './parseYaml';
import { defaultEnvironmentConfig } from '../environments';

const services = {
  guestbook: {
    path: 'apps/guestbook',
    hints: { workloadName: 'guestbook', image: 'ghcr.io/acme/guestbook' },
  },
  'demo-flask-app': {
    path: 'apps/demo-flask-app',
    hints: {
      workloadName: 'demo-flask-app',
      image: 'ghcr.io/acme/demo-flask-app',
    },
  },
  'sample-app': {
    path: 'sample-app/apps',
    hints: { image: 'ghcr.io/acme/sample-app' },
  },
} as const;

const environment = defaultEnvironmentConfig;

async function read(
  service: keyof typeof services,
  env: string,
  edit: (files: Map<string, string>) => void = () => {},
) {
  const files = loadExampleFiles();
  edit(files);
  return new DesiredStateReader().read({
    target: exampleTarget(service, files),
    environment: environment(env),
    revision: 'abc123',
  });
}

function exampleTarget(
  service: keyof typeof services,
  files: Map<string, string>,
): ServiceTarget {
  return {
    entityRef: `component:default/${service}`,
    service,
    path: services[service].path,
    repository: { url: 'https://example.com/gitops.git', branch: 'main' },
    provider: memoryGitProvider(files),
    hints: { ...services[service].hints },
    selectors: {},
  };
}

function replaceIn(file: string, from: string | RegExp, to: string) {
  return (files: Map<string, string>) => {
    const text = files.get(file);
    if (text === undefined || !text.match(from))
      throw new Error(`test setup: ${file} lacks ${from}`);
    files.set(file, text.replace(from, to));
  };
}

describe('DesiredStateReader', () => {
  type Expected = Partial<
    Pick<
      DesiredState,
      | 'layout'
      | 'image'
      | 'tag'
      | 'digest'
      | 'replicas'
      | 'autoscaling'
      | 'namespace'
      | 'workload'
    >
  >;
  const cases: Array<[keyof typeof services, string, Expected]> = [
    [
      'guestbook',
      'dev',
      {
        layout: 'kustomize',
        image: 'ghcr.io/acme/guestbook',
        tag: 'v1.0.5',
        digest: null,
        replicas: 1,
        autoscaling: null,
        namespace: 'guestbook-dev',
        workload: 'guestbook',
      },
    ],
    [
      'guestbook',
      'staging',
      {
        tag: 'v1.0.4',
        replicas: 2,
        autoscaling: null,
        namespace: 'guestbook-staging',
      },
    ],
    [
      'guestbook',
      'prod',
      {
        tag: 'v1.0.3',
        replicas: 3,
        autoscaling: {
          minReplicas: 3,
          maxReplicas: 10,
          targetCPUUtilizationPercentage: 70,
          targetMemoryUtilizationPercentage: 80,
        },
      },
    ],
    [
      'demo-flask-app',
      'dev',
      {
        layout: 'helm',
        image: 'ghcr.io/acme/demo-flask-app',
        tag: '9f8e7d6-42',
        replicas: 1,
        autoscaling: null,
      },
    ],
    [
      'demo-flask-app',
      'staging',
      { tag: '5c4b3a2-40', replicas: 2, autoscaling: null },
    ],
    [
      'demo-flask-app',
      'prod',
      {
        tag: '0a1b2c3-38',
        replicas: null,
        autoscaling: {
          minReplicas: 2,
          maxReplicas: 6,
          targetCPUUtilizationPercentage: 75,
          targetMemoryUtilizationPercentage: 80,
        },
      },
    ],
    [
      'sample-app',
      'dev',
      {
        image: 'ghcr.io/acme/sample-app',
        tag: '1.4.2',
        digest: null,
        replicas: 1,
        namespace: 'sample-app-dev',
      },
    ],
    // strategic-merge patch file sets image and replicas
    ['sample-app', 'staging', { tag: '1.4.1', digest: null, replicas: 2 }],
    // images digest + JSON6902 replicas patch
    [
      'sample-app',
      'prod',
      {
        tag: null,
        digest:
          'sha256:4b1e2f0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
        replicas: 3,
      },
    ],
  ];

  it.each(cases)(
    'reads %s in %s from the example repository',
    async (service, env, expected) => {
      const { state } = await read(service, env);
      expect(state).toMatchObject(expected);
      const folder = services[service].path;
      expect(state.source).toEqual({
        repo: 'https://example.com/gitops.git',
        branch: 'main',
        path:
          service === 'demo-flask-app'
            ? `${folder}/values-${env}.yaml`
            : `${folder}/overlays/${env}`,
        revision: 'abc123',
      });
      expect(state.warnings).toEqual([]);
    },
  );

  it('reads the per-environment resources of seed 002 from the overlay patch', async () => {
    expect((await read('guestbook', 'prod')).state.resources).toEqual({
      requests: { cpu: '200m', memory: '256Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    });
    expect((await read('demo-flask-app', 'staging')).state.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '250m', memory: '256Mi' },
    });
  });

  it('keeps none of the rendered objects in shared states; read has them all', async () => {
    const reader = new DesiredStateReader();
    const options = {
      target: exampleTarget('guestbook', loadExampleFiles()),
      environment: environment('prod'),
      revision: 'abc123',
    };
    const full = await reader.read(options);
    const shared = await reader.readShared(options);
    if (full.rendered.layout !== 'kustomize') throw new Error('not kustomize');
    if (shared.rendered.layout !== 'kustomize')
      throw new Error('not kustomize');
    const names = (objects: typeof full.rendered.objects) =>
      objects.map(o => `${o.kind}/${o.metadata?.name}`).sort();
    expect(names(full.rendered.objects)).toEqual([
      'Deployment/guestbook',
      'Deployment/guestbook-redis',
      'HorizontalPodAutoscaler/guestbook',
      'Service/guestbook',
      'Service/guestbook-redis',
    ]);
    expect(names(shared.rendered.objects)).toEqual([]);
    expect(shared.state).toEqual(full.state);
    // read's result is the caller's own, the shared one frozen.
    expect(Object.isFrozen(full.state)).toBe(false);
    expect(Object.isFrozen(shared.state)).toBe(true);
  });

  it('lists the folders a Kustomize state depends on and the files a Helm state depends on', async () => {
    expect((await read('guestbook', 'prod')).inputs).toEqual([
      'apps/guestbook/overlays/prod',
      'apps/guestbook/base',
    ]);
    expect((await read('demo-flask-app', 'dev')).inputs).toEqual([
      'apps/demo-flask-app/Chart.yaml',
      'apps/demo-flask-app/values.yaml',
      'apps/demo-flask-app/values-dev.yaml',
      // Whether the chart runs a Deployment or a Rollout is read from its workload template.
      'apps/demo-flask-app/templates/deployment.yaml',
    ]);
  });

  const broken: Array<
    [
      string,
      keyof typeof services,
      string,
      (files: Map<string, string>) => void,
      RegExp,
    ]
  > = [
    [
      'missing overlay',
      'guestbook',
      'qa',
      () => {},
      /No Kustomize overlay at apps\/guestbook\/overlays\/qa .*no Helm chart at apps\/guestbook/,
    ],
    [
      'YAML syntax error in an overlay',
      'guestbook',
      'staging',
      replaceIn(
        'apps/guestbook/overlays/staging/kustomization.yaml',
        'images:',
        'images: [\n  broken',
      ),
      /apps\/guestbook\/overlays\/staging\/kustomization.yaml:\d+: invalid YAML/,
    ],
    [
      'YAML syntax error in a base manifest',
      'sample-app',
      'dev',
      replaceIn('sample-app/apps/base/deployment.yaml', 'spec:', 'spec: {'),
      /sample-app\/apps\/base\/deployment.yaml:\d+: invalid YAML/,
    ],
    [
      'resource that does not exist',
      'guestbook',
      'prod',
      replaceIn(
        'apps/guestbook/overlays/prod/kustomization.yaml',
        '- hpa.yaml',
        '- autoscaler.yaml',
      ),
      /resource autoscaler.yaml not found/,
    ],
    [
      'patch whose target matches nothing',
      'sample-app',
      'prod',
      replaceIn(
        'sample-app/apps/overlays/prod/kustomization.yaml',
        'name: sample-app\n',
        'name: sample-api\n',
      ),
      /patch target .*name=sample-api matches no resource/,
    ],
    [
      'JSON6902 patch that does not apply',
      'sample-app',
      'prod',
      replaceIn(
        'sample-app/apps/overlays/prod/replicas-patch.yaml',
        /op: replace\n(\s*)path: \/spec\/replicas/,
        'op: replace\n$1path: /spec/nothing/here',
      ),
      /JSON6902 patch does not apply/,
    ],
    [
      'Helm values file absent',
      'demo-flask-app',
      'qa',
      () => {},
      /Helm values file apps\/demo-flask-app\/values-qa.yaml not found/,
    ],
    [
      'Helm values file with a YAML error',
      'demo-flask-app',
      'prod',
      replaceIn(
        'apps/demo-flask-app/values-prod.yaml',
        'autoscaling:',
        'autoscaling: : :',
      ),
      /values-prod.yaml:\d+: invalid YAML/,
    ],
    [
      'overlay rendering no workload',
      'sample-app',
      'dev',
      replaceIn(
        'sample-app/apps/base/kustomization.yaml',
        /- deployment.yaml\n/,
        '',
      ),
      /renders no Deployment/,
    ],
  ];

  it.each(broken)(
    'gives a clear error for: %s',
    async (_name, service, env, edit, message) => {
      const error = await read(service, env, edit).then(
        () => undefined,
        e => e,
      );
      expect(error).toBeInstanceOf(ManifestError);
      expect(error.message).toMatch(message);
    },
  );

  it('warns when an images entry names an image no container runs, and keeps the base tag', async () => {
    const { state } = await read(
      'guestbook',
      'dev',
      replaceIn(
        'apps/guestbook/overlays/dev/kustomization.yaml',
        '- name: ghcr.io/acme/guestbook',
        '- name: ghcr.io/acme/guestbok',
      ),
    );
    expect(state.tag).toBe('v1.0.0');
    expect(state.warnings).toEqual([
      'apps/guestbook/overlays/dev/kustomization.yaml: images entry "ghcr.io/acme/guestbok" matches no container image',
    ]);
  });

  it('takes the chart appVersion when values leave image.tag empty', async () => {
    const { state } = await read(
      'demo-flask-app',
      'dev',
      replaceIn(
        'apps/demo-flask-app/values-dev.yaml',
        /tag: "9f8e7d6-42"/,
        'tag: ""',
      ),
    );
    expect(state.tag).toBe('1a2b3c4-10');
  });

  it('reads the Helm defaults when the environment file sets nothing', async () => {
    const { state } = await read('demo-flask-app', 'dev', files =>
      files.set('apps/demo-flask-app/values-dev.yaml', '# nothing yet\n'),
    );
    expect(state).toMatchObject({
      tag: '1a2b3c4-10',
      replicas: 1,
      autoscaling: null,
    });
  });

  it('applies newName and legacy patchesStrategicMerge / patchesJson6902 fields', async () => {
    const { state } = await read('sample-app', 'dev', files =>
      files.set(
        'sample-app/apps/overlays/dev/kustomization.yaml',
        [
          'resources: [../../base]',
          'images:',
          '  - name: ghcr.io/acme/sample-app',
          '    newName: registry.example.com/mirror/sample-app',
          '    newTag: "2.0.0"',
          'patchesStrategicMerge:',
          '  - |-',
          '    apiVersion: apps/v1',
          '    kind: Deployment',
          '    metadata: {name: sample-app}',
          '    spec: {replicas: 4}',
          'patchesJson6902:',
          '  - target: {group: apps, version: v1, kind: Deployment, name: sample-app}',
          '    patch: |-',
          '      - op: replace',
          '        path: /spec/replicas',
          '        value: 5',
        ].join('\n'),
      ),
    );
    expect(state).toMatchObject({
      image: 'registry.example.com/mirror/sample-app',
      tag: '2.0.0',
      replicas: 5,
    });
  });

  describe('manifest checks', () => {
    async function readWith(
      service: keyof typeof services,
      env: string,
      overrides: Partial<ReturnType<typeof environment>> = {},
      edit: (files: Map<string, string>) => void = () => {},
    ) {
      const files = loadExampleFiles();
      edit(files);
      return new DesiredStateReader().read({
        target: {
          entityRef: `component:default/${service}`,
          service,
          path: services[service].path,
          repository: { url: 'https://example.com/gitops.git', branch: 'main' },
          provider: memoryGitProvider(files),
          hints: { ...services[service].hints },
          selectors: {},
        },
        environment: { ...environment(env), ...overrides },
        revision: 'abc123',
      });
    }

    it.each(['dev', 'staging', 'prod'])(
      "reads guestbook's hardened base through the %s overlay as restricted",
      async env => {
        const { state } = await readWith('guestbook', env);
        expect(state.podSecurity).toEqual({
          level: 'restricted',
          findings: [],
        });
        // Tags, not digests: a warning only where digests are not required.
        expect(state.manifestChecks).toEqual([
          expect.objectContaining({
            check: 'digestPinned',
            severity: 'warn',
            container: 'guestbook',
          }),
        ]);
      },
    );

    it('reads the same through the Argo CD Application of the environment', async () => {
      const { state } = await readWith('guestbook', 'prod', {
        definitionPath: 'argocd/{service}-{env}.yaml',
      });
      expect(state.definition?.kind).toBe('Application');
      expect(state.podSecurity?.level).toBe('restricted');
    });

    it('sees what an overlay patch changes in the pod template', async () => {
      const { state } = await readWith('guestbook', 'staging', {}, files =>
        files.set(
          'apps/guestbook/overlays/staging/kustomization.yaml',
          `${files.get('apps/guestbook/overlays/staging/kustomization.yaml')}
  - target: {kind: Deployment, name: guestbook}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: guestbook}
      spec:
        template:
          spec:
            hostNetwork: true
`,
        ),
      );
      expect(state.podSecurity).toEqual({
        level: 'privileged',
        findings: ['pod: hostNetwork is true'],
      });
    });

    it('fails an unpinned image where the environment requires digests, and passes a pinned one', async () => {
      const dev = await readWith('sample-app', 'dev', { requireDigest: true });
      expect(dev.state.manifestChecks).toContainEqual({
        check: 'digestPinned',
        severity: 'fail',
        container: 'sample-app',
        message:
          'container sample-app: image ghcr.io/acme/sample-app:1.4.2 is not pinned by digest (dev requires it)',
      });
      const prod = await readWith('sample-app', 'prod', {
        requireDigest: true,
      });
      expect(
        prod.state.manifestChecks?.filter(f => f.check === 'digestPinned'),
      ).toEqual([]);
    });

    it('finds a default pod template baseline, one line per missing setting', async () => {
      const { state } = await readWith('sample-app', 'prod');
      expect(state.podSecurity).toEqual({
        level: 'baseline',
        findings: [
          'container sample-app: allowPrivilegeEscalation is not false',
          'container sample-app: runAsNonRoot is not true (pod or container)',
          'container sample-app: seccompProfile.type is not RuntimeDefault or Localhost (pod or container)',
          'container sample-app: capabilities.drop does not include ALL',
        ],
      });
      expect(state.manifestChecks).toEqual([
        expect.objectContaining({
          check: 'podSecurity',
          severity: 'warn',
          message: 'container sample-app: readOnlyRootFilesystem is not true',
        }),
      ]);
    });

    it('leaves Helm values unchecked: the chart is not rendered, and that is no warning', async () => {
      const { state } = await readWith('demo-flask-app', 'prod');
      expect(state.podSecurity).toBeNull();
      expect(state.manifestChecks).toBeUndefined();
      expect(state.warnings).toEqual([]);
    });
  });
});
