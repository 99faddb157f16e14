import { ResponseError } from '@backstage/errors';
import {
  MockFetchApi,
  mockApis,
  registerMswTestHooks,
} from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { GitopsClient } from './GitopsClient';
import { policyRefusalOf } from './responseError';

const rolloutsUrl =
  'http://localhost:7007/api/gitops/entities/default/Component/guestbook/rollouts';

describe('GitopsClient rollout requests', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = new GitopsClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi: new MockFetchApi(),
  });
  const guestbook = {
    kind: 'Component',
    namespace: 'default',
    name: 'guestbook',
  };

  it('posts the request as JSON and returns the recorded action', async () => {
    let received: { type: string | null; body: unknown } | undefined;
    const action = {
      id: '6f1c2f8e-0000-4000-8000-000000000002',
      action: 'rollout',
      status: 'Requested',
      to: 'prod',
      message: 'Argo Rollouts was asked to promote rollout guestbook',
    };
    server.use(
      http.post(rolloutsUrl, async ({ request }) => {
        received = {
          type: request.headers.get('content-type'),
          body: await request.json(),
        };
        return HttpResponse.json(action, { status: 201 });
      }),
    );

    await expect(
      client.requestRollout(guestbook, {
        environment: 'prod',
        action: 'abort',
      }),
    ).resolves.toEqual(action);
    expect(received).toEqual({
      type: 'application/json',
      body: { environment: 'prod', action: 'abort' },
    });
  });

  it('passes a dry run along', async () => {
    let body: unknown;
    server.use(
      http.post(rolloutsUrl, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ status: 'DryRun' });
      }),
    );

    await client.requestRollout(guestbook, {
      environment: 'prod',
      action: 'promoteFull',
      dryRun: true,
    });
    expect(body).toEqual({
      environment: 'prod',
      action: 'promoteFull',
      dryRun: true,
    });
  });

  it("turns the controller's refusal (409) into a ResponseError with the reason", async () => {
    server.use(
      http.post(rolloutsUrl, () =>
        HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message: 'The rollout is not aborted: there is nothing to retry',
            },
          },
          { status: 409 },
        ),
      ),
    );

    const error = await client
      .requestRollout(guestbook, { environment: 'prod', action: 'retry' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.cause.message).toBe(
      'The rollout is not aborted: there is nothing to retry',
    );
    // Not a policy refusal: no gates.
    expect(policyRefusalOf(error)).toBeUndefined();
  });

  it('turns a denied request (403) into a ResponseError', async () => {
    server.use(
      http.post(rolloutsUrl, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'Not allowed to change the rollout of prod',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );

    const error = await client
      .requestRollout(guestbook, { environment: 'prod', action: 'promote' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.cause.message).toBe(
      'Not allowed to change the rollout of prod',
    );
  });
});
