import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gitIn } from 'gitops-testkit';
import request from 'supertest';
import { parse, parseAllDocuments } from 'yaml';
import {
  createExampleRemote,
  exampleEntities,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';

jest.setTimeout(60_000);

const DIGEST = `sha256:${'ab12'.repeat(16)}`;

/** Environments that read engine definitions where new services put them. */
const environments = (prodMode: 'commit' | 'pull-request') =>
  ['dev', 'staging', 'prod'].map(name => ({
    name,
    definitionPath: [
      'argocd/{service}-{env}.yaml',
      'clusters/{env}/{service}.yaml',
    ],
    autoSync: name !== 'prod',
    ...(name === 'prod' ? { promotion: { mode: prodMode } } : {}),
  }));

const body = (overrides: object = {}) => ({
  name: 'hello',
  owner: 'group:default/guests',
  system: 'system:default/gitops-demo',
  description: 'Says hello',
  engine: 'argocd',
  layout: 'kustomize',
  image: 'ghcr.io/acme/hello',
  tag: '0.1.0',
  digest: DIGEST,
  port: 8080,
  autoscaling: { minReplicas: 3, maxReplicas: 10 },
  ...overrides,
});

/** `POST /services` against a real bare Git remote holding the example repository. */
describe('POST /services', () => {
  let remote: string;
  let workDir: string;
  let cleanup: () => void;

  beforeEach(() => {
    ({ remote, workDir, cleanup } = createExampleRemote('gitops-services-'));
  });
  afterEach(() => cleanup());

  const head = (ref = 'main') => gitIn(remote, 'rev-parse', ref);
  const start = (
    options: {
      prodMode?: 'commit' | 'pull-request';
      gitops?: object;
      entities?: Entity[];
      features?: any[];
    } = {},
  ) =>
    startPromotionBackend({
      remote,
      workDir,
      environments: environments(options.prodMode ?? 'commit'),
      entities: options.entities,
      features: options.features,
      gitops: {
        repositories: [
          {
            name: 'example',
            url: remote,
            provider: 'git',
            links: {
              file: 'http://git.example.com/example/raw/{branch}/{path}',
            },
          },
        ],
        ...options.gitops,
      },
    });

  it('commits every file of a new service as one commit, and reads it back as three environments', async () => {
    const server = await start();
    const before = head();
    const res = await request(server).post('/api/gitops/services').send(body());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'Committed',
      entityRef: 'component:default/hello',
      path: 'apps/hello',
      repository: 'example',
      branch: 'main',
      pullRequest: null,
      catalogInfoPath: 'apps/hello/catalog-info.yaml',
      catalogInfoUrl:
        'http://git.example.com/example/raw/main/apps/hello/catalog-info.yaml',
      devFile: 'apps/hello/overlays/dev/kustomization.yaml',
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);

    // Exactly one new commit, holding exactly the files the answer names.
    expect(gitIn(remote, 'rev-parse', `${res.body.commit}^`)).toBe(before);
    expect(head()).toBe(res.body.commit);
    const changed = gitIn(
      remote,
      'diff',
      '--name-only',
      before,
      res.body.commit,
    ).split('\n');
    expect(changed.sort()).toEqual([...res.body.files].sort());
    expect(changed).toEqual(
      expect.arrayContaining([
        'apps/hello/base/kustomization.yaml',
        'apps/hello/overlays/prod/kustomization.yaml',
        'argocd/hello-dev.yaml',
        'argocd/hello-prod.yaml',
        'apps/hello/catalog-info.yaml',
      ]),
    );
    expect(gitIn(remote, 'log', '-1', '--format=%an <%ae>%n%B')).toMatch(
      /^Mock User <mock@example.com>\ncreate: hello \(Argo CD, kustomize\) in dev, staging, prod\n[\s\S]*Gitops-Action-Id: /,
    );

    // The entity the catalog would register, then its environments through the REST API.
    const entity = parse(
      gitIn(remote, 'show', `main:apps/hello/catalog-info.yaml`),
    );
    expect(entity.spec).toMatchObject({
      owner: 'group:default/guests',
      system: 'system:default/gitops-demo',
    });
    const reader = await startPromotionBackend({
      remote,
      workDir,
      environments: environments('commit'),
      entities: [...exampleEntities, entity],
    });
    const envs = await request(reader).get(
      '/api/gitops/entities/default/component/hello/environments',
    );
    expect(envs.status).toBe(200);
    const desired = envs.body.environments.map((e: any) => ({
      name: e.name,
      error: e.error,
      tag: e.desired?.tag,
      digest: e.desired?.digest,
      replicas: e.desired?.replicas,
      autoscaling: e.desired?.autoscaling && {
        min: e.desired.autoscaling.minReplicas,
        max: e.desired.autoscaling.maxReplicas,
      },
      path: e.desired?.source.path,
    }));
    expect(desired).toEqual([
      expect.objectContaining({
        name: 'dev',
        error: null,
        tag: '0.1.0',
        digest: null,
        replicas: 1,
      }),
      expect.objectContaining({
        name: 'staging',
        error: null,
        tag: '0.1.0',
        digest: null,
        replicas: 2,
      }),
      expect.objectContaining({
        name: 'prod',
        error: null,
        tag: '0.1.0',
        digest: DIGEST,
        autoscaling: { min: 3, max: 10 },
      }),
    ]);

    // The record, tracked like a promotion into dev.
    const record = await request(server).get(
      `/api/gitops/promotions/${res.body.id}`,
    );
    expect(record.body).toMatchObject({
      action: 'create',
      to: 'dev',
      actor: 'user:default/mock',
      commit: res.body.commit,
    });
  });

  it('answers a dry run with the files and diff, writing nothing', async () => {
    const server = await start();
    const before = head();
    const res = await request(server)
      .post('/api/gitops/services')
      .send(body({ engine: 'flux', layout: 'helm', dryRun: true }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'DryRun',
      id: null,
      commit: null,
    });
    expect(res.body.files).toEqual(
      expect.arrayContaining([
        'apps/hello/Chart.yaml',
        'apps/hello/values.yaml',
        'apps/hello/values-prod.yaml',
        'clusters/dev/hello.yaml',
        'clusters/prod/hello.yaml',
      ]),
    );
    expect(res.body.devFile).toBe('apps/hello/values-dev.yaml');
    expect(res.body.diff).toContain('+++ b/clusters/prod/hello.yaml');
    expect(head()).toBe(before);
    expect(gitIn(remote, 'branch', '--list')).not.toContain('gitops/');
  });

  it('writes prod as an Argo Rollouts canary with progressiveDelivery: canary', async () => {
    const server = await start();
    const res = await request(server)
      .post('/api/gitops/services')
      .send(
        body({
          progressiveDelivery: 'canary',
          prometheusAddress: 'http://prometheus.observability:9090',
          dryRun: true,
        }),
      );
    expect(res.status).toBe(200);
    expect(res.body.files).toEqual(
      expect.arrayContaining([
        'apps/hello/overlays/prod/rollout.yaml',
        'apps/hello/overlays/prod/analysis-template.yaml',
      ]),
    );
    expect(res.body.files).not.toContain(
      'apps/hello/overlays/staging/rollout.yaml',
    );
    expect(res.body.diff).toContain(
      '+          address: http://prometheus.observability:9090',
    );
  });

  it('opens one pull-request branch when an environment asks for reviews; main stays put', async () => {
    const server = await start({ prodMode: 'pull-request' });
    const before = head();
    const res = await request(server).post('/api/gitops/services').send(body());
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('PullRequestOpened');
    expect(res.body.branch).toMatch(/^gitops\/hello\/create\/[0-9a-f]{8}$/);
    expect(head()).toBe(before);
    expect(head(res.body.branch)).toBe(res.body.commit);
    // A plain Git host has no pull-request API: the branch is the review request.
    expect(res.body.pullRequest).toBeNull();
  });

  it.each<[string, object, number, RegExp]>([
    [
      'an entity of that name exists',
      { name: 'guestbook' },
      409,
      /component:default\/guestbook is already in the catalog/,
    ],
    [
      'a name that is not a DNS label',
      { name: 'Hello_World' },
      400,
      /name must be a DNS label/,
    ],
    ['a path escape', { name: '../etc' }, 400, /name must be a DNS label/],
    [
      'a repository name that escapes',
      { repository: '../../x' },
      400,
      /repository must be letters/,
    ],
    [
      'an unknown repository',
      { repository: 'other' },
      400,
      /repository "other" is not in gitops.repositories/,
    ],
    [
      'an unsupported engine',
      { engine: 'jenkins' },
      400,
      /engine must be argocd or flux/,
    ],
    [
      'an unsupported layout',
      { layout: 'jsonnet' },
      400,
      /layout must be kustomize or helm/,
    ],
    ['the tag latest', { tag: 'latest' }, 400, /tag must not be "latest"/],
    [
      'a malformed digest',
      { digest: 'sha256:xyz' },
      400,
      /digest must be sha256/,
    ],
    [
      'min above max',
      { autoscaling: { minReplicas: 5, maxReplicas: 2 } },
      400,
      /minReplicas must not be above maxReplicas/,
    ],
    ['an unknown field', { replicas: 3 }, 400, /Unrecognized key/],
    [
      'an unsupported progressive delivery',
      { progressiveDelivery: 'blueGreen' },
      400,
      /progressiveDelivery must be none or canary/,
    ],
    [
      'a Prometheus address that is not a URL',
      { progressiveDelivery: 'canary', prometheusAddress: 'prometheus:9090' },
      400,
      /prometheusAddress must be an http\(s\) URL/,
    ],
  ])(
    'refuses %s and writes nothing',
    async (_what, overrides, status, message) => {
      const server = await start();
      const before = head();
      const res = await request(server)
        .post('/api/gitops/services')
        .send(body(overrides));
      expect(res.status).toBe(status);
      expect(res.body.error.message).toMatch(message);
      expect(head()).toBe(before);
    },
  );

  it('refuses a name whose folder is already in the repository (and no entity has it)', async () => {
    const server = await start({
      entities: exampleEntities.filter(e => e.metadata.name !== 'podinfo'),
    });
    const before = head();
    const res = await request(server)
      .post('/api/gitops/services')
      .send(body({ name: 'podinfo' }));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      /apps\/podinfo\/.* already exist.*nothing was written/,
    );
    expect(head()).toBe(before);
  });

  it('refuses without a digest when the registry cannot say it', async () => {
    const server = await start();
    const before = head();
    const { digest: _ignored, ...withoutDigest } = body();
    const res = await request(server)
      .post('/api/gitops/services')
      .send(withoutDigest);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /ghcr.io\/acme\/hello:0.1.0 has no digest in a configured registry, and prod is pinned by digest/,
    );
    expect(head()).toBe(before);
  });

  it('answers 403 when the policy does not let the caller create services', async () => {
    const server = await start({
      features: [
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
      ],
    });
    const before = head();
    const res = await request(server).post('/api/gitops/services').send(body());
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'Not allowed to create GitOps services',
    );
    expect(head()).toBe(before);
  });

  it('writes YAML that parses, with no latest tag anywhere', async () => {
    const server = await start();
    const res = await request(server)
      .post('/api/gitops/services')
      .send(body({ layout: 'helm', engine: 'flux' }));
    expect(res.status).toBe(201);
    const files = res.body.files as string[];
    const texts = files.map(file => gitIn(remote, 'show', `main:${file}`));
    expect(texts.filter(t => /:latest\b|tag: latest/.test(t))).toEqual([]);
    // Helm templates are Go templates, not YAML.
    const yamlErrors = files
      .filter(f => /\.ya?ml$/.test(f) && !f.includes('/templates/'))
      .flatMap(f =>
        parseAllDocuments(texts[files.indexOf(f)]).flatMap(d =>
          d.errors.map(e => `${f}: ${e.message}`),
        ),
      );
    expect(yamlErrors).toEqual([]);
  });
});
