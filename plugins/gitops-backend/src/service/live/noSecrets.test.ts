import fs from 'node:fs';
import path from 'node:path';
import { setupServer } from 'msw/node';
import { FakeKubeApi } from '../../__testUtils__/fakeKubeApi';
import {
  FIXTURE_SERVER,
  watchFixtureCluster,
} from '../../__testUtils__/fixtureWatch';
import { healthyArgoService } from './__fixtures__/clusterObjects';
import { WATCHED_KINDS, kindPath } from './kinds';

/** Every non-test source file of the plugin. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name.startsWith('__') ? [] : sourceFiles(file);
    }
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)
      ? [file]
      : [];
  });
}

/**
 * The plugin never reads a Secret: it needs none (tokens come from its own config and files),
 * and a service account that may read Secrets is one an attacker wants. The RBAC examples
 * grant none (rbac.test.ts); this checks the code asks for none.
 */
describe('Secrets', () => {
  it('are not among the watched kinds, nor in any list or watch path', () => {
    expect(Object.keys(WATCHED_KINDS)).not.toContain('secrets');
    for (const kind of Object.keys(WATCHED_KINDS) as Array<
      keyof typeof WATCHED_KINDS
    >) {
      expect(kindPath(kind, 'ns')).not.toMatch(/\/secrets\b/);
    }
  });

  it('are asked for by no request of the real informers over a whole cluster', async () => {
    const server = setupServer();
    const paths: string[] = [];
    server.events.on('request:start', ({ request }) => {
      paths.push(new URL(request.url).pathname);
    });
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const api = new FakeKubeApi(FIXTURE_SERVER);
      api.load(
        healthyArgoService({
          service: 'guestbook',
          env: 'prod',
          tag: 'v1.0.3',
          replicas: 3,
        }),
      );
      const { watch } = await watchFixtureCluster(server, api);
      await watch.stop();
    } finally {
      server.close();
    }
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter(p => /\/secrets\b/.test(p))).toEqual([]);
  });

  it('are named by no source file of the plugin as a resource to read', () => {
    const root = path.resolve(__dirname, '../..');
    const offending = sourceFiles(root).filter(file =>
      // A kind name or an API path; the in-cluster token file lives under /var/run/secrets.
      /['"`]secrets['"`]|(?<!\/run)\/secrets\b/.test(
        fs.readFileSync(file, 'utf8'),
      ),
    );
    expect(offending).toEqual([]);
  });
});
