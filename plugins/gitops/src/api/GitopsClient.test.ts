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

const baseUrl = 'http://localhost:7007/api/gitops';

describe('GitopsClient', () => {
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

  it('reads the environments of an entity', async () => {
    const body = { entityRef: 'component:default/guestbook', environments: [] };
    server.use(
      http.get(
        `${baseUrl}/entities/default/Component/guestbook/environments`,
        () => HttpResponse.json(body),
      ),
    );

    await expect(client.getEnvironments(guestbook)).resolves.toEqual(body);
  });

  it('passes the environment of the history as a query parameter', async () => {
    let requested: URL | undefined;
    server.use(
      http.get(
        `${baseUrl}/entities/default/Component/guestbook/history`,
        ({ request }) => {
          requested = new URL(request.url);
          return HttpResponse.json({
            entityRef: 'component:default/guestbook',
            environment: 'prod',
            items: [],
          });
        },
      ),
    );

    await client.getHistory(guestbook, 'prod & co');

    expect(requested?.searchParams.get('environment')).toBe('prod & co');
  });

  it('compares two environments, passing both as query parameters', async () => {
    let requested: URL | undefined;
    const body = {
      from: 'staging',
      to: 'prod',
      revision: 'abc1234',
      differences: [{ field: 'image.tag', from: 'v1.0.5', to: 'v1.0.4' }],
    };
    server.use(
      http.get(
        `${baseUrl}/entities/default/Component/guestbook/compare`,
        ({ request }) => {
          requested = new URL(request.url);
          return HttpResponse.json(body);
        },
      ),
    );

    await expect(
      client.compare(guestbook, 'staging & co', 'prod'),
    ).resolves.toEqual(body);
    expect(requested?.searchParams.get('from')).toBe('staging & co');
    expect(requested?.searchParams.get('to')).toBe('prod');
  });

  it('turns a refused comparison into a ResponseError with the reason', async () => {
    server.use(
      http.get(`${baseUrl}/entities/default/Component/guestbook/compare`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'No environment qa' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );

    const error = await client.compare(guestbook, 'qa', 'prod').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.cause.message).toBe('No environment qa');
  });

  it('asks the overview with its filters, order and paging, leaving out empty ones', async () => {
    let requested: URL | undefined;
    server.use(
      http.get(`${baseUrl}/overview`, ({ request }) => {
        requested = new URL(request.url);
        return HttpResponse.json({
          items: [],
          totalCount: 0,
          nextCursor: null,
        });
      }),
    );

    await client.getOverview({
      status: 'OutOfSync',
      sort: 'problems',
      order: 'desc',
      owner: '',
      limit: 100,
    });

    expect(Object.fromEntries(requested!.searchParams)).toEqual({
      status: 'OutOfSync',
      sort: 'problems',
      order: 'desc',
      limit: '100',
    });
  });

  describe('delivery metrics', () => {
    const metrics = {
      window: {
        days: 7,
        from: '2026-11-21T00:00:00.000Z',
        to: '2026-11-28T00:00:00.000Z',
      },
      failureWindowHours: 24,
      entities: 2,
      environments: [],
    };

    it.each([
      {
        name: 'every filter',
        query: {
          owner: 'group:default/team-a',
          environment: 'prod & co',
          window: '7d',
        },
        expected: {
          owner: 'group:default/team-a',
          environment: 'prod & co',
          window: '7d',
        },
      },
      {
        name: 'the empty filters left out',
        query: { owner: '', environment: undefined, window: '90d' },
        expected: { window: '90d' },
      },
      { name: 'no query at all', query: undefined, expected: {} },
    ])('asks the fleet metrics with $name', async ({ query, expected }) => {
      let requested: URL | undefined;
      server.use(
        http.get(`${baseUrl}/metrics`, ({ request }) => {
          requested = new URL(request.url);
          return HttpResponse.json(metrics);
        }),
      );

      await expect(client.getDeliveryMetrics(query)).resolves.toEqual(metrics);
      expect(Object.fromEntries(requested!.searchParams)).toEqual(expected);
    });

    it.each([
      { window: '30d', search: '?window=30d' },
      { window: undefined, search: '' },
      { window: '', search: '' },
    ])(
      'asks the metrics of one service, window $window as "$search"',
      async ({ window, search }) => {
        let requested: URL | undefined;
        server.use(
          http.get(`${baseUrl}/entities/*`, ({ request }) => {
            requested = new URL(request.url);
            return HttpResponse.json(metrics);
          }),
        );

        await expect(
          client.getEntityDeliveryMetrics(
            { kind: 'Component', namespace: 'a/b', name: 'c?d' },
            window,
          ),
        ).resolves.toEqual(metrics);
        expect(requested?.pathname).toBe(
          '/api/gitops/entities/a%2Fb/Component/c%3Fd/metrics',
        );
        expect(requested?.search).toBe(search);
      },
    );

    it('turns a refused window into a ResponseError with the reason', async () => {
      server.use(
        http.get(`${baseUrl}/metrics`, () =>
          HttpResponse.json(
            {
              error: { name: 'InputError', message: 'Unknown window 1y' },
              response: { statusCode: 400 },
            },
            { status: 400 },
          ),
        ),
      );

      const error = await client
        .getDeliveryMetrics({ window: '1y' })
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(400);
      expect(error.cause.message).toBe('Unknown window 1y');
    });

    it('turns an unknown service into a ResponseError', async () => {
      server.use(
        http.get(
          `${baseUrl}/entities/default/Component/guestbook/metrics`,
          () =>
            HttpResponse.json(
              {
                error: { name: 'NotFoundError', message: 'No such entity' },
                response: { statusCode: 404 },
              },
              { status: 404 },
            ),
        ),
      );

      const error = await client
        .getEntityDeliveryMetrics(guestbook, '30d')
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(404);
    });
  });

  it('posts a promotion as JSON and returns the action', async () => {
    let received: { type: string | null; body: unknown } | undefined;
    const action = { id: null, status: 'DryRun', gates: [] };
    server.use(
      http.post(
        `${baseUrl}/entities/default/Component/guestbook/promotions`,
        async ({ request }) => {
          received = {
            type: request.headers.get('content-type'),
            body: await request.json(),
          };
          return HttpResponse.json(action);
        },
      ),
    );

    await expect(
      client.promote(guestbook, { from: 'dev', to: 'staging', dryRun: true }),
    ).resolves.toEqual(action);
    expect(received).toEqual({
      type: 'application/json',
      body: { from: 'dev', to: 'staging', dryRun: true },
    });
  });

  it('turns a refused promotion into a ResponseError with the reason', async () => {
    server.use(
      http.post(
        `${baseUrl}/entities/default/Component/guestbook/promotions`,
        () =>
          HttpResponse.json(
            {
              error: {
                name: 'NotAllowedError',
                message:
                  'Not allowed to promote component:default/guestbook in prod',
              },
              response: { statusCode: 403 },
            },
            { status: 403 },
          ),
      ),
    );

    const error = await client
      .promote(guestbook, { from: 'staging', to: 'prod' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.cause.message).toBe(
      'Not allowed to promote component:default/guestbook in prod',
    );
  });

  it('reads an action by id', async () => {
    server.use(
      http.get(
        `${baseUrl}/promotions/6f1c2f8e-0000-4000-8000-000000000001`,
        () =>
          HttpResponse.json({
            id: '6f1c2f8e-0000-4000-8000-000000000001',
            status: 'Succeeded',
          }),
      ),
    );
    await expect(
      client.getAction('6f1c2f8e-0000-4000-8000-000000000001'),
    ).resolves.toMatchObject({ status: 'Succeeded' });
  });

  it('encodes each part of the entity ref as one path segment', async () => {
    let path: string | undefined;
    server.use(
      http.get(`${baseUrl}/entities/*`, ({ request }) => {
        path = new URL(request.url).pathname;
        return HttpResponse.json({ entityRef: 'x', environments: [] });
      }),
    );

    await client.getEnvironments({
      kind: 'Component',
      namespace: 'a/b',
      name: 'c?d',
    });

    expect(path).toBe(
      '/api/gitops/entities/a%2Fb/Component/c%3Fd/environments',
    );
  });

  it('throws a ResponseError carrying the backend error', async () => {
    server.use(
      http.get(
        `${baseUrl}/entities/default/Component/guestbook/environments`,
        () =>
          // The body the backend's default error handler sends.
          HttpResponse.json(
            {
              error: {
                name: 'NotFoundError',
                message: 'Entity component:default/guestbook not found',
              },
              request: {
                method: 'GET',
                url: '/api/gitops/entities/default/Component/guestbook/environments',
              },
              response: { statusCode: 404 },
            },
            { status: 404 },
          ),
      ),
    );

    const error = await client.getEnvironments(guestbook).catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(404);
    expect(error.body.error).toMatchObject({
      name: 'NotFoundError',
      message: 'Entity component:default/guestbook not found',
    });
  });
  describe('policy: verifications, approvals, freezes and refusals', () => {
    const entityUrl = `${baseUrl}/entities/default/Component/guestbook`;
    const record = {
      entityRef: 'component:default/guestbook',
      environment: 'staging',
      version: { tag: 'v1.0.5', digest: null },
      state: 'Pending',
      checks: [],
      attempts: 0,
      startedAt: null,
      finishedAt: null,
      nextAttemptAt: null,
      at: '2026-12-03T10:00:00.000Z',
      requestedBy: 'user:default/guest',
    };
    const approval = {
      id: 'a1',
      entityRef: 'component:default/guestbook',
      environment: 'prod',
      version: { tag: 'v1.0.5', digest: null },
      from: 'staging',
      approver: 'user:default/alice',
      approverGroups: ['group:default/release-managers'],
      comment: 'looks good',
      createdAt: '2026-12-03T10:00:00.000Z',
    };
    const freeze = {
      id: 'f1',
      environments: ['prod'],
      reason: 'year-end freeze',
      until: '2026-12-28T08:00:00.000Z',
      by: 'user:default/alice',
      createdAt: '2026-12-03T10:00:00.000Z',
    };

    /** Records each request (method, path, query, JSON body) and answers `answer`. */
    function recordRequests(
      method: 'get' | 'post' | 'delete',
      url: string,
      answer: () => Response,
    ) {
      const requests: Array<{
        method: string;
        path: string;
        query: Record<string, string>;
        body: unknown;
      }> = [];
      server.use(
        http[method](url, async ({ request }) => {
          const parsed = new URL(request.url);
          const text = await request.text();
          requests.push({
            method: request.method,
            path: parsed.pathname,
            query: Object.fromEntries(parsed.searchParams),
            body: text ? JSON.parse(text) : undefined,
          });
          return answer();
        }),
      );
      return requests;
    }

    it('reads the verification history of an environment', async () => {
      const requests = recordRequests('get', `${entityUrl}/verifications`, () =>
        HttpResponse.json({ items: [record] }),
      );
      await expect(
        client.getVerifications(guestbook, 'staging & co'),
      ).resolves.toEqual({ items: [record] });
      expect(requests).toEqual([
        {
          method: 'GET',
          path: '/api/gitops/entities/default/Component/guestbook/verifications',
          query: { environment: 'staging & co' },
          body: undefined,
        },
      ]);
    });

    it('asks for a verification to run again, with or without a version', async () => {
      const requests = recordRequests(
        'post',
        `${entityUrl}/verifications`,
        () => HttpResponse.json(record, { status: 202 }),
      );
      await expect(
        client.rerunVerification(guestbook, { environment: 'staging' }),
      ).resolves.toEqual(record);
      await client.rerunVerification(guestbook, {
        environment: 'staging',
        version: 'v1.0.4',
      });
      expect(requests.map(r => r.body)).toEqual([
        { environment: 'staging' },
        { environment: 'staging', version: 'v1.0.4' },
      ]);
    });

    it('reads the approvals of an environment and approves a version', async () => {
      const reads = recordRequests('get', `${entityUrl}/approvals`, () =>
        HttpResponse.json({ items: [approval] }),
      );
      const posts = recordRequests('post', `${entityUrl}/approvals`, () =>
        HttpResponse.json(approval, { status: 201 }),
      );
      await expect(client.getApprovals(guestbook, 'prod')).resolves.toEqual({
        items: [approval],
      });
      expect(reads[0].query).toEqual({ environment: 'prod' });
      await expect(
        client.approve(guestbook, {
          environment: 'prod',
          version: 'v1.0.5',
          comment: 'looks good',
        }),
      ).resolves.toEqual(approval);
      expect(posts[0].body).toEqual({
        environment: 'prod',
        version: 'v1.0.5',
        comment: 'looks good',
      });
    });

    it('turns a refused approval into a ResponseError with the reason, even without the response part', async () => {
      server.use(
        http.post(`${entityUrl}/approvals`, () =>
          HttpResponse.json(
            {
              error: {
                name: 'ConflictError',
                message:
                  'user:default/guest asked for this promotion: nobody approves their own request',
              },
            },
            { status: 409 },
          ),
        ),
      );
      const error = await client
        .approve(guestbook, { environment: 'prod' })
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(409);
      expect(error.cause.name).toBe('ConflictError');
      expect(error.cause.message).toBe(
        'user:default/guest asked for this promotion: nobody approves their own request',
      );
      // Not a refusal of the policy: no gates.
      expect(policyRefusalOf(error)).toBeUndefined();
    });

    it('reads, declares and lifts freezes', async () => {
      const reads = recordRequests('get', `${baseUrl}/freezes`, () =>
        HttpResponse.json({ items: [freeze] }),
      );
      const posts = recordRequests('post', `${baseUrl}/freezes`, () =>
        HttpResponse.json(freeze, { status: 201 }),
      );
      const deletes = recordRequests(
        'delete',
        `${baseUrl}/freezes/*`,
        () => new HttpResponse(null, { status: 204 }),
      );

      await expect(client.getFreezes()).resolves.toEqual({ items: [freeze] });
      await expect(
        client.createFreeze({
          environments: '*',
          reason: 'year-end freeze',
          until: '2026-12-28T08:00:00.000Z',
        }),
      ).resolves.toEqual(freeze);
      await expect(client.deleteFreeze('f 1/2')).resolves.toBeUndefined();

      expect(reads).toHaveLength(1);
      expect(posts[0].body).toEqual({
        environments: '*',
        reason: 'year-end freeze',
        until: '2026-12-28T08:00:00.000Z',
      });
      expect(deletes.map(d => [d.method, d.path])).toEqual([
        ['DELETE', '/api/gitops/freezes/f%201%2F2'],
      ]);
    });

    it('turns a refused lift into a ResponseError', async () => {
      server.use(
        http.delete(`${baseUrl}/freezes/f1`, () =>
          HttpResponse.json(
            {
              error: { name: 'NotAllowedError', message: 'Not allowed' },
              response: { statusCode: 403 },
            },
            { status: 403 },
          ),
        ),
      );
      const error = await client.deleteFreeze('f1').catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(403);
      expect(error.cause.message).toBe('Not allowed');
    });

    it('keeps the gates and retryAt of a promotion the policy refused (409)', async () => {
      const gates = [
        {
          name: 'freeze',
          state: 'wait',
          passed: false,
          message: 'prod is frozen until Mon 09:00 Europe/Berlin',
          retryAt: '2026-12-28T08:00:00.000Z',
          evidence: { freeze: 'f1' },
        },
      ];
      server.use(
        http.post(`${entityUrl}/promotions`, () =>
          HttpResponse.json(
            {
              error: {
                name: 'ConflictError',
                message:
                  'Promotion staging → prod refused: prod is frozen until Mon 09:00 Europe/Berlin: year-end freeze, set by user:default/alice',
              },
              gates,
              retryAt: '2026-12-28T08:00:00.000Z',
            },
            { status: 409 },
          ),
        ),
      );
      const error = await client
        .promote(guestbook, { from: 'staging', to: 'prod' })
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(409);
      expect(policyRefusalOf(error)).toEqual({
        message:
          'Promotion staging → prod refused: prod is frozen until Mon 09:00 Europe/Berlin: year-end freeze, set by user:default/alice',
        gates,
        retryAt: '2026-12-28T08:00:00.000Z',
      });
    });

    it('sends an override with its reason', async () => {
      const requests = recordRequests('post', `${entityUrl}/promotions`, () =>
        HttpResponse.json({ id: 'p1', status: 'PullRequestOpened', gates: [] }),
      );
      await client.promote(guestbook, {
        from: 'staging',
        to: 'prod',
        override: { reason: 'hotfix for INC-42' },
      });
      expect(requests[0].body).toEqual({
        from: 'staging',
        to: 'prod',
        override: { reason: 'hotfix for INC-42' },
      });
    });

    it('sends a change with an Idempotency-Key, and once more with the same key when no answer came', async () => {
      const keys: Array<string | null> = [];
      let calls = 0;
      server.use(
        http.post(`${entityUrl}/scale`, ({ request }) => {
          keys.push(request.headers.get('idempotency-key'));
          calls += 1;
          // The first try's answer is lost (the backend restarted mid-request).
          return calls === 1
            ? HttpResponse.error()
            : HttpResponse.json({ id: 's1', status: 'Committed', gates: [] });
        }),
      );
      const action = await client.scale(guestbook, {
        environment: 'prod',
        replicas: 4,
      });
      expect(action).toMatchObject({ id: 's1', status: 'Committed' });
      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(keys[1]).toBe(keys[0]);

      // A new change gets a new key; a dry run writes nothing and needs none.
      await client.scale(guestbook, { environment: 'prod', replicas: 5 });
      await client.scale(guestbook, {
        environment: 'prod',
        replicas: 6,
        dryRun: true,
      });
      expect(keys).toHaveLength(4);
      expect(keys[2]).not.toBe(keys[0]);
      expect(keys[3]).toBe(null);
    });

    it('does not send a change again when it was answered, even with an error', async () => {
      let calls = 0;
      server.use(
        http.post(`${entityUrl}/promotions`, () => {
          calls += 1;
          return HttpResponse.json(
            { error: { name: 'UpstreamError', message: 'push failed' } },
            { status: 502 },
          );
        }),
      );
      const error = await client
        .promote(guestbook, { from: 'dev', to: 'staging' })
        .catch(e => e);
      expect(error.statusCode).toBe(502);
      expect(calls).toBe(1);
    });

    it('keeps a plain text error as the message', async () => {
      server.use(
        http.get(`${baseUrl}/freezes`, () =>
          HttpResponse.text('upstream down', { status: 502 }),
        ),
      );
      const error = await client.getFreezes().catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(502);
      expect(error.cause.message).toContain('upstream down');
    });
  });
});
