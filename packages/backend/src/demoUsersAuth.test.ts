import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authPlugin from '@backstage/plugin-auth-backend';
import request from 'supertest';
import { demoUsersAuthModule } from './demoUsersAuth';

jest.setTimeout(60_000);

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'guests', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  ...['guest', 'alice', 'bob'].map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    // As the catalog's processing adds it (the mock does not process).
    relations: [{ type: 'memberOf', targetRef: 'group:default/guests' }],
    spec: {
      memberOf: ['guests'],
      ...(name === 'alice'
        ? { profile: { displayName: 'Alice (demo approver)' } }
        : {}),
    },
  })),
];

async function startAuth(auth: object = {}) {
  const { server } = await startTestBackend({
    features: [
      authPlugin,
      demoUsersAuthModule,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: { baseUrl: 'http://localhost:7007' },
          auth: { providers: { 'demo-users': { users: ['alice'] } }, ...auth },
        },
      }),
    ],
  });
  return server;
}

const refresh = (server: any, query = '') =>
  request(server)
    .get(`/api/auth/demo-users/refresh${query}`)
    .set('X-Requested-With', 'XMLHttpRequest');

describe('DEMO sign-in as a second user (demo-users)', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('signs alice in with her groups; the token is a Backstage user token', async () => {
    process.env.NODE_ENV = 'development';
    const server = await startAuth();

    const res = await refresh(server, '?user=alice');
    expect(res.status).toBe(200);
    expect(res.body.profile).toEqual({ displayName: 'Alice (demo approver)' });
    expect(res.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: ['user:default/alice', 'group:default/guests'],
    });
    // A user token of the auth backend (checked against a running backend in the README's
    // curl; the test backend's auth service takes mock tokens only).
    const [, payload] = res.body.backstageIdentity.token.split('.');
    expect(
      JSON.parse(Buffer.from(payload, 'base64url').toString()),
    ).toMatchObject({
      sub: 'user:default/alice',
    });

    // The header works too, for clients that cannot add a query.
    const byHeader = await refresh(server).set('x-demo-user', 'alice');
    expect(byHeader.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/alice',
    );
  });

  it('refuses users not listed and requests naming none', async () => {
    process.env.NODE_ENV = 'development';
    const server = await startAuth();
    const bob = await refresh(server, '?user=bob');
    expect(bob.status).toBe(403);
    expect(bob.body.error.message).toMatch(/bob is not a demo user/);
    expect((await refresh(server)).status).toBe(400);
  });

  it('is not there outside development', async () => {
    process.env.NODE_ENV = 'production';
    const production = await startAuth();
    expect((await refresh(production, '?user=alice')).status).toBe(404);

    process.env.NODE_ENV = 'development';
    const otherEnvironment = await startAuth({ environment: 'production' });
    expect((await refresh(otherEnvironment, '?user=alice')).status).toBe(404);
  });
});
