import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createExampleGitRepo, gitIn } from 'gitops-testkit';
import {
  changedLines,
  expectChangedYamlParses,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';

jest.setTimeout(60_000);

const API = '/api/gitops/entities/default/component';

/** Promotions, rollbacks and scaling through the REST API against a real bare Git remote. */
describe('change endpoints', () => {
  let workDir: string;
  let example: string;
  let remote: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-changes-'));
    example = createExampleGitRepo(path.join(workDir, 'example'));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));
  beforeEach(() => {
    remote = path.join(workDir, `remote-${Date.now()}-${Math.random()}.git`);
    gitIn(workDir, 'clone', '--quiet', '--bare', example, remote);
  });

  const head = (ref = 'main') => gitIn(remote, 'rev-parse', ref);

  it.each<[string, string, object, string, string[]]>([
    [
      'promotes a Kustomize tag dev → staging',
      'guestbook',
      { path: 'promotions', body: { from: 'dev', to: 'staging' } },
      'promote(staging): guestbook v1.0.4 → v1.0.5 (from dev)',
      [
        '-    newTag: v1.0.4 # updated by CI on promotion',
        '+    newTag: v1.0.5 # updated by CI on promotion',
      ],
    ],
    [
      'promotes a Helm values tag dev → staging, keeping quotes and comment',
      'demo-flask-app',
      { path: 'promotions', body: { from: 'dev', to: 'staging' } },
      'promote(staging): demo-flask-app 5c4b3a2-40 → 9f8e7d6-42 (from dev)',
      [
        '-  tag: "5c4b3a2-40" # updated by CI: {git-sha}-{run-number}',
        '+  tag: "9f8e7d6-42" # updated by CI: {git-sha}-{run-number}',
      ],
    ],
    [
      'promotes into a Flux overlay that set its image in a patch: adds an images entry',
      'sample-app',
      { path: 'promotions', body: { from: 'dev', to: 'staging' } },
      'promote(staging): sample-app 1.4.1 → 1.4.2 (from dev)',
      ['+images:', '+  - name: ghcr.io/acme/sample-app', '+    newTag: 1.4.2'],
    ],
    [
      'scales Kustomize replicas',
      'guestbook',
      { path: 'scale', body: { environment: 'staging', replicas: 5 } },
      'scale(staging): guestbook replicas 2 → 5',
      ['-    count: 2', '+    count: 5'],
    ],
    [
      'scales Helm replicaCount',
      'demo-flask-app',
      { path: 'scale', body: { environment: 'staging', replicas: 4 } },
      'scale(staging): demo-flask-app replicas 2 → 4',
      ['-replicaCount: 2', '+replicaCount: 4'],
    ],
    [
      'rolls a Helm environment back to a tag',
      'demo-flask-app',
      {
        path: 'rollback',
        body: { environment: 'staging', toTag: '5c4b3a2-39' },
      },
      'rollback(staging): demo-flask-app 5c4b3a2-40 → 5c4b3a2-39 (to 5c4b3a2-39)',
      [
        '-  tag: "5c4b3a2-40" # updated by CI: {git-sha}-{run-number}',
        '+  tag: "5c4b3a2-39" # updated by CI: {git-sha}-{run-number}',
      ],
    ],
  ])('%s: one commit with exactly the planned lines', async (...args) => {
    const [, service, change, subject, lines] = args as [
      string,
      string,
      { path: string; body: object },
      string,
      string[],
    ];
    const server = await startPromotionBackend({ remote, workDir });
    const base = head();
    const res = await request(server)
      .post(`${API}/${service}/${change.path}`)
      .send(change.body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'Committed',
      entityRef: `component:default/${service}`,
      actor: 'user:default/mock',
      commit: head(),
      pullRequest: null,
    });
    expect(gitIn(remote, 'rev-parse', 'main^')).toBe(base);
    expect(gitIn(remote, 'log', '-1', '--format=%an <%ae>%n%B', 'main')).toBe(
      [
        'Mock User <mock@example.com>',
        subject,
        '',
        'Requested-by: Mock User <user:default/mock>',
        `Gitops-Action-Id: ${res.body.id}`,
      ].join('\n'),
    );
    const diff = gitIn(remote, 'diff', base, 'main');
    expect(changedLines(diff)).toEqual(lines);
    expect(changedLines(res.body.diff)).toEqual(lines);
    expectChangedYamlParses(remote, base, 'main');

    // The record is there, and the environment now declares the change.
    const record = await request(server).get(
      `/api/gitops/promotions/${res.body.id}`,
    );
    expect(record.status).toBe(200);
    expect(record.body).toEqual(res.body);
  });

  it('promotes staging → prod and scales prod autoscaling as pull-request branches; main stays put', async () => {
    const server = await startPromotionBackend({ remote, workDir });
    const base = head();
    const promoted = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(promoted.status).toBe(201);
    expect(promoted.body).toMatchObject({
      status: 'PullRequestOpened',
      pullRequest: null, // a plain Git remote has no pull-request API
      version: { tag: 'v1.0.4', digest: null },
      previousVersion: { tag: 'v1.0.3', digest: null },
    });
    expect(promoted.body.branch).toBe(
      `gitops/guestbook/prod/${promoted.body.id.slice(0, 8)}`,
    );
    expect(head()).toBe(base);
    expect(head(promoted.body.branch)).toBe(promoted.body.commit);
    expect(
      changedLines(gitIn(remote, 'diff', base, promoted.body.branch)),
    ).toEqual([
      '-    newTag: v1.0.3 # updated by CI on promotion',
      '+    newTag: v1.0.4 # updated by CI on promotion',
    ]);

    const scaled = await request(server)
      .post(`${API}/demo-flask-app/scale`)
      .send({ environment: 'prod', autoscaling: { minReplicas: 3 } });
    expect(scaled.status).toBe(201);
    expect(
      changedLines(gitIn(remote, 'diff', base, scaled.body.branch)),
    ).toEqual(['-  minReplicas: 2', '+  minReplicas: 3']);
    const hpa = await request(server)
      .post(`${API}/guestbook/scale`)
      .send({ environment: 'prod', autoscaling: { maxReplicas: 12 } });
    expect(hpa.status).toBe(201);
    expect(changedLines(gitIn(remote, 'diff', base, hpa.body.branch))).toEqual([
      '-  maxReplicas: 10',
      '+  maxReplicas: 12',
    ]);
    expect(gitIn(remote, 'diff', '--name-only', base, hpa.body.branch)).toBe(
      'apps/guestbook/overlays/prod/hpa.yaml',
    );
    expect(head()).toBe(base);
  });

  it('rolls back to the version an environment had at a revision, as a forward commit', async () => {
    const server = await startPromotionBackend({ remote, workDir });
    const before = head();
    await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' })
      .expect(201);
    const promoted = head();
    const res = await request(server)
      .post(`${API}/guestbook/rollback`)
      .send({ environment: 'staging', toRevision: before });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      action: 'rollback',
      version: { tag: 'v1.0.4', digest: null },
      previousVersion: { tag: 'v1.0.5', digest: null },
    });
    expect(gitIn(remote, 'rev-parse', 'main^')).toBe(promoted);
    expect(gitIn(remote, 'log', '-1', '--format=%s', 'main')).toBe(
      `rollback(staging): guestbook v1.0.5 → v1.0.4 (to ${before.slice(0, 7)})`,
    );
    expect(changedLines(gitIn(remote, 'diff', promoted, 'main'))).toEqual([
      '-    newTag: v1.0.5 # updated by CI on promotion',
      '+    newTag: v1.0.4 # updated by CI on promotion',
    ]);
  });

  it('lists the changes in the environment history: the commit links its record, records show status', async () => {
    const server = await startPromotionBackend({ remote, workDir });
    const promoted = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' })
      .expect(201);
    const scaled = await request(server)
      .post(`${API}/guestbook/scale`)
      .send({ environment: 'staging', replicas: 3 })
      .expect(201);
    const res = await request(server).get(
      `${API}/guestbook/history?environment=staging`,
    );
    expect(res.status).toBe(200);
    expect(
      res.body.items
        .slice(0, 2)
        .map((i: any) => [i.revision, i.promotionId, i.changes]),
    ).toEqual([
      [scaled.body.commit, scaled.body.id, ['scaling']],
      [promoted.body.commit, promoted.body.id, ['version']],
    ]);
    // Older commits were not made by the plugin.
    expect(res.body.items[2].promotionId).toBeNull();
    expect(
      res.body.actions.map((a: any) => [a.id, a.action, a.status]),
    ).toEqual([
      [scaled.body.id, 'scale', 'Committed'],
      [promoted.body.id, 'promote', 'Committed'],
    ]);
    const prod = await request(server).get(
      `${API}/guestbook/history?environment=prod`,
    );
    expect(prod.body.actions).toEqual([]);
  });

  it('answers a dry run with the plan and every gate, writing nothing', async () => {
    const server = await startPromotionBackend({
      remote,
      workDir,
      environments: [
        { name: 'dev' },
        { name: 'staging', promotion: { requireHealthySource: true } },
        { name: 'prod' },
      ],
    });
    const base = head();
    const res = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging', dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: null,
      status: 'DryRun',
      version: { tag: 'v1.0.5', digest: null },
      gates: [
        {
          name: 'allowedSource',
          passed: true,
          message: 'staging takes promotions from dev',
        },
        { name: 'versionKnown', passed: true, message: 'dev declares v1.0.5' },
        {
          name: 'healthySource',
          state: 'fail',
          passed: false,
          message: 'cannot verify dev: no cluster is configured for it',
        },
        { name: 'freeze', state: 'pass', message: 'no freeze covers staging' },
      ],
    });
    expect(changedLines(res.body.diff)).toEqual([
      '-    newTag: v1.0.4 # updated by CI on promotion',
      '+    newTag: v1.0.5 # updated by CI on promotion',
    ]);
    expect(head()).toBe(base);
  });

  it('answers a promotion to the version already there with no commit', async () => {
    const server = await startPromotionBackend({ remote, workDir });
    await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' })
      .expect(201);
    const after = head();
    const again = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      id: null,
      status: 'NoChange',
      diff: '',
      commit: null,
      message: 'staging already declares this in Git: nothing to commit',
    });
    expect(head()).toBe(after);
  });

  const long = 'a'.repeat(129);
  it.each<[string, string, object, number, string]>([
    [
      'an unknown environment',
      'guestbook/promotions',
      { from: 'dev', to: 'qa' },
      404,
      'Unknown environment "qa"; configured: dev, staging, prod',
    ],
    [
      'an unknown entity',
      'nope/promotions',
      { from: 'dev', to: 'staging' },
      404,
      'Entity component:default/nope not found',
    ],
    [
      'an environment with ../',
      'guestbook/promotions',
      { from: 'dev', to: '../prod' },
      400,
      "to must be letters, digits, '.', '_' or '-' (no '/', '..' or spaces)",
    ],
    [
      'an environment with /',
      'guestbook/scale',
      { environment: 'staging/x', replicas: 2 },
      400,
      "environment must be letters, digits, '.', '_' or '-' (no '/', '..' or spaces)",
    ],
    [
      'an entity name with ../',
      '..%2F..%2Fetc/promotions',
      { from: 'dev', to: 'staging' },
      400,
      "name must be letters, digits, '.', '_' or '-' (no '/', '..' or spaces)",
    ],
    [
      'a tag with a space',
      'guestbook/rollback',
      { environment: 'staging', toTag: 'v1 .0' },
      400,
      "toTag must be a valid image tag: letters, digits, '_', '.', '-' (no spaces, newlines or ';')",
    ],
    [
      'a tag with a newline',
      'guestbook/rollback',
      { environment: 'staging', toTag: 'v1.0\nimage: evil' },
      400,
      "toTag must be a valid image tag: letters, digits, '_', '.', '-' (no spaces, newlines or ';')",
    ],
    [
      'a tag with ;',
      'guestbook/rollback',
      { environment: 'staging', toTag: 'v1;rm' },
      400,
      "toTag must be a valid image tag: letters, digits, '_', '.', '-' (no spaces, newlines or ';')",
    ],
    [
      'a tag over 128 characters',
      'guestbook/rollback',
      { environment: 'staging', toTag: long },
      400,
      'toTag must be at most 128 characters',
    ],
    [
      'minReplicas > maxReplicas',
      'guestbook/scale',
      { environment: 'prod', autoscaling: { minReplicas: 9, maxReplicas: 3 } },
      400,
      'autoscaling: minReplicas must not be greater than maxReplicas',
    ],
    [
      'minReplicas above the maxReplicas in Git',
      'guestbook/scale',
      { environment: 'prod', autoscaling: { minReplicas: 11 } },
      400,
      'minReplicas (11) must not be greater than maxReplicas (10)',
    ],
    [
      'negative replicas',
      'guestbook/scale',
      { environment: 'staging', replicas: -1 },
      400,
      'replicas must be 0 or more',
    ],
    [
      'replicas where an autoscaler owns them',
      'guestbook/scale',
      { environment: 'prod', replicas: 4 },
      400,
      'prod: a HorizontalPodAutoscaler owns the replica count (3–10); change autoscaling instead',
    ],
    [
      'a promotion skipping an environment',
      'guestbook/promotions',
      { from: 'dev', to: 'prod' },
      400,
      'Promotion dev → prod refused: allowedSource: prod takes promotions only from staging, not from dev',
    ],
    [
      'a promotion into the first environment',
      'guestbook/promotions',
      { from: 'staging', to: 'dev' },
      400,
      'Promotion staging → dev refused: allowedSource: dev takes no promotions (it is the first environment)',
    ],
    [
      'a rollback to a revision that does not exist',
      'guestbook/rollback',
      { environment: 'staging', toRevision: 'deadbeefdeadbeef' },
      400,
      'Cannot read staging at revision deadbeefdeadbeef: No Kustomize overlay at apps/guestbook/overlays/staging (kustomization.yaml) and no Helm chart at apps/guestbook (Chart.yaml or values.yaml)',
    ],
    [
      'both replicas and autoscaling',
      'guestbook/scale',
      {
        environment: 'staging',
        replicas: 2,
        autoscaling: { maxReplicas: 3 },
      },
      400,
      'give exactly one of replicas and autoscaling',
    ],
    [
      'an unknown field',
      'guestbook/promotions',
      { from: 'dev', to: 'staging', force: true },
      400,
      "Unrecognized key(s) in object: 'force'",
    ],
    [
      'an unknown sync action',
      'guestbook/sync',
      { environment: 'staging', action: 'delete' },
      400,
      'action must be one of refresh, sync, reconcile, suspend, resume',
    ],
  ])(
    'answers %s with a clear 4xx and changes nothing',
    async (_name, url, body, status, message) => {
      const server = await startPromotionBackend({ remote, workDir });
      const base = head();
      const res = await request(server).post(`${API}/${url}`).send(body);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status,
        message,
      });
      expect(head()).toBe(base);
      expect(gitIn(remote, 'for-each-ref', '--format=%(refname)')).toBe(
        'refs/heads/main',
      );
    },
  );

  it('refuses a promotion whose source is not healthy when the target requires it', async () => {
    const server = await startPromotionBackend({
      remote,
      workDir,
      environments: [
        { name: 'dev' },
        { name: 'staging', promotion: { requireHealthySource: true } },
      ],
    });
    const base = head();
    const res = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'Promotion dev → staging refused: healthySource: cannot verify dev: no cluster is configured for it',
    );
    expect(head()).toBe(base);
  });

  it('answers an unknown or malformed action id', async () => {
    const server = await startPromotionBackend({ remote, workDir });
    const unknown = await request(server).get(
      '/api/gitops/promotions/00000000-0000-4000-8000-000000000000',
    );
    expect(unknown.status).toBe(404);
    const bad = await request(server).get('/api/gitops/promotions/..%2Fx');
    expect(bad.status).toBe(400);
  });

  describe('environments resolved from their Argo CD Applications', () => {
    const environments = ['dev', 'staging', 'prod'].map(name => ({
      name,
      definitionPath: [
        'argocd/{service}-{env}.yaml',
        'clusters/{env}/{service}.yaml',
      ],
    }));

    it('promotes a Flux HelmRelease by editing the overlay patch that sets the tag', async () => {
      const server = await startPromotionBackend({
        remote,
        workDir,
        environments,
      });
      const before = await request(server).get(`${API}/podinfo/environments`);
      expect(
        before.body.environments.map((e: any) => [
          e.name,
          e.desired.tag,
          e.desired.replicas,
          e.desired.definition.kind,
          e.desired.chart,
          e.desired.warnings,
        ]),
      ).toEqual([
        [
          'dev',
          '6.7.1',
          1,
          'HelmRelease',
          {
            name: './apps/podinfo/chart',
            version: null,
            range: false,
            source: { kind: 'GitRepository', name: 'gitops-repo', url: null },
          },
          [],
        ],
        [
          'staging',
          '6.7.0',
          2,
          'HelmRelease',
          {
            name: './apps/podinfo/chart',
            version: null,
            range: false,
            source: { kind: 'GitRepository', name: 'gitops-repo', url: null },
          },
          [],
        ],
        [
          'prod',
          '6.7.0',
          3,
          'HelmRelease',
          {
            name: './apps/podinfo/chart',
            version: null,
            range: false,
            source: { kind: 'GitRepository', name: 'gitops-repo', url: null },
          },
          [
            'HelmRelease podinfo also takes values from ConfigMap podinfo-prod-overrides, which is in the cluster, not in Git',
          ],
        ],
      ]);
      const base = head();
      const res = await request(server)
        .post(`${API}/podinfo/promotions`)
        .send({ from: 'dev', to: 'staging' });
      expect(res.status).toBe(201);
      expect(gitIn(remote, 'diff', '--name-only', base, 'main')).toBe(
        'apps/podinfo/overlays/staging/values-patch.yaml',
      );
      expect(changedLines(gitIn(remote, 'diff', base, 'main'))).toEqual([
        '-      tag: "6.7.0" # promoted from dev',
        '+      tag: "6.7.1" # promoted from dev',
      ]);
      // prod sets no tag of its own: the base's decides, and the base is shared with the other
      // environments, so the promotion is refused instead of changing them too.
      const before2 = head();
      const prod = await request(server)
        .post(`${API}/podinfo/promotions`)
        .send({ from: 'staging', to: 'prod' });
      expect(prod.status).toBe(400);
      expect(prod.body.error.message).toBe(
        "prod: apps/podinfo/base/helmrelease.yaml: spec.values.image.tag is shared with other environments (a base or chart default); set it in this environment's own overlay or values first",
      );
      expect(head()).toBe(before2);
    });

    it('names a construct it does not follow instead of guessing, answers from the path templates, and leaves the other environments alone', async () => {
      const clone = path.join(workDir, `edit-${Date.now()}`);
      gitIn(workDir, 'clone', '--quiet', remote, clone);
      fs.writeFileSync(
        path.join(clone, 'argocd/guestbook-dev.yaml'),
        [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata:',
          '  name: guestbook-dev',
          'spec:',
          '  source:',
          '    repoURL: https://github.com/acme/gitops-repo.git',
          '    path: apps/guestbook/overlays/dev',
          '    plugin:',
          '      name: kustomize-with-sops',
          '',
        ].join('\n'),
      );
      gitIn(clone, 'commit', '--quiet', '-am', 'dev renders through a CMP');
      gitIn(clone, 'push', '--quiet', 'origin', 'main');
      const server = await startPromotionBackend({
        remote,
        workDir,
        environments,
      });
      const res = await request(server).get(`${API}/guestbook/environments`);
      const [dev, staging] = res.body.environments;
      // The overlay the Application names still says what dev should run.
      expect(dev).toMatchObject({
        desired: {
          layout: 'kustomize',
          source: { path: 'apps/guestbook/overlays/dev' },
        },
        unsupported:
          'Application guestbook-dev (argocd/guestbook-dev.yaml): config management plugin kustomize-with-sops renders outside Git; its output cannot be read',
      });
      expect(staging).toMatchObject({
        unsupported: null,
        error: null,
        desired: { tag: 'v1.0.4', definition: { kind: 'Application' } },
      });
    });

    it('shows where each value is written', async () => {
      const server = await startPromotionBackend({
        remote,
        workDir,
        environments,
      });
      const res = await request(server).get(
        `${API}/demo-flask-app/environments`,
      );
      expect(
        res.body.environments.map((e: any) => [
          e.name,
          e.desired.tag,
          `${e.desired.origins.tag.file}:${e.desired.origins.tag.line} ${e.desired.origins.tag.yamlPath}`,
          e.desired.definition.file,
        ]),
      ).toEqual([
        [
          'dev',
          '9f8e7d6-42',
          'apps/demo-flask-app/values-dev.yaml:3 image.tag',
          'argocd/demo-flask-app-dev.yaml',
        ],
        [
          'staging',
          '5c4b3a2-40',
          'argocd/demo-flask-app-staging.yaml:23 spec.source.helm.parameters[0].value',
          'argocd/demo-flask-app-staging.yaml',
        ],
        [
          'prod',
          '0a1b2c3-38',
          'apps/demo-flask-app/.argocd-source-demo-flask-app-prod.yaml:6 helm.parameters[0].value',
          'argocd/demo-flask-app-prod.yaml',
        ],
      ]);
    });

    it.each<[string, { from: string; to: string }, string, string[]]>([
      [
        'the Helm parameter on the staging Application',
        { from: 'dev', to: 'staging' },
        'argocd/demo-flask-app-staging.yaml',
        ['-          value: "5c4b3a2-40"', '+          value: "9f8e7d6-42"'],
      ],
      [
        "the image updater's file for prod, not values-prod.yaml",
        { from: 'staging', to: 'prod' },
        'apps/demo-flask-app/.argocd-source-demo-flask-app-prod.yaml',
        ['-      value: 0a1b2c3-38', '+      value: 5c4b3a2-40'],
      ],
    ])('promotes by editing %s', async (_name, body, file, lines) => {
      const server = await startPromotionBackend({
        remote,
        workDir,
        environments,
      });
      const base = head();
      const res = await request(server)
        .post(`${API}/demo-flask-app/promotions`)
        .send(body);
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 201,
        error: undefined,
      });
      expect(gitIn(remote, 'diff', '--name-only', base, 'main')).toBe(file);
      expect(changedLines(gitIn(remote, 'diff', base, 'main'))).toEqual(lines);
      expectChangedYamlParses(remote, base, 'main');
      const after = await request(server).get(
        `${API}/demo-flask-app/environments`,
      );
      expect(
        after.body.environments.find((e: any) => e.name === body.to).desired
          .tag,
      ).toBe(body.to === 'staging' ? '9f8e7d6-42' : '5c4b3a2-40');
    });
  });
});
