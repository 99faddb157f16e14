import http from 'node:http';
import { ApiFaults } from './ApiFaults';
import { DemoRegistry } from './DemoRegistry';
import { KubeApiServer } from './KubeApiServer';
import { ObjectStore } from './ObjectStore';

const HPAS =
  '/apis/autoscaling/v2/namespaces/guestbook/horizontalpodautoscalers';

/** One request to the demo API: status and body, or `hung` when nothing came in `ms`. */
function ask(
  port: number,
  path: string,
  options: { method?: string; body?: unknown; ms?: number } = {},
): Promise<{ status: number; body: any } | 'hung' | 'broken'> {
  return new Promise(resolve => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET' },
      res => {
        let data = '';
        res.on('data', chunk => (data += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(data) }),
        );
      },
    );
    req.on('error', () => resolve('broken'));
    const timer = setTimeout(() => {
      resolve('hung');
      req.destroy();
    }, options.ms ?? 2000);
    req.on('close', () => clearTimeout(timer));
    req.end(options.body ? JSON.stringify(options.body) : undefined);
  });
}

/** Opens a watch and collects the lines it sends; `ended` resolves when the server ends it. */
function openWatch(port: number, path: string) {
  const lines: any[] = [];
  let req!: http.ClientRequest;
  const ended = new Promise<void>(resolve => {
    req = http.get(
      { host: '127.0.0.1', port, path: `${path}?watch=true&resourceVersion=0` },
      res => {
        res.on('data', chunk =>
          String(chunk)
            .split('\n')
            .filter(Boolean)
            .forEach(line => lines.push(JSON.parse(line))),
        );
        res.on('close', () => resolve());
      },
    );
    req.on('error', () => resolve());
  });
  return { lines, ended, close: () => req.destroy() };
}

const hpa = (name: string) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name, namespace: 'guestbook' },
  spec: { minReplicas: 1, maxReplicas: 3 },
});

describe('the demo API faults (PUT /demo/faults)', () => {
  let store: ObjectStore;
  let server: KubeApiServer;
  let port: number;

  beforeEach(async () => {
    store = new ObjectStore();
    store.put('horizontalpodautoscalers', hpa('guestbook'));
    server = new KubeApiServer(
      store,
      new DemoRegistry([]),
      undefined,
      undefined,
      undefined,
      new ApiFaults(),
    );
    port = await server.listen(0);
  });
  afterEach(() => server.close());

  it('answers 403 as an API server does for a kind the account lost, and ends its watches', async () => {
    const watch = openWatch(port, HPAS);
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(
      await ask(port, '/demo/faults', {
        method: 'PUT',
        body: { forbid: ['horizontalpodautoscalers'] },
      }),
    ).toEqual({
      status: 200,
      body: { hang: false, forbid: ['horizontalpodautoscalers'] },
    });
    await watch.ended;
    const denied = await ask(port, HPAS);
    expect(denied).toMatchObject({
      status: 403,
      body: {
        kind: 'Status',
        reason: 'Forbidden',
        code: 403,
        message:
          'horizontalpodautoscalers.autoscaling is forbidden: User "system:serviceaccount:backstage:backstage-gitops" cannot list resource "horizontalpodautoscalers" in API group "autoscaling" in the namespace "guestbook"',
      },
    });
    // Other kinds are served.
    expect(
      await ask(port, '/apis/apps/v1/namespaces/guestbook/deployments'),
    ).toMatchObject({ status: 200 });
    await ask(port, '/demo/faults', { method: 'PUT', body: { forbid: [] } });
    expect(await ask(port, HPAS)).toMatchObject({ status: 200 });
  });

  it('hangs after it was warm: open watches go silent, new requests get no answer, then both break when it recovers', async () => {
    const watch = openWatch(port, HPAS);
    await new Promise(resolve => setTimeout(resolve, 100));
    const seen = watch.lines.length;
    expect(seen).toBe(1); // the ADDED of the existing object
    await ask(port, '/demo/faults', { method: 'PUT', body: { hang: true } });
    store.put('horizontalpodautoscalers', hpa('checkout'));
    const pending = ask(port, HPAS, { ms: 10_000 });
    expect(await ask(port, '/version', { ms: 300 })).toBe('hung');
    expect(watch.lines).toHaveLength(seen);
    await ask(port, '/demo/faults', { method: 'PUT', body: { hang: false } });
    // Never answered during the hang: the connection breaks, the client retries.
    expect(await pending).toBe('broken');
    await watch.ended;
    expect(watch.lines).toHaveLength(seen);
    expect(await ask(port, HPAS)).toMatchObject({
      status: 200,
      body: { items: [{}, {}] },
    });
  });

  it.each([
    [{ hang: 'yes' }, 'hang must be true or false'],
    [{ forbid: 'horizontalpodautoscalers' }, 'forbid must be a list'],
    ['not json', 'SyntaxError'],
  ])(
    'refuses %j with a 400 and keeps the faults as they were',
    async (body, error) => {
      const answer = await ask(port, '/demo/faults', {
        method: 'PUT',
        body: typeof body === 'string' ? undefined : body,
      });
      expect(answer).toMatchObject({ status: 400 });
      expect((answer as any).body.error).toContain(error);
      expect(await ask(port, '/demo/faults')).toEqual({
        status: 200,
        body: { hang: false, forbid: [] },
      });
    },
  );
});
