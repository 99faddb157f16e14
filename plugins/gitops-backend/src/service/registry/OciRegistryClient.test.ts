import { mockServices } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createHash } from 'node:crypto';
import { parseImageRepository, registryBaseUrl } from './imageRepository';
import {
  OciRegistryClient,
  RegistryHostConfig,
  countsManifestGets,
  nextLink,
  retryAfterMs,
} from './OciRegistryClient';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function client(hosts: RegistryHostConfig[], timeoutMs = 2000) {
  return new OciRegistryClient({
    hosts,
    logger: mockServices.logger.mock(),
    timeoutMs,
    cacheTtlMs: 60_000,
    maxRetryAfterMs: 2000,
  });
}

/** A registry that wants a bearer token from its token service, as GHCR and Docker Hub do. */
function tokenRegistry(options: {
  api: string;
  realm: string;
  service: string;
  repository: string;
  accept?: (authorization: string | null) => boolean;
}) {
  const seen = {
    tokenRequests: [] as URL[],
    authorizations: [] as Array<string | null>,
    manifestMethods: [] as string[],
  };
  const challenge = `Bearer realm="${options.realm}",service="${options.service}",scope="repository:${options.repository}:pull"`;
  const authorized = (request: Request) =>
    request.headers.get('authorization') === 'Bearer good-token';
  const handlers = [
    http.get(options.realm, ({ request }) => {
      const url = new URL(request.url);
      seen.tokenRequests.push(url);
      seen.authorizations.push(request.headers.get('authorization'));
      if (
        options.accept &&
        !options.accept(request.headers.get('authorization'))
      ) {
        return HttpResponse.json(
          { errors: [{ code: 'UNAUTHORIZED' }] },
          { status: 401 },
        );
      }
      return HttpResponse.json({ token: 'good-token', expires_in: 300 });
    }),
    http.get(
      `${options.api}/v2/${options.repository}/tags/list`,
      ({ request }) =>
        authorized(request)
          ? HttpResponse.json({
              name: options.repository,
              tags: ['v1.0.0', 'v1.0.1'],
            })
          : new HttpResponse(null, {
              status: 401,
              headers: { 'www-authenticate': challenge },
            }),
    ),
    ...[http.head, http.get].map(method =>
      method(
        `${options.api}/v2/${options.repository}/manifests/:tag`,
        ({ request, params }) => {
          seen.manifestMethods.push(request.method);
          if (!authorized(request))
            return new HttpResponse(null, {
              status: 401,
              headers: { 'www-authenticate': challenge },
            });
          if (params.tag === 'missing')
            return HttpResponse.json(
              { errors: [{ code: 'MANIFEST_UNKNOWN' }] },
              { status: 404 },
            );
          return HttpResponse.json(
            { schemaVersion: 2 },
            { headers: { 'docker-content-digest': DIGEST } },
          );
        },
      ),
    ),
  ];
  return { handlers, seen };
}

describe('OciRegistryClient', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('gets an anonymous pull token from GHCR and reads tags and digests with it', async () => {
    const ghcr = tokenRegistry({
      api: 'https://ghcr.io',
      realm: 'https://ghcr.io/token',
      service: 'ghcr.io',
      repository: 'acme/guestbook',
    });
    server.use(...ghcr.handlers);
    const registry = client([{ host: 'ghcr.io' }]);
    const image = parseImageRepository('ghcr.io/acme/guestbook');
    expect(await registry.listTags(image)).toEqual(['v1.0.0', 'v1.0.1']);
    expect(await registry.getDigest(image, 'v1.0.1')).toBe(DIGEST);
    expect(await registry.getDigest(image, 'missing')).toBeNull();
    expect(ghcr.seen.tokenRequests).toHaveLength(1); // the token is reused
    expect(ghcr.seen.tokenRequests[0].searchParams.get('scope')).toBe(
      'repository:acme/guestbook:pull',
    );
    expect(ghcr.seen.authorizations).toEqual([null]);
    // GET, not HEAD: fetch closes the connection after each HEAD.
    expect(ghcr.seen.manifestMethods).toEqual(['GET', 'GET']);
  });

  it('uses Docker Hub with library/ images, its token service and configured credentials', async () => {
    const hub = tokenRegistry({
      api: 'https://registry-1.docker.io',
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      repository: 'library/redis',
      accept: authorization =>
        authorization ===
        `Basic ${Buffer.from('bot:hub-secret').toString('base64')}`,
    });
    server.use(...hub.handlers);
    const image = parseImageRepository('redis:7.2-alpine');
    expect(image).toEqual({ host: 'docker.io', repository: 'library/redis' });
    expect(
      await client([
        { host: 'docker.io', username: 'bot', password: 'hub-secret' },
      ]).listTags(image),
    ).toEqual(['v1.0.0', 'v1.0.1']);
    expect(hub.seen.tokenRequests[0].searchParams.get('service')).toBe(
      'registry.docker.io',
    );
  });

  it('fails clearly on bad credentials without echoing them', async () => {
    const hub = tokenRegistry({
      api: 'https://ghcr.io',
      realm: 'https://ghcr.io/token',
      service: 'ghcr.io',
      repository: 'acme/private',
      accept: () => false,
    });
    server.use(...hub.handlers);
    const error = await client([
      { host: 'ghcr.io', username: 'bot', password: 'wrong-secret' },
    ])
      .listTags(parseImageRepository('ghcr.io/acme/private'))
      .catch(e => e);
    expect(error.message).toBe(
      'ghcr.io/acme/private: token request refused the configured credentials (401)',
    );
    expect(error.message).not.toContain('wrong-secret');
    expect(error.message).not.toContain(
      Buffer.from('bot:wrong-secret').toString('base64'),
    );
  });

  it('lists 150 tags in three pages of 50 by following Link: rel="next"', async () => {
    const all = Array.from({ length: 150 }, (_, i) => `v1.0.${i}`);
    const requests: string[] = [];
    server.use(
      http.get('http://127.0.0.1:5000/v2/acme/app/tags/list', ({ request }) => {
        const url = new URL(request.url);
        requests.push(url.search);
        const n = Number(url.searchParams.get('n'));
        const last = url.searchParams.get('last');
        const start = last ? all.indexOf(last) + 1 : 0;
        const page = all.slice(start, start + n);
        const more = start + n < all.length;
        return HttpResponse.json(
          { name: 'acme/app', tags: page },
          more
            ? {
                headers: {
                  link: `</v2/acme/app/tags/list?last=${
                    page[page.length - 1]
                  }&n=${n}>; rel="next"`,
                },
              }
            : undefined,
        );
      }),
    );
    const registry = new OciRegistryClient({
      hosts: [{ host: '127.0.0.1:5000' }],
      logger: mockServices.logger.mock(),
      timeoutMs: 2000,
      cacheTtlMs: 60_000,
      pageSize: 50,
    });
    expect(
      await registry.listTags(parseImageRepository('127.0.0.1:5000/acme/app')),
    ).toEqual(all);
    expect(requests).toEqual([
      '?n=50',
      '?last=v1.0.49&n=50',
      '?last=v1.0.99&n=50',
    ]);
  });

  it('uses basic auth when the registry challenges for it', async () => {
    const expected = `Basic ${Buffer.from('u:p').toString('base64')}`;
    server.use(
      http.get(
        'https://registry.example.com/v2/team/app/tags/list',
        ({ request }) =>
          request.headers.get('authorization') === expected
            ? HttpResponse.json({ tags: ['1'] })
            : new HttpResponse(null, {
                status: 401,
                headers: { 'www-authenticate': 'Basic realm="registry"' },
              }),
      ),
    );
    expect(
      await client([
        { host: 'registry.example.com', username: 'u', password: 'p' },
      ]).listTags(parseImageRepository('registry.example.com/team/app')),
    ).toEqual(['1']);
  });

  it('waits out a 429 with Retry-After and tries again', async () => {
    let calls = 0;
    server.use(
      http.get('https://ghcr.io/v2/acme/busy/tags/list', () => {
        calls += 1;
        return calls === 1
          ? new HttpResponse(null, {
              status: 429,
              headers: { 'retry-after': '1' },
            })
          : HttpResponse.json({ tags: ['v2'] });
      }),
    );
    const started = Date.now();
    expect(
      await client([{ host: 'ghcr.io' }]).listTags(
        parseImageRepository('ghcr.io/acme/busy'),
      ),
    ).toEqual(['v2']);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('gives up on a 429 that asks for a longer wait than allowed', async () => {
    server.use(
      http.get(
        'https://ghcr.io/v2/acme/busy/tags/list',
        () =>
          new HttpResponse(null, {
            status: 429,
            headers: { 'retry-after': '3600' },
          }),
      ),
    );
    await expect(
      client([{ host: 'ghcr.io' }]).listTags(
        parseImageRepository('ghcr.io/acme/busy'),
      ),
    ).rejects.toThrow(/rate limit \(429\), retry after 3600/);
  });

  it('times out on a registry that hangs', async () => {
    server.use(
      http.get(
        'https://ghcr.io/v2/acme/slow/tags/list',
        async ({ request }) => {
          await new Promise(resolve =>
            request.signal.addEventListener('abort', resolve),
          );
          return HttpResponse.json({ tags: [] });
        },
      ),
    );
    const started = Date.now();
    await expect(
      client([{ host: 'ghcr.io' }], 300).listTags(
        parseImageRepository('ghcr.io/acme/slow'),
      ),
    ).rejects.toThrow(
      'ghcr.io/acme/slow: registry did not answer within 300 ms',
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['quay.io', 'https://quay.io', ['GET']],
    // Docker Hub counts a manifest GET as a pull: HEAD first, GET only without the header.
    ['docker.io', 'https://registry-1.docker.io', ['HEAD', 'GET']],
  ])(
    'hashes the manifest when %s answers without a digest header',
    async (host, api, methods) => {
      const manifest = JSON.stringify({ schemaVersion: 2 });
      const seen: string[] = [];
      const answer = ({ request }: { request: Request }) => {
        seen.push(request.method);
        return new HttpResponse(request.method === 'HEAD' ? null : manifest);
      };
      server.use(
        http.head(`${api}/v2/acme/app/manifests/v1`, answer),
        http.get(`${api}/v2/acme/app/manifests/v1`, answer),
      );
      expect(
        await client([{ host }]).getDigest(
          parseImageRepository(`${host}/acme/app`),
          'v1',
        ),
      ).toBe(`sha256:${createHash('sha256').update(manifest).digest('hex')}`);
      expect(seen).toEqual(methods);
    },
  );

  it.each([
    ['ghcr.io', false],
    ['quay.io', false],
    ['docker.io', true],
    ['registry-1.docker.io', true],
    ['index.docker.io', true],
    ['mirror.docker.io.example.com', false],
  ])('asks %s for digests with HEAD: %p', (host, head) => {
    expect(countsManifestGets(host)).toBe(head);
  });
});

describe('registry helpers', () => {
  it.each([
    [
      'ghcr.io/acme/guestbook',
      { host: 'ghcr.io', repository: 'acme/guestbook' },
    ],
    [
      'ghcr.io/acme/guestbook:v1@sha256:abc',
      { host: 'ghcr.io', repository: 'acme/guestbook' },
    ],
    ['redis', { host: 'docker.io', repository: 'library/redis' }],
    ['bitnami/redis:7', { host: 'docker.io', repository: 'bitnami/redis' }],
    ['localhost:5000/app', { host: 'localhost:5000', repository: 'app' }],
    [
      'index.docker.io/library/nginx',
      { host: 'docker.io', repository: 'library/nginx' },
    ],
  ])('parses %s', (image, expected) => {
    expect(parseImageRepository(image)).toEqual(expected);
  });

  it.each([
    ['docker.io', false, 'https://registry-1.docker.io'],
    ['ghcr.io', false, 'https://ghcr.io'],
    ['127.0.0.1:5000', true, 'http://127.0.0.1:5000'],
  ])('uses %s at its API base URL', (host, insecure, expected) => {
    expect(registryBaseUrl(host, insecure)).toBe(expected);
  });

  it.each([
    [
      '</v2/a/tags/list?last=x&n=50>; rel="next"',
      'http://r/v2/a/tags/list?n=50',
      'http://r/v2/a/tags/list?last=x&n=50',
    ],
    [null, 'http://r/v2/a/tags/list', null],
  ])('follows the Link header %s', (link, current, expected) => {
    expect(nextLink(link, current)).toBe(expected);
  });

  it.each([
    ['2', 2000],
    [null, null],
    ['soon', null],
  ])('reads Retry-After %s', (value, expected) => {
    expect(retryAfterMs(value)).toBe(expected);
  });
});
