import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createService, type Service } from './server';

const options = {
  version: '1.2.3-test',
  drainDelayMs: 0,
  closeTimeoutMs: 1000,
};

describe('routes of a ready service', () => {
  let service: Service;
  let base: string;

  before(async () => {
    service = createService(options);
    base = `http://127.0.0.1:${await service.listen(0)}`;
  });
  after(() => service.shutdown());

  const cases = [
    { path: '/health', method: 'GET', status: 200, body: { status: 'ok' } },
    { path: '/ready', method: 'GET', status: 200, body: { status: 'ready' } },
    {
      path: '/',
      method: 'GET',
      status: 200,
      body: { message: 'Hello from ${{ values.name }}', version: '1.2.3-test' },
    },
    {
      path: '/health?verbose=1',
      method: 'GET',
      status: 200,
      body: { status: 'ok' },
    },
    { path: '/nope', method: 'GET', status: 404, body: { error: 'not found' } },
    {
      path: '/',
      method: 'POST',
      status: 405,
      body: { error: 'method not allowed' },
    },
  ];
  for (const { path, method, status, body } of cases) {
    it(`${method} ${path} answers ${status}`, async () => {
      const res = await fetch(`${base}${path}`, { method });
      assert.equal(res.status, status);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), body);
    });
  }
});

describe('metrics', () => {
  it('counts the requests it answered by status code, not probes or scrapes', async () => {
    const service = createService(options);
    const base = `http://127.0.0.1:${await service.listen(0)}`;
    try {
      const paths = ['/', '/', '/nope', '/health', '/ready', '/metrics'];
      for (const path of paths) {
        await (await fetch(`${base}${path}`)).text();
      }
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      const counts = (await res.text())
        .split('\n')
        .filter(line => line.startsWith('http_requests_total'));
      assert.deepEqual(counts, [
        'http_requests_total{code="200"} 2',
        'http_requests_total{code="404"} 1',
      ]);
    } finally {
      await service.shutdown();
    }
  });
});

describe('lifecycle', () => {
  it('is not ready before it listens', () => {
    assert.equal(createService(options).phase(), 'starting');
  });

  it('answers /ready with 503 but stays live while draining, then stops accepting', async () => {
    const service = createService({ ...options, drainDelayMs: 200 });
    const base = `http://127.0.0.1:${await service.listen(0)}`;

    const stopped = service.shutdown();
    assert.equal(service.phase(), 'draining');
    const ready = await fetch(`${base}/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'draining' });
    assert.equal((await fetch(`${base}/health`)).status, 200);

    await stopped;
    assert.equal(service.phase(), 'stopped');
    await assert.rejects(fetch(`${base}/health`));
  });

  it('shuts down once however often it is signalled', async () => {
    const service = createService(options);
    await service.listen(0);
    assert.equal(service.shutdown(), service.shutdown());
    await service.shutdown();
  });
});
