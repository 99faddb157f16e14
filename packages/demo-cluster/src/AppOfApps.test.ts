import { mockServices } from '@backstage/backend-test-utils';
import { CliGitProvider } from '@gitops-backstage/plugin-gitops-repository';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DemoReconciler } from './DemoReconciler';
import { DemoRegistry } from './DemoRegistry';
import { KubeObject, ObjectStore } from './ObjectStore';
import { readSeeds } from './seeds';
import { exampleRepository } from './__testUtils__/exampleRepository';
import { invalidObjects } from './__testUtils__/validateWithModels';
import { renderNewService } from '@gitops-backstage/plugin-gitops-repository';

jest.setTimeout(90_000);

const root = path.resolve(__dirname, '../../..');
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

/** What each environment of the new service runs; prod pins the digest the registry serves. */
const EXPECTED = [
  { env: 'dev', tag: 'v1.0.5', replicas: 1, pinned: false },
  { env: 'staging', tag: 'v1.0.4', replicas: 2, pinned: false },
  { env: 'prod', tag: 'v1.0.5', replicas: 3, pinned: true },
];

/** A new service `hello` as one commit writes it: a Kustomize base and one overlay per environment. */
function helloService(digest: string): Record<string, string> {
  const files: Record<string, string> = {
    'apps/hello/base/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n',
    'apps/hello/base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  labels:
    app.kubernetes.io/name: hello
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: hello
  template:
    metadata:
      labels:
        app.kubernetes.io/name: hello
    spec:
      containers:
        - name: hello
          image: ghcr.io/acme/guestbook:v1.0.3
          ports:
            - containerPort: 8080
`,
    'apps/hello/base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  selector:
    app.kubernetes.io/name: hello
  ports:
    - port: 80
      targetPort: 8080
`,
  };
  for (const { env, tag, replicas, pinned } of EXPECTED) {
    files[
      `apps/hello/overlays/${env}/kustomization.yaml`
    ] = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: hello-${env}
resources:
  - ../../base
images:
  - name: ghcr.io/acme/guestbook
    newTag: ${tag}${pinned ? `\n    digest: ${digest}` : ''}
replicas:
  - name: hello
    count: ${replicas}
`;
  }
  return files;
}

/** The same service as a Helm chart: `values.yaml` and a `values-<env>.yaml` each. */
function helloChart(digest: string): Record<string, string> {
  const files: Record<string, string> = {
    'apps/hello/Chart.yaml':
      'apiVersion: v2\nname: hello\nversion: 0.1.0\nappVersion: v1.0.3\n',
    'apps/hello/values.yaml':
      'replicaCount: 1\nimage:\n  repository: ghcr.io/acme/guestbook\n  tag: ""\n',
    'apps/hello/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Chart.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Chart.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Chart.Name }}
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}{{ with .Values.image.digest }}@{{ . }}{{ end }}"
`,
  };
  for (const { env, tag, replicas, pinned } of EXPECTED) {
    files[`apps/hello/values-${env}.yaml`] = `replicaCount: ${replicas}
image:
  tag: ${tag}${pinned ? `\n  digest: ${digest}` : ''}
`;
  }
  return files;
}

/** Argo CD Applications like the repository's argocd/*.yaml: prod syncs by hand. */
function argoApplications(
  source: 'kustomize' | 'helm' = 'kustomize',
): Record<string, string> {
  return Object.fromEntries(
    ENVIRONMENTS.map(env => [
      `argocd/hello-${env}.yaml`,
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: hello-${env}
  namespace: argocd
  labels:
    app.kubernetes.io/name: hello
    gitops.backstage.io/environment: ${env}
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: default
  source:
    repoURL: https://github.com/acme/gitops-repo.git
    targetRevision: main
${
  source === 'helm'
    ? `    path: apps/hello\n    helm:\n      valueFiles:\n        - values.yaml\n        - values-${env}.yaml`
    : `    path: apps/hello/overlays/${env}`
}
  destination:
    server: https://kubernetes.default.svc
    namespace: hello-${env}
  syncPolicy:
${
  env === 'prod'
    ? ''
    : '    automated:\n      prune: true\n      selfHeal: true\n'
}    syncOptions:
      - CreateNamespace=true
`,
    ]),
  );
}

/** Flux Kustomizations like the repository's clusters/<env>/podinfo.yaml. */
function fluxKustomizations(): Record<string, string> {
  return Object.fromEntries(
    ENVIRONMENTS.map(env => [
      `clusters/${env}/hello.yaml`,
      `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: hello-${env}
  namespace: flux-system
  labels:
    app.kubernetes.io/name: hello
spec:
  interval: 5m
  path: ./apps/hello/overlays/${env}
  prune: true
  sourceRef:
    kind: GitRepository
    name: gitops-repo
  targetNamespace: hello-${env}
`,
    ]),
  );
}

/**
 * A new service deployed by one commit, as in a real cluster: the app of apps (`apps`, path
 * argocd/) or each environment's flux-system Kustomization (clusters/<env>) applies its
 * engine objects, which deploy it; removing the files prunes them and what they deployed.
 */
describe('the demo cluster applies the engine objects its parents hold', () => {
  let workDir: string;
  let repo: string;
  let checkout: string;
  let git: CliGitProvider;
  let store: ObjectStore;
  let registry: DemoRegistry;
  let reconciler: DemoReconciler;
  let clock = Date.now();

  const tick = (ms = 1000) => reconciler.reconcile(new Date((clock += ms)));
  const run = (args: string[], cwd = checkout) =>
    execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

  /** One commit on main: each file written, or removed (a folder with it) when null. */
  function commit(files: Record<string, string | null>, message: string) {
    for (const [file, content] of Object.entries(files)) {
      const at = path.join(checkout, file);
      if (content === null) {
        fs.rmSync(at, { recursive: true, force: true });
      } else {
        fs.mkdirSync(path.dirname(at), { recursive: true });
        fs.writeFileSync(at, content);
      }
    }
    run(['add', '-A']);
    run([
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@example.com',
      'commit',
      '-q',
      '-m',
      message,
    ]);
    run(['push', '-q', 'origin', 'HEAD:main']);
  }

  /** Reconciles until `done` holds (at most `passes` passes of one demo second). */
  async function until(done: () => boolean, passes = 40) {
    for (let i = 0; i < passes && !done(); i++) await tick();
    return done();
  }

  /** The digest the registry answers for a tag, as the backend's OCI client asks for it. */
  function digestOf(repository: string, tag: string): string {
    const answer = registry.handle(
      'HEAD',
      `/v2/${repository}/manifests/${tag}`,
    );
    return answer!.headers['docker-content-digest'];
  }

  const deployment = (env: string) =>
    store.get('deployments', `hello-${env}`, 'hello');
  const rolledOut = (d: KubeObject | undefined, replicas: number) =>
    d?.status?.readyReplicas === replicas &&
    d.status.updatedReplicas === replicas &&
    d.status.replicas === replicas;

  beforeEach(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-app-of-apps-'));
    repo = exampleRepository(workDir);
    checkout = path.join(workDir, 'checkout');
    run(['clone', '-q', repo, checkout], workDir);
    const logger = mockServices.logger.mock();
    const seeds = readSeeds(path.join(root, 'examples/demo-cluster'));
    store = new ObjectStore();
    for (const { plural, object } of seeds.objects) store.put(plural, object);
    registry = new DemoRegistry(seeds.images);
    // Fetches on every pass: the commits of the test are seen at once.
    git = new CliGitProvider({
      cacheDir: path.join(workDir, 'cache'),
      fetchIntervalSeconds: 0,
      timeoutMs: 20_000,
      logger,
    });
    reconciler = new DemoReconciler({
      store,
      registry,
      git,
      repository: { url: repo, branch: 'main' },
      logger,
      load: seeds.load,
      stepMs: 1000,
      syncDelayMs: 2000,
    });
    await tick();
  });
  afterEach(() => {
    git.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('starts with the roots synced and healthy, owning what the repository has', () => {
    const apps = store.get('applications', 'argocd', 'apps')!;
    expect(apps.status).toMatchObject({
      sync: { status: 'Synced' },
      health: { status: 'Healthy' },
      sourceType: 'Directory',
    });
    expect(apps.status.resources.map((r: any) => r.name).sort()).toEqual([
      'checkout-dev',
      'checkout-prod',
      'checkout-staging',
      'demo-flask-app-dev',
      'demo-flask-app-prod',
      'demo-flask-app-staging',
      'guestbook-dev',
      'guestbook-prod',
      'guestbook-staging',
    ]);
    const guestbook = store.get('applications', 'argocd', 'guestbook-dev')!;
    expect(guestbook.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'guestbook',
      'gitops.backstage.io/environment': 'dev',
      'app.kubernetes.io/instance': 'apps',
    });
    expect(guestbook.metadata.annotations).toEqual({
      'argocd.argoproj.io/tracking-id':
        'apps:argoproj.io/Application:argocd/guestbook-dev',
    });
    for (const env of ENVIRONMENTS) {
      const fluxSystem = store.get(
        'kustomizations',
        'flux-system',
        `flux-system-${env}`,
      )!;
      expect(fluxSystem.status.conditions[0]).toMatchObject({
        type: 'Ready',
        status: 'True',
        reason: 'ReconciliationSucceeded',
      });
      expect(fluxSystem.status.inventory.entries).toEqual([
        {
          id: `flux-system_podinfo-${env}_kustomize.toolkit.fluxcd.io_Kustomization`,
          v: 'v1',
        },
      ]);
      const podinfo = store.get(
        'kustomizations',
        'flux-system',
        `podinfo-${env}`,
      )!;
      expect(podinfo.metadata.labels).toMatchObject({
        'kustomize.toolkit.fluxcd.io/name': `flux-system-${env}`,
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
        // The seed's label stays, as under server-side apply.
        'gitops.backstage.io/environment': env,
      });
    }
    // The seeded services still run what they ran.
    expect(
      ['dev', 'staging', 'prod'].map(
        env =>
          store.get('deployments', `guestbook-${env}`, 'guestbook')!.spec
            .template.spec.containers[0].image,
      ),
    ).toEqual([
      'ghcr.io/acme/guestbook:v1.0.5',
      'ghcr.io/acme/guestbook:v1.0.4',
      'ghcr.io/acme/guestbook:v1.0.3',
    ]);
    expect(invalidObjects([apps, guestbook])).toEqual([]);
  });

  it('deploys a new service from its Argo CD Applications, prod on a sync request, and prunes it', async () => {
    const digest = digestOf('acme/guestbook', 'v1.0.5');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const committedAt = new Date(clock).toISOString();
    commit({ ...helloService(digest), ...argoApplications() }, 'Add hello');

    expect(
      await until(() =>
        EXPECTED.filter(e => e.env !== 'prod').every(e =>
          rolledOut(deployment(e.env), e.replicas),
        ),
      ),
    ).toBe(true);
    const prodApp = () => store.get('applications', 'argocd', 'hello-prod')!;
    // prod has no automated sync: created, not synced.
    expect(prodApp().status).toMatchObject({
      sync: { status: 'OutOfSync' },
      health: { status: 'Missing' },
    });
    expect(deployment('prod')).toBeUndefined();
    store.put('applications', { ...prodApp(), operation: { sync: {} } });
    expect(await until(() => rolledOut(deployment('prod'), 3))).toBe(true);

    for (const { env, tag, replicas, pinned } of EXPECTED) {
      const app = store.get('applications', 'argocd', `hello-${env}`)!;
      expect(app.metadata.labels['app.kubernetes.io/instance']).toBe('apps');
      expect(app.status).toMatchObject({
        sync: { status: 'Synced' },
        health: { status: 'Healthy' },
      });
      const live = deployment(env)!;
      expect([
        env,
        live.spec.template.spec.containers[0].image,
        live.spec.replicas,
      ]).toEqual([
        env,
        `ghcr.io/acme/guestbook:${tag}${pinned ? `@${digest}` : ''}`,
        replicas,
      ]);
      expect(live.metadata.annotations['argocd.argoproj.io/tracking-id']).toBe(
        `hello-${env}:apps/Deployment:hello-${env}/hello`,
      );
      // A new rollout: pods started after the commit, the Deployment's first generation.
      expect(live.metadata.generation).toBe(1);
      const pods = store.list('pods', `hello-${env}`);
      expect(
        pods.map(p => [
          p.status.containerStatuses[0].ready,
          p.status.startTime >= committedAt,
        ]),
      ).toEqual(Array(replicas).fill([true, true]));
    }
    expect(
      store.get('applications', 'argocd', 'apps')!.status.sync.status,
    ).toBe('Synced');
    expect(invalidObjects(store.list('applications'))).toEqual([]);

    commit(
      {
        'apps/hello': null,
        ...Object.fromEntries(
          ENVIRONMENTS.map(env => [`argocd/hello-${env}.yaml`, null]),
        ),
      },
      'Remove hello',
    );
    expect(
      await until(
        () =>
          !store
            .list('applications')
            .some(a => a.metadata.name.startsWith('hello-')),
      ),
    ).toBe(true);
    await tick();
    for (const env of ENVIRONMENTS) {
      expect([
        env,
        deployment(env),
        store.list('pods', `hello-${env}`),
      ]).toEqual([env, undefined, []]);
    }
    expect(store.get('applications', 'argocd', 'guestbook-dev')).toBeDefined();
  });

  it('deploys a new service from a Helm chart and its Argo CD Applications', async () => {
    const digest = digestOf('acme/guestbook', 'v1.0.5');
    commit({ ...helloChart(digest), ...argoApplications('helm') }, 'Add hello');
    // prod syncs by hand: requested once the app of apps has created it.
    const prod = () => store.get('applications', 'argocd', 'hello-prod');
    expect(await until(() => prod() !== undefined)).toBe(true);
    store.put('applications', {
      ...prod()!,
      operation: { sync: {} },
    });
    expect(
      await until(() =>
        EXPECTED.every(e => rolledOut(deployment(e.env), e.replicas)),
      ),
    ).toBe(true);
    for (const { env, tag, replicas, pinned } of EXPECTED) {
      const app = store.get('applications', 'argocd', `hello-${env}`)!;
      expect([
        env,
        app.status.sourceType,
        app.status.sync.status,
        app.status.health.status,
      ]).toEqual([env, 'Helm', 'Synced', 'Healthy']);
      const live = deployment(env)!;
      expect([
        env,
        live.spec.template.spec.containers[0].image,
        live.spec.replicas,
      ]).toEqual([
        env,
        `ghcr.io/acme/guestbook:${tag}${pinned ? `@${digest}` : ''}`,
        replicas,
      ]);
    }
  });

  it('deploys a new service from its Flux Kustomizations in clusters/<env>, and prunes it', async () => {
    const digest = digestOf('acme/guestbook', 'v1.0.5');
    commit({ ...helloService(digest), ...fluxKustomizations() }, 'Add hello');

    expect(
      await until(() =>
        EXPECTED.every(e => rolledOut(deployment(e.env), e.replicas)),
      ),
    ).toBe(true);
    for (const { env, tag, replicas, pinned } of EXPECTED) {
      const kustomization = store.get(
        'kustomizations',
        'flux-system',
        `hello-${env}`,
      )!;
      expect(kustomization.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'hello',
        'kustomize.toolkit.fluxcd.io/name': `flux-system-${env}`,
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      });
      expect(kustomization.status.conditions[0]).toMatchObject({
        type: 'Ready',
        status: 'True',
      });
      const live = deployment(env)!;
      expect([
        env,
        live.spec.template.spec.containers[0].image,
        live.spec.replicas,
      ]).toEqual([
        env,
        `ghcr.io/acme/guestbook:${tag}${pinned ? `@${digest}` : ''}`,
        replicas,
      ]);
      expect(live.metadata.labels).toMatchObject({
        'kustomize.toolkit.fluxcd.io/name': `hello-${env}`,
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      });
      const fluxSystem = store.get(
        'kustomizations',
        'flux-system',
        `flux-system-${env}`,
      )!;
      expect(
        fluxSystem.status.inventory.entries.map((e: any) => e.id),
      ).toContain(
        `flux-system_hello-${env}_kustomize.toolkit.fluxcd.io_Kustomization`,
      );
    }
    expect(invalidObjects(store.list('kustomizations'))).toEqual([]);

    commit(
      {
        'apps/hello': null,
        ...Object.fromEntries(
          ENVIRONMENTS.map(env => [`clusters/${env}/hello.yaml`, null]),
        ),
      },
      'Remove hello',
    );
    expect(
      await until(
        () =>
          !store
            .list('kustomizations')
            .some(k => k.metadata.name.startsWith('hello-')),
      ),
    ).toBe(true);
    await tick();
    for (const env of ENVIRONMENTS) {
      expect([
        env,
        deployment(env),
        store.list('pods', `hello-${env}`),
      ]).toEqual([env, undefined, []]);
    }
    expect(
      store.get('kustomizations', 'flux-system', 'podinfo-dev'),
    ).toBeDefined();
  });

  it.each([
    ['argocd', 'kustomize'],
    ['argocd', 'helm'],
    ['flux', 'kustomize'],
    ['flux', 'helm'],
  ] as const)(
    'deploys what renderNewService writes for %s + %s, as the app config lays it out',
    async (engine, layout) => {
      const digest = digestOf('acme/guestbook', 'v1.0.5');
      const { files } = renderNewService({
        name: 'hello',
        path: 'apps/hello',
        engine,
        layout,
        image: 'ghcr.io/acme/guestbook',
        tag: 'v1.0.5',
        digest,
        port: 8080,
        autoscaling: { minReplicas: 3, maxReplicas: 10 },
        environments: ENVIRONMENTS.map(env => ({
          name: env,
          namespace: `hello-${env}`,
          overlayPath: `apps/hello/overlays/${env}`,
          valuesFile: `apps/hello/values-${env}.yaml`,
          definitionPath:
            engine === 'argocd'
              ? `argocd/hello-${env}.yaml`
              : `clusters/${env}/hello.yaml`,
          autoSync: env !== 'prod',
        })),
        // As app-config.yaml's gitops.serviceCreation says for the demo.
        repository: {
          url: 'https://github.com/acme/gitops-repo.git',
          branch: 'main',
        },
        flux: { sourceName: 'gitops-repo' },
        entity: { owner: 'group:default/guests' },
      });
      commit(
        Object.fromEntries(files.map(f => [f.path, f.content])),
        'Add hello',
      );
      // Argo CD's prod syncs by hand: requested once the app of apps has created it.
      if (engine === 'argocd') {
        const prod = () => store.get('applications', 'argocd', 'hello-prod');
        await until(() => prod() !== undefined);
        store.put('applications', { ...prod()!, operation: { sync: {} } });
      }
      const images = () =>
        ENVIRONMENTS.map(
          env => deployment(env)?.spec.template.spec.containers[0].image,
        );
      const ready = () =>
        ENVIRONMENTS.map(env => deployment(env)?.status?.readyReplicas ?? 0);
      await until(
        () =>
          rolledOut(deployment('dev'), 1) &&
          rolledOut(deployment('staging'), 2) &&
          (deployment('prod')?.status?.readyReplicas ?? 0) >= 3,
        60,
      );
      expect(images()).toEqual([
        'ghcr.io/acme/guestbook:v1.0.5',
        'ghcr.io/acme/guestbook:v1.0.5',
        `ghcr.io/acme/guestbook:v1.0.5@${digest}`,
      ]);
      expect(ready()).toEqual([1, 2, 3]);
    },
  );
});
