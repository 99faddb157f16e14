import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gitIn } from 'gitops-testkit';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { FakeKubeApi } from './__testUtils__/fakeKubeApi';
import {
  createExampleRemote,
  exampleEntities,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';
import { recordingAuditor } from './__testUtils__/recordingAuditor';
import { healthyArgoService } from './service/live/__fixtures__/clusterObjects';
import {
  KindKey,
  KubeObject,
  WATCHED_KINDS,
  kindPath,
} from './service/live/kinds';
import { VerificationStore } from './service/store/VerificationStore';

/*
 * Every change — promotion, rollback, scale, engine request, rollout action, new service,
 * approval, freeze, automation pause, the automation's own promotions, and a change a
 * permission refuses — is exactly one event of Backstage's auditor, settled once with success
 * or fail, with actor, entity, environment, plan, result and severity.
 */

jest.setTimeout(60_000);

const API = '/api/gitops/entities/default/component';
const MOCK = 'user:default/mock';
const ALICE = mockCredentials.user.header('user:default/alice');
const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const CHECKS = {
  checks: [{ name: 'smoke', kind: 'http', url: 'http://127.0.0.1:9/x' }],
};

const alice = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'alice', namespace: 'default' },
  spec: { profile: { displayName: 'Alice' }, memberOf: ['guests'] },
};

/** Allows everything but the named permissions. */
function permissionsDenying(...names: string[]) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      authorize: async (requests: any[]) =>
        requests.map(r => ({
          result: names.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })),
      authorizeConditional: async (requests: any[]) =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    }),
  });
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe('audit events of changes', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let repo: ReturnType<typeof createExampleRemote>;
  beforeEach(() => {
    repo = createExampleRemote('gitops-audit-');
  });
  afterEach(() => repo.cleanup());
  const head = (ref = 'main') => gitIn(repo.remote, 'rev-parse', ref);

  async function start(
    options: {
      environments?: object[];
      features?: any[];
      gitops?: object;
    } = {},
  ) {
    const audit = recordingAuditor();
    const server = await startPromotionBackend({
      remote: repo.remote,
      workDir: repo.workDir,
      entities: [...exampleEntities, alice],
      ...options,
      features: [audit.factory, ...(options.features ?? [])],
    });
    return { server, audit };
  }

  it.each<[string, string, string, object, string, object, object]>([
    [
      'a promotion',
      'guestbook',
      'promotions',
      { from: 'dev', to: 'staging' },
      'promotion',
      { action: 'promote', from: 'dev' },
      { before: 'v1.0.4', after: 'v1.0.5', additions: 1, deletions: 1 },
    ],
    [
      'a rollback',
      'demo-flask-app',
      'rollback',
      { environment: 'staging', toTag: '5c4b3a2-39' },
      'rollback',
      { action: 'rollback', requested: { toTag: '5c4b3a2-39' } },
      { before: '5c4b3a2-40', after: '5c4b3a2-39', additions: 1 },
    ],
    [
      'a scale',
      'guestbook',
      'scale',
      { environment: 'staging', replicas: 5 },
      'scale',
      { action: 'scale', requested: { replicas: 5 } },
      {
        scaling: {
          before: { replicas: 2, minReplicas: null, maxReplicas: null },
          after: { replicas: 5, minReplicas: null, maxReplicas: null },
        },
        additions: 1,
        deletions: 1,
      },
    ],
  ])(
    '%s in staging is one medium event with the commit',
    async (_name, service, path, body, eventId, meta, plan) => {
      const { server, audit } = await start();
      const base = head();
      const res = await request(server)
        .post(`${API}/${service}/${path}`)
        .send(body);
      expect(res.status).toBe(201);
      expect(audit.events).toHaveLength(1);
      const [event] = audit.events;
      expect(event).toMatchObject({
        eventId,
        severityLevel: 'medium',
        hasRequest: true,
        outcomes: ['success'],
      });
      expect(event.meta).toMatchObject({
        actor: MOCK,
        entityRef: `component:default/${service}`,
        environment: 'staging',
        dryRun: false,
        ...meta,
        plan: {
          ...plan,
          files: gitIn(repo.remote, 'diff', '--name-only', base, 'main').split(
            '\n',
          ),
        },
        result: {
          status: 'Committed',
          actionId: res.body.id,
          commit: head(),
          branch: null,
          pullRequest: null,
        },
      });
      expect(event.meta.override).toBeUndefined();
    },
  );

  it('changes to prod by pull request are high; a dry run is low and read-only requests are not audited', async () => {
    const { server, audit } = await start();
    const promoted = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(promoted.status).toBe(201);
    const scaled = await request(server)
      .post(`${API}/guestbook/scale`)
      .send({ environment: 'prod', autoscaling: { maxReplicas: 12 } });
    expect(scaled.status).toBe(201);
    const dry = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging', dryRun: true });
    expect(dry.status).toBe(200);
    await request(server).get(`${API}/guestbook/environments`).expect(200);
    await request(server)
      .get(`/api/gitops/promotions/${promoted.body.id}`)
      .expect(200);

    expect(audit.events.map(e => [e.eventId, e.severityLevel])).toEqual([
      ['promotion', 'high'],
      ['scale', 'high'],
      ['promotion', 'low'],
    ]);
    expect(audit.events.every(e => e.outcomes.join() === 'success')).toBe(true);
    expect(audit.events[0].meta).toMatchObject({
      environment: 'prod',
      from: 'staging',
      plan: {
        before: 'v1.0.3',
        after: 'v1.0.4',
        files: ['apps/guestbook/overlays/prod/kustomization.yaml'],
      },
      result: {
        status: 'PullRequestOpened',
        actionId: promoted.body.id,
        commit: promoted.body.commit,
        branch: promoted.body.branch,
        pullRequest: null,
      },
    });
    expect(audit.events[1].meta).toMatchObject({
      requested: { autoscaling: { maxReplicas: 12 } },
      plan: {
        scaling: {
          before: { maxReplicas: 10 },
          after: { replicas: null, minReplicas: null, maxReplicas: 12 },
        },
        files: ['apps/guestbook/overlays/prod/hpa.yaml'],
      },
      result: { status: 'PullRequestOpened', branch: scaled.body.branch },
    });
    expect(audit.events[2].meta).toMatchObject({
      dryRun: true,
      plan: { before: 'v1.0.4', after: 'v1.0.5' },
      result: { status: 'DryRun', actionId: null, commit: null },
    });
  });

  it('a freeze, the refusal it causes, the override past it and its lifting are one event each', async () => {
    const { server, audit } = await start();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const frozen = await request(server)
      .post('/api/gitops/freezes')
      .send({ environments: ['staging'], reason: 'year-end freeze', until });
    expect(frozen.status).toBe(201);
    const base = head();
    const refused = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect(refused.status).toBe(409);
    expect(head()).toBe(base);
    const overridden = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({
        from: 'dev',
        to: 'staging',
        override: { reason: 'INC-42: fix needed now' },
      });
    expect(overridden.status).toBe(201);
    const lifted = await request(server).delete(
      `/api/gitops/freezes/${frozen.body.id}`,
    );
    expect(lifted.status).toBe(204);

    expect(
      audit.events.map(e => [
        e.eventId,
        e.meta.action,
        e.severityLevel,
        e.outcomes.join(),
      ]),
    ).toEqual([
      ['freeze', 'declare', 'high', 'success'],
      ['promotion', 'promote', 'medium', 'fail'],
      ['promotion', 'promote', 'high', 'success'],
      ['freeze', 'lift', 'high', 'success'],
    ]);
    const [declare, refusal, override, lift] = audit.events;
    expect(declare.meta).toEqual({
      actor: MOCK,
      entityRef: null,
      environment: null,
      environments: ['staging'],
      action: 'declare',
      dryRun: false,
      requested: { reason: 'year-end freeze', until },
      result: { status: 'Declared', freezeId: frozen.body.id },
    });
    expect(refusal.meta).toMatchObject({
      environment: 'staging',
      from: 'dev',
      result: {
        status: 'Refused',
        error: 'ConflictError',
        gates: [{ name: 'freeze', state: 'wait' }],
        retryAt: until,
      },
    });
    expect(refusal.error?.message).toMatch(
      /refused: freeze: staging is frozen until/,
    );
    expect(override.meta).toMatchObject({
      override: { reason: 'INC-42: fix needed now' },
      plan: { overriddenGates: ['freeze'], before: 'v1.0.4', after: 'v1.0.5' },
      result: { status: 'Committed', commit: overridden.body.commit },
    });
    expect(lift.meta).toMatchObject({
      action: 'lift',
      requested: { freezeId: frozen.body.id },
      plan: { environments: ['staging'], reason: 'year-end freeze', until },
      result: { status: 'Lifted', freezeId: frozen.body.id },
    });
  });

  it('refusals inside a change fail its one event: a skipped environment (400), an unknown one (404)', async () => {
    const { server, audit } = await start();
    const skipped = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'prod' });
    expect(skipped.status).toBe(400);
    const unknown = await request(server)
      .post(`${API}/guestbook/scale`)
      .send({ environment: 'qa', replicas: 1 });
    expect(unknown.status).toBe(404);
    // A body the schema refuses names no change: answered before anything is audited.
    const malformed = await request(server)
      .post(`${API}/guestbook/scale`)
      .send({ environment: 'staging', replicas: -1 });
    expect(malformed.status).toBe(400);

    expect(
      audit.events.map(e => [e.eventId, e.severityLevel, e.outcomes.join()]),
    ).toEqual([
      ['promotion', 'high', 'fail'],
      ['scale', 'medium', 'fail'],
    ]);
    expect(audit.events[0].meta).toMatchObject({
      environment: 'prod',
      from: 'dev',
      result: {
        status: 'Refused',
        error: 'InputError',
        gates: [{ name: 'allowedSource', state: 'fail' }],
      },
    });
    expect(audit.events[1].meta).toMatchObject({
      environment: 'qa',
      requested: { replicas: 1 },
      result: { status: 'Refused', error: 'NotFoundError' },
    });
    expect(audit.events[1].error?.name).toBe('NotFoundError');
  });

  it('a change a permission refuses is one change-denied event, and its service is never asked', async () => {
    const { server, audit } = await start({
      features: [
        permissionsDenying(
          'gitops.promote',
          'gitops.freeze.manage',
          'gitops.service.create',
        ),
      ],
    });
    const base = head();
    const promote = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(promote.status).toBe(403);
    const freeze = await request(server).post('/api/gitops/freezes').send({
      environments: '*',
      reason: 'nope',
      until: '2099-01-01T00:00:00Z',
    });
    expect(freeze.status).toBe(403);
    const create = await request(server).post('/api/gitops/services').send({
      name: 'hello',
      owner: 'group:default/guests',
      engine: 'argocd',
      layout: 'kustomize',
      image: 'ghcr.io/acme/hello',
      tag: '0.1.0',
      digest: DIGEST,
    });
    expect(create.status).toBe(403);
    expect(head()).toBe(base);

    expect(
      audit.events.map(e => [
        e.eventId,
        e.meta.action,
        e.severityLevel,
        e.outcomes.join(),
        e.error?.name,
      ]),
    ).toEqual([
      ['change-denied', 'gitops.promote', 'high', 'fail', 'NotAllowedError'],
      [
        'change-denied',
        'gitops.freeze.manage',
        'medium',
        'fail',
        'NotAllowedError',
      ],
      [
        'change-denied',
        'gitops.service.create',
        'medium',
        'fail',
        'NotAllowedError',
      ],
    ]);
    expect(audit.events[0].meta).toMatchObject({
      actor: MOCK,
      entityRef: 'component:default/guestbook',
      environment: 'prod',
      result: { status: 'Refused', error: 'NotAllowedError' },
    });
    expect(audit.events[2].meta).toMatchObject({
      entityRef: 'component:default/hello',
    });
  });

  it('approvals: the waiting promotion, the approval and a refused own approval are one event each', async () => {
    const { server, audit } = await start({
      environments: [
        { name: 'dev' },
        { name: 'staging' },
        {
          name: 'prod',
          policy: {
            requiredApprovals: 1,
            approvers: ['user:default/alice', 'user:default/mock'],
          },
        },
      ],
    });
    const waiting = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(waiting.status).toBe(409);
    const approved = await request(server)
      .post(`${API}/guestbook/approvals`)
      .set('Authorization', ALICE)
      .send({ environment: 'prod', comment: 'looks good' });
    expect(approved.status).toBe(201);
    const own = await request(server)
      .post(`${API}/guestbook/approvals`)
      .send({ environment: 'prod' });
    expect(own.status).toBe(409);

    expect(
      audit.events.map(e => [e.eventId, e.severityLevel, e.outcomes.join()]),
    ).toEqual([
      ['promotion', 'high', 'fail'],
      ['approval', 'high', 'success'],
      ['approval', 'high', 'fail'],
    ]);
    expect(audit.events[0].meta.result).toMatchObject({
      status: 'Refused',
      gates: [{ name: 'approvals', state: 'wait' }],
      retryAt: null,
    });
    expect(audit.events[1].meta).toEqual({
      actor: 'user:default/alice',
      entityRef: 'component:default/guestbook',
      environment: 'prod',
      action: 'approve',
      dryRun: false,
      plan: { version: 'v1.0.4', from: 'staging' },
      result: { status: 'Approved', approvalId: approved.body.id },
    });
    expect(audit.events[2].meta).toMatchObject({
      actor: MOCK,
      result: { status: 'Refused', error: 'ConflictError' },
    });
  });

  it('a new service is one medium event; a second one with the same name fails its own', async () => {
    // Commits (no pull requests), so the second request finds the first one's folder.
    const { server, audit } = await start({
      environments: [{ name: 'dev' }, { name: 'staging' }, { name: 'prod' }],
    });
    const body = {
      name: 'hello',
      owner: 'group:default/guests',
      system: 'system:default/gitops-demo',
      engine: 'argocd',
      layout: 'kustomize',
      image: 'ghcr.io/acme/hello',
      tag: '0.1.0',
      digest: DIGEST,
    };
    const created = await request(server)
      .post('/api/gitops/services')
      .send(body);
    expect(created.status).toBe(201);
    const again = await request(server).post('/api/gitops/services').send(body);
    expect(again.status).toBe(409);

    expect(
      audit.events.map(e => [e.eventId, e.severityLevel, e.outcomes.join()]),
    ).toEqual([
      ['service-create', 'medium', 'success'],
      ['service-create', 'medium', 'fail'],
    ]);
    expect(audit.events[0].meta).toMatchObject({
      actor: MOCK,
      entityRef: 'component:default/hello',
      environment: null,
      environments: ['dev', 'staging', 'prod'],
      action: 'create',
      dryRun: false,
      requested: {
        repository: null,
        engine: 'argocd',
        layout: 'kustomize',
        image: 'ghcr.io/acme/hello',
        tag: '0.1.0',
      },
      plan: {
        path: 'apps/hello',
        repository: 'example',
        files: created.body.files.length,
      },
      result: {
        status: 'Committed',
        actionId: created.body.id,
        commit: head(),
        pullRequest: null,
      },
    });
    expect(audit.events[0].meta.requested.owner).toBeUndefined();
    expect(audit.events[1].meta.result).toMatchObject({
      status: 'Refused',
      error: 'ConflictError',
    });
  });

  it('pausing and resuming the automation are one event each', async () => {
    const { server, audit } = await start({
      environments: [
        { name: 'dev', verification: CHECKS },
        { name: 'staging', policy: { autoPromotion: { from: 'dev' } } },
      ],
    });
    const paused = await request(server)
      .post(`${API}/guestbook/automation`)
      .send({ environment: 'staging', paused: true, reason: 'INC-7' });
    expect(paused.status).toBe(200);
    const resumed = await request(server)
      .post(`${API}/guestbook/automation`)
      .send({ environment: 'staging', paused: false });
    expect(resumed.status).toBe(200);

    expect(audit.events.map(e => e.meta)).toEqual([
      {
        actor: MOCK,
        entityRef: 'component:default/guestbook',
        environment: 'staging',
        action: 'pause',
        dryRun: false,
        requested: { reason: 'INC-7' },
        result: { status: 'Paused' },
      },
      {
        actor: MOCK,
        entityRef: 'component:default/guestbook',
        environment: 'staging',
        action: 'resume',
        dryRun: false,
        result: { status: 'Resumed' },
      },
    ]);
    // staging is the last environment here: the one audited as production.
    expect(
      audit.events.map(e => [e.eventId, e.severityLevel, e.outcomes.join()]),
    ).toEqual([
      ['automation-pause', 'high', 'success'],
      ['automation-pause', 'high', 'success'],
    ]);
  });

  it("the automation's own promotion is one event without an HTTP request, as plugin:gitops/automation", async () => {
    // Its own database, so the test can record the verification the automation acts on.
    const knex = await databases.init('SQLITE_3');
    const { audit } = await start({
      features: [
        mockServices.database.factory({ knex }),
        schedulerServiceFactory,
      ],
      environments: [
        { name: 'dev', verification: CHECKS },
        { name: 'staging', policy: { autoPromotion: { from: 'dev' } } },
        { name: 'prod' },
      ],
      gitops: { automation: { intervalSeconds: 1 } },
    });
    const base = head();
    // v1.0.5 passes verification in dev: staging takes it by itself.
    const verifications = await VerificationStore.create(knex);
    const key = {
      entityRef: 'component:default/guestbook',
      environment: 'dev',
      version: { tag: 'v1.0.5', digest: null },
    };
    await verifications.plan(key, new Date(0));
    await knex('gitops_verifications')
      .where({ entity_ref: key.entityRef, environment: 'dev' })
      .update({ claimed_by: 'test', state: 'Running' });
    await verifications.finish(key, 'test', { state: 'Passed', checks: [] });

    const event = await waitFor('the audited auto-promotion', () =>
      audit.of('promotion').find(e => e.outcomes.length > 0),
    );
    expect(head()).not.toBe(base);
    expect(audit.of('promotion')).toHaveLength(1);
    expect(event).toMatchObject({
      severityLevel: 'medium',
      hasRequest: false,
      outcomes: ['success'],
    });
    expect(event.meta).toMatchObject({
      actor: 'plugin:gitops/automation',
      entityRef: 'component:default/guestbook',
      environment: 'staging',
      from: 'dev',
      action: 'promote',
      dryRun: false,
      automation: {
        policy: 'auto-promotion of staging from dev',
        reason: 'v1.0.5 passed verification in dev',
      },
      plan: { before: 'v1.0.4', after: 'v1.0.5' },
      result: { status: 'Committed', commit: head() },
    });
  });
});

/** guestbook's staging Rollout, paused at its pause step. */
const rollout: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: {
    name: 'guestbook',
    namespace: 'guestbook-staging',
    labels: { 'backstage.io/kubernetes-id': 'guestbook' },
  },
  spec: {
    selector: { matchLabels: { app: 'guestbook' } },
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
  },
  status: {
    phase: 'Paused',
    currentPodHash: '7d9f',
    stableRS: '5c4b',
    currentStepIndex: 1,
    pauseConditions: [
      { reason: 'CanaryPauseStep', startTime: '2026-12-04T08:00:00Z' },
    ],
  },
};
const CLUSTER = 'https://127.0.0.1:6443';
const ROLLOUT =
  '/apis/argoproj.io/v1alpha1/namespaces/guestbook-staging/rollouts/guestbook';

/** Whether a request is one of the live cache's lists or watches (not an action's). */
function isListOrWatch(path: string) {
  return (Object.keys(WATCHED_KINDS) as KindKey[]).some(
    kind =>
      path === kindPath(kind) ||
      new RegExp(
        `^${kindPath(kind, 'NS')
          .replace(/\./g, '\\.')
          .replace('/NS/', '/[^/]+/')}$`,
      ).test(path),
  );
}

describe('audit events of requests to a cluster', () => {
  const msw = setupServer();
  beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
  afterEach(() => msw.resetHandlers());
  afterAll(() => msw.close());

  let repo: ReturnType<typeof createExampleRemote>;
  beforeEach(() => {
    repo = createExampleRemote('gitops-audit-cluster-');
    const api = new FakeKubeApi(CLUSTER);
    api.load({
      ...healthyArgoService({
        service: 'guestbook',
        env: 'staging',
        tag: 'v1.0.4',
        replicas: 2,
      }),
      rollouts: [rollout],
    });
    msw.use(
      http.all(`${CLUSTER}/*`, async ({ request: req }) => {
        const path = new URL(req.url).pathname;
        if (req.method === 'GET' && isListOrWatch(path)) return undefined;
        return req.method === 'GET' && path === ROLLOUT
          ? HttpResponse.json(rollout)
          : HttpResponse.json({});
      }),
      ...api.handlers(),
    );
  });
  afterEach(() => repo.cleanup());

  it('engine requests and rollout actions are one event each, refusals and dry runs included', async () => {
    const audit = recordingAuditor();
    const server = await startPromotionBackend({
      remote: repo.remote,
      workDir: repo.workDir,
      features: [audit.factory],
      environments: [{ name: 'dev' }, { name: 'staging', cluster: 'local' }],
      gitops: {
        clusters: [
          {
            name: 'local',
            url: CLUSTER,
            serviceAccountToken: 'secret',
            skipTLSVerify: true,
          },
        ],
        timeouts: { clusterSeconds: 5 },
      },
    });
    const post = (path: string, body: object) =>
      request(server).post(`${API}/guestbook/${path}`).send(body);
    const refreshed = await post('sync', {
      environment: 'staging',
      action: 'refresh',
    });
    expect(refreshed.status).toBe(201);
    expect(
      (await post('sync', { environment: 'staging', action: 'suspend' }))
        .status,
    ).toBe(400);
    const promoted = await post('rollouts', {
      environment: 'staging',
      action: 'promote',
    });
    expect(promoted.status).toBe(201);
    expect(
      (await post('rollouts', { environment: 'staging', action: 'retry' }))
        .status,
    ).toBe(409);
    expect(
      (
        await post('rollouts', {
          environment: 'staging',
          action: 'abort',
          dryRun: true,
        })
      ).status,
    ).toBe(200);

    // staging is the last environment here: the one audited as production.
    expect(
      audit.events.map(e => [
        e.eventId,
        e.meta.action,
        e.severityLevel,
        e.outcomes.join(),
      ]),
    ).toEqual([
      ['engine-request', 'refresh', 'high', 'success'],
      ['engine-request', 'suspend', 'high', 'fail'],
      ['rollout-action', 'promote', 'high', 'success'],
      ['rollout-action', 'retry', 'high', 'fail'],
      ['rollout-action', 'abort', 'low', 'success'],
    ]);
    const [refresh, suspend, promote, retry, abort] = audit.events;
    expect(refresh.meta).toMatchObject({
      actor: MOCK,
      entityRef: 'component:default/guestbook',
      environment: 'staging',
      dryRun: false,
      result: {
        status: 'Requested',
        actionId: refreshed.body.id,
        message:
          'refresh requested on Application argocd/guestbook-staging in cluster local',
      },
    });
    expect(suspend.meta.result).toEqual({
      status: 'Refused',
      error: 'InputError',
    });
    expect(promote.meta).toMatchObject({
      result: { status: 'Requested', actionId: promoted.body.id },
    });
    // The status subresource first, as kubectl argo rollouts sends it.
    expect(promote.meta.plan.requests[0]).toBe(`PATCH ${ROLLOUT}/status`);
    expect(retry.meta.result).toEqual({
      status: 'Refused',
      error: 'ConflictError',
    });
    expect(abort.meta).toMatchObject({
      dryRun: true,
      result: { status: 'DryRun', actionId: null },
    });
    expect(abort.meta.plan.requests.length).toBeGreaterThan(0);
    expect(audit.events.every(e => e.hasRequest)).toBe(true);
  });
});
