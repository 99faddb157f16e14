import { VerificationContext } from '@gitops-backstage/plugin-gitops-node';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createHttpCheck } from './httpCheck';

const context: VerificationContext = {
  entityRef: 'component:default/guestbook',
  service: 'guestbook',
  environment: 'staging',
  namespace: 'guestbook-staging',
  version: { tag: '1.4.2', digest: null },
  image: null,
  revision: null,
  annotations: {},
  templateValues: {},
};

/** A real server on 127.0.0.1: `/health` answers as `routes` say, `/hang` never answers. */
function startServer() {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request);
    const path = new URL(request.url!, 'http://x').pathname;
    if (path === '/hang') return; // never answers
    if (path === '/staging/guestbook/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"UP","version":"1.4.2"}');
      return;
    }
    if (path === '/down') {
      response.writeHead(503);
      response.end('maintenance');
      return;
    }
    if (path === '/big') {
      // The marker sits past the first 64 KiB, where bodyMatch must not look.
      response.writeHead(200);
      response.end(`${'x'.repeat(70 * 1024)}MARKER`);
      return;
    }
    response.writeHead(404);
    response.end();
  });
  return new Promise<{
    server: http.Server;
    base: string;
    requests: typeof requests;
  }>(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
      }),
    ),
  );
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}

describe('http check', () => {
  const check = createHttpCheck();
  let target: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    target = await startServer();
  });
  afterAll(async () => {
    target.server.closeAllConnections();
    await new Promise(resolve => target.server.close(resolve));
  });

  const run = (
    options: Record<string, unknown>,
    signal = new AbortController().signal,
  ) => check.run({ name: 'health', kind: 'http', options }, context, signal);

  it('passes on the expected status, with the URL filled from the context and headers sent', async () => {
    const outcome = await run({
      url: `${target.base}/{env}/{service}/health`,
      headers: { 'x-probe': 'gitops' },
      bodyMatch: '"status":"UP"',
    });
    expect(outcome).toEqual({
      state: 'Passed',
      value: 200,
      threshold: '200, body ~ /"status":"UP"/',
      detail: `GET ${target.base}/staging/guestbook/health → 200, body matches /"status":"UP"/`,
    });
    expect(target.requests.at(-1)!.headers['x-probe']).toBe('gitops');
  });

  it('fails on another status, naming what was expected', async () => {
    const outcome = await run({ url: `${target.base}/down` });
    expect(outcome).toEqual({
      state: 'Failed',
      value: 503,
      threshold: '200',
      detail: `GET ${target.base}/down → 503, expected 200`,
    });
  });

  it('accepts any status of a list', async () => {
    const outcome = await run({
      url: `${target.base}/down`,
      expectStatus: [200, 503],
    });
    expect(outcome.state).toBe('Passed');
    expect(outcome.threshold).toBe('200 or 503');
  });

  it('fails when the body does not match', async () => {
    const outcome = await run({
      url: `${target.base}/staging/guestbook/health`,
      bodyMatch: '"version":"2\\.',
    });
    expect(outcome).toMatchObject({
      state: 'Failed',
      value: 200,
      detail: `GET ${target.base}/staging/guestbook/health → 200, body does not match /"version":"2\\./`,
    });
  });

  it('looks only at the first 64 KiB of the body', async () => {
    const outcome = await run({
      url: `${target.base}/big`,
      bodyMatch: 'MARKER',
    });
    expect(outcome.state).toBe('Failed');
    const start = await run({
      url: `${target.base}/big`,
      bodyMatch: '^x{1000}',
    });
    expect(start.state).toBe('Passed');
  });

  it('is an Error within its time-out when the server never answers', async () => {
    const started = Date.now();
    const outcome = await run({
      url: `${target.base}/hang`,
      timeoutSeconds: 0.3,
    });
    const elapsed = Date.now() - started;
    expect(outcome).toEqual({
      state: 'Error',
      value: null,
      threshold: '200',
      detail: `GET ${target.base}/hang: no answer within 0.3s`,
    });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
  });

  it('is an Error when the connection is refused', async () => {
    const port = await closedPort();
    const outcome = await run({ url: `http://127.0.0.1:${port}/health` });
    expect(outcome).toMatchObject({
      state: 'Error',
      value: null,
      detail: `GET http://127.0.0.1:${port}/health: connection refused (ECONNREFUSED)`,
    });
  });

  it("is an Error saying so when the caller's signal ends the request", async () => {
    const controller = new AbortController();
    const pending = run({ url: `${target.base}/hang` }, controller.signal);
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    expect(await pending).toMatchObject({
      state: 'Error',
      detail: `GET ${target.base}/hang: aborted (shutting down)`,
    });
    const timedOut = await run(
      { url: `${target.base}/hang` },
      AbortSignal.timeout(100),
    );
    expect(timedOut.detail).toBe(
      `GET ${target.base}/hang: no answer within the verification time-out`,
    );
  });

  it('is Inconclusive for an unknown placeholder, naming it', async () => {
    const outcome = await run({ url: `${target.base}/{region}/health` });
    expect(outcome.state).toBe('Inconclusive');
    expect(outcome.detail).toMatch(
      /^config error: unknown placeholder \{region\}/,
    );
  });

  it.each([
    [{}, 'http check health: url is required'],
    [
      { url: 'ftp://example.com/x' },
      'http check health: url must be an http or https URL, not ftp:',
    ],
    [
      { url: 'http://x', expectStatus: 'ok' },
      'http check health: expectStatus must be',
    ],
    [
      { url: 'http://x', expectStatus: [] },
      'http check health: expectStatus must be',
    ],
    [
      { url: 'http://x', bodyMatch: '(' },
      'http check health: bodyMatch is not a regular expression',
    ],
    [
      { url: 'http://x', headers: ['a'] },
      'http check health: headers must be a map of strings',
    ],
    [
      { url: 'http://x', timeoutSeconds: 0 },
      'http check health: timeoutSeconds must be a positive number',
    ],
  ])('validate rejects %j', (options, message) => {
    expect(() =>
      check.validate!({ name: 'health', kind: 'http', options }),
    ).toThrow(message);
  });

  it('validate accepts a URL that is a template', () => {
    expect(() =>
      check.validate!({
        name: 'health',
        kind: 'http',
        options: { url: '{baseUrl}/health' },
      }),
    ).not.toThrow();
  });
});
