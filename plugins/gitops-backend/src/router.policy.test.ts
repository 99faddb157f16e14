import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gitIn } from 'gitops-testkit';
import request from 'supertest';
import {
  createExampleRemote,
  exampleEntities,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';

jest.setTimeout(60_000);

const API = '/api/gitops/entities/default/component';
const ALICE = mockCredentials.user.header('user:default/alice');

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

/**
 * The policy engine through REST against a real bare Git remote: freezes, windows, approvals
 * and overrides; every refusal leaves the branch head where it was.
 */
describe('policy gates through REST', () => {
  let repo: ReturnType<typeof createExampleRemote>;
  beforeEach(() => {
    repo = createExampleRemote('gitops-policy-');
  });
  afterEach(() => repo.cleanup());
  const head = () => gitIn(repo.remote, 'rev-parse', 'main');

  const start = (options: { environments?: object[]; features?: any[] } = {}) =>
    startPromotionBackend({
      remote: repo.remote,
      workDir: repo.workDir,
      entities: [
        ...exampleEntities,
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'User',
          metadata: { name: 'alice', namespace: 'default' },
          spec: { profile: { displayName: 'Alice' }, memberOf: ['guests'] },
        },
      ],
      ...options,
    });

  it('a freeze refuses promotions, rollbacks and scaling with 409 and retryAt; an override commits and is recorded', async () => {
    const server = await start();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const created = await request(server)
      .post('/api/gitops/freezes')
      .send({ environments: ['staging'], reason: 'year-end freeze', until });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      environments: ['staging'],
      reason: 'year-end freeze',
      by: 'user:default/mock',
    });
    expect(
      (await request(server).get('/api/gitops/freezes')).body.items,
    ).toHaveLength(1);

    const base = head();
    for (const [path, body] of [
      ['promotions', { from: 'dev', to: 'staging' }],
      ['scale', { environment: 'staging', replicas: 3 }],
      ['rollback', { environment: 'staging', toTag: 'v1.0.3' }],
    ] as const) {
      const refused = await request(server)
        .post(`${API}/guestbook/${path}`)
        .send(body);
      expect(refused.status).toBe(409);
      expect(refused.body.error.name).toBe('ConflictError');
      expect(refused.body.error.message).toMatch(
        /refused: freeze: staging is frozen until .* UTC: year-end freeze, set by user:default\/mock$/,
      );
      expect(refused.body.retryAt).toBe(new Date(until).toISOString());
      expect(
        refused.body.gates.find((g: any) => g.name === 'freeze'),
      ).toMatchObject({
        state: 'wait',
        passed: false,
      });
      expect(head()).toBe(base);
    }

    // The dry run shows the freeze without refusing.
    const dry = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging', dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.gates.map((g: any) => [g.name, g.state])).toEqual([
      ['allowedSource', 'pass'],
      ['versionKnown', 'pass'],
      ['freeze', 'wait'],
    ]);

    const overridden = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({
        from: 'dev',
        to: 'staging',
        override: { reason: 'INC-42: fix needed now' },
      });
    expect(overridden.status).toBe(201);
    expect(overridden.body.commit).toBe(head());
    expect(head()).not.toBe(base);
    const recorded = await request(server).get(
      `/api/gitops/promotions/${overridden.body.id}`,
    );
    expect(
      recorded.body.gates.find((g: any) => g.name === 'freeze'),
    ).toMatchObject({
      state: 'pass',
      override: { by: 'user:default/mock', reason: 'INC-42: fix needed now' },
    });

    // Lifted: changes go in again.
    const lifted = await request(server).delete(
      `/api/gitops/freezes/${created.body.id}`,
    );
    expect(lifted.status).toBe(204);
    expect(
      (await request(server).get('/api/gitops/freezes')).body.items,
    ).toEqual([]);
    const scaled = await request(server)
      .post(`${API}/guestbook/scale`)
      .send({ environment: 'staging', replicas: 3 });
    expect(scaled.status).toBe(201);
  });

  it('an override without gitops.override is 403 and writes nothing; freezes need gitops.freeze.manage', async () => {
    const server = await start({
      features: [permissionsDenying('gitops.override', 'gitops.freeze.manage')],
      environments: [
        { name: 'dev' },
        {
          name: 'staging',
          policy: {
            windows: [
              // Today, all day (UTC): always closed while the test runs.
              {
                kind: 'deny',
                schedule: `0 0 * * ${new Date().getUTCDay()}`,
                duration: '24h',
                timeZone: 'UTC',
                reason: 'maintenance day',
              },
            ],
          },
        },
        { name: 'prod' },
      ],
    });
    const base = head();
    const refused = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect(refused.status).toBe(409);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(refused.body.retryAt).toBe(midnight.toISOString());
    expect(refused.body.error.message).toMatch(
      /window: staging takes no changes until .* UTC: maintenance day \(0 0 \* \* \d for 24h\)/,
    );
    const denied = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging', override: { reason: 'please' } });
    expect(denied.status).toBe(403);
    expect(head()).toBe(base);
    const freeze = await request(server).post('/api/gitops/freezes').send({
      environments: '*',
      reason: 'nope',
      until: '2099-01-01T00:00:00Z',
    });
    expect(freeze.status).toBe(403);
  });

  it('prod waits for one approval from someone other than the requester', async () => {
    const server = await start({
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
    const base = head();
    const waiting = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(waiting.status).toBe(409);
    expect(waiting.body.retryAt).toBeNull();
    expect(
      waiting.body.gates.find((g: any) => g.name === 'approvals'),
    ).toMatchObject({
      state: 'wait',
      message:
        '0 of 1 approval of v1.0.4 for prod from user:default/alice, user:default/mock',
    });
    expect(head()).toBe(base);

    // The requester cannot approve their own request.
    const own = await request(server)
      .post(`${API}/guestbook/approvals`)
      .send({ environment: 'prod' });
    expect(own.status).toBe(409);
    expect(own.body.error.message).toBe(
      'user:default/mock asked for v1.0.4 in prod: nobody approves their own request',
    );
    // An approval of another version than the one proposed is refused.
    const stale = await request(server)
      .post(`${API}/guestbook/approvals`)
      .set('Authorization', ALICE)
      .send({ environment: 'prod', version: 'v1.0.3' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toBe(
      'staging proposes v1.0.4 for prod now, not v1.0.3',
    );

    const approved = await request(server)
      .post(`${API}/guestbook/approvals`)
      .set('Authorization', ALICE)
      .send({ environment: 'prod', comment: 'looks good' });
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({
      approver: 'user:default/alice',
      environment: 'prod',
      version: { tag: 'v1.0.4', digest: null },
      comment: 'looks good',
    });
    const twice = await request(server)
      .post(`${API}/guestbook/approvals`)
      .set('Authorization', ALICE)
      .send({ environment: 'prod' });
    expect(twice.status).toBe(409);

    const listed = await request(server).get(
      `${API}/guestbook/approvals?environment=prod`,
    );
    expect(listed.body.items.map((a: any) => a.approver)).toEqual([
      'user:default/alice',
    ]);

    const environments = await request(server).get(
      `${API}/guestbook/environments`,
    );
    const prod = environments.body.environments.find(
      (e: any) => e.name === 'prod',
    );
    expect(prod.policy).toMatchObject({ requiredApprovals: 1 });
    expect(prod.gates.from).toBe('staging');
    expect(
      prod.gates.items.find((g: any) => g.name === 'approvals').state,
    ).toBe('pass');

    const promoted = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(promoted.status).toBe(201);
    expect(promoted.body.commit).toBe(head());
  });

  it('bad input is a 400 that changes nothing', async () => {
    const server = await start();
    for (const [path, body] of [
      ['/api/gitops/freezes', { environments: ['staging'], reason: 'x' }],
      [
        '/api/gitops/freezes',
        { environments: [], reason: 'freeze', until: '2099-01-01T00:00:00Z' },
      ],
      [
        '/api/gitops/freezes',
        {
          environments: ['nowhere'],
          reason: 'freeze',
          until: '2099-01-01T00:00:00Z',
        },
      ],
      [
        '/api/gitops/freezes',
        { environments: '*', reason: 'freeze', until: 'tomorrow' },
      ],
      [
        '/api/gitops/freezes',
        { environments: '*', reason: 'freeze', until: '2001-01-01T00:00:00Z' },
      ],
      [
        `${API}/guestbook/promotions`,
        { from: 'dev', to: 'staging', override: { reason: '' } },
      ],
      [`${API}/guestbook/approvals`, { environment: 'prod', version: 'v1 0' }],
      [`${API}/guestbook/approvals`, { environment: 'prod' }],
      [`${API}/guestbook/verifications`, { environment: 'staging' }],
    ] as const) {
      const res = await request(server).post(path).send(body);
      expect([400, 404]).toContain(res.status);
      expect(res.body.error.message).toBeTruthy();
    }
    expect(
      (await request(server).get('/api/gitops/freezes')).body.items,
    ).toEqual([]);
  });
});
