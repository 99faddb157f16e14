import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  exampleRepository,
  fluxFleetRepository,
} from './__testUtils__/exampleRepository';
import { DemoRegistry } from './DemoRegistry';
import { DemoTraffic } from './DemoTraffic';
import { readSeeds } from './seeds';
import { startDemoCluster } from './startDemoCluster';
import { templateHash } from './workloadObjects';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../../..');
const seedsDir = path.join(root, 'examples/demo-cluster');

type Sample = { name: string; labels: Record<string, string>; value: number };

/**
 * A strict reader of the Prometheus text format (0.0.4): `# HELP` and `# TYPE` before a family's
 * samples, metric and label names as Prometheus allows them, quoted label values with `\\`, `\"`
 * and `\n` escapes, a number. Throws on any other line.
 */
function parseExposition(text: string) {
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const help = new RegExp(`^# HELP (${name}) .+$`).exec(line);
    if (help) {
      helps.add(help[1]);
      continue;
    }
    const type = new RegExp(
      `^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`,
    ).exec(line);
    if (type) {
      expect(types.has(type[1])).toBe(false);
      types.set(type[1], type[2]);
      continue;
    }
    const sample = new RegExp(`^(${name})(?:\\{(.*)\\})? (\\S+)$`).exec(line);
    if (!sample) throw new Error(`not in the text format: ${line}`);
    const labels: Record<string, string> = {};
    const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
    const body = sample[2] ?? '';
    while (pair.lastIndex < body.length) {
      const m = pair.exec(body);
      if (!m) throw new Error(`bad labels: ${line}`);
      labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    const value = Number(sample[3]);
    if (Number.isNaN(value) && sample[3] !== 'NaN')
      throw new Error(`bad value: ${line}`);
    expect(types.has(sample[1])).toBe(true);
    expect(helps.has(sample[1])).toBe(true);
    samples.push({ name: sample[1], labels, value });
  }
  return { types, samples };
}

describe('the demo services’ traffic', () => {
  let workDir: string;
  let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
  let base: string;
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-traffic-'));
    cluster = await startDemoCluster({
      port: 0,
      repositoryUrl: exampleRepository(workDir),
      repositories: { 'flux-fleet': fluxFleetRepository(workDir) },
      seedsDir,
      logger: mockServices.logger.mock(),
      intervalMs: 200,
      stepMs: 200,
    });
    base = `http://127.0.0.1:${cluster.port}`;
  });
  afterAll(async () => {
    await cluster.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  /** Requests of one workload's version as counted at `at`, by status code. */
  const counts = (
    samples: Sample[],
    service: string,
    env: string,
    version: string,
  ) => {
    const of = (code: string) =>
      samples.find(
        s =>
          s.name === 'demo_http_requests_total' &&
          s.labels.service === service &&
          s.labels.env === env &&
          s.labels.version === version &&
          s.labels.code === code,
      )?.value;
    return { ok: of('200'), errors: of('500') };
  };

  it('serves counters per service, environment and version in the Prometheus text format', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'text/plain; version=0.0.4; charset=utf-8',
    );
    const { types, samples } = parseExposition(await res.text());
    expect(types.get('demo_http_requests_total')).toBe('counter');
    expect(types.get('demo_pods_ready')).toBe('gauge');
    const ready = Object.fromEntries(
      samples
        .filter(s => s.name === 'demo_pods_ready')
        .map(s => [`${s.labels.namespace} ${s.labels.version}`, s.value]),
    );
    expect(ready).toMatchObject({
      'guestbook-dev v1.0.5': 1,
      'guestbook-staging v1.0.4': 2,
      // prod pins a digest: the version is its tag in the registry
      'sample-app-prod 1.4.1': 3,
      // the same chart twice in dev, by two Kustomizations (apps/podinfo and flux-fleet)
      'podinfo-dev 6.7.1': 1,
      'apps-dev 6.7.1': 1,
    });
    // An Argo Rollouts Rollout's pods say their side of a canary: the pod template hash.
    expect(
      samples
        .filter(
          s =>
            s.name === 'demo_pods_ready' &&
            s.labels.namespace === 'checkout-prod',
        )
        .map(s => [
          s.labels.version,
          s.labels.rollouts_pod_template_hash,
          s.value,
        ]),
    ).toEqual([['v2.3.0', templateHash('ghcr.io/acme/checkout:v2.3.0'), 5]]);
    // The service as the catalog names it: flux-podinfo's engine objects are flux-podinfo-<env>.
    expect(
      samples
        .filter(s => s.name === 'demo_pods_ready' && s.labels.env === 'dev')
        .map(s => `${s.labels.service} ${s.labels.namespace}`)
        .sort(),
    ).toEqual([
      'checkout checkout-dev',
      'demo-flask-app demo-flask-app-dev',
      'flux-podinfo apps-dev',
      'guestbook guestbook-dev',
      'podinfo podinfo-dev',
    ]);
    // Nothing ready, no traffic: the crashing build, the image that was never pushed.
    expect(ready['demo-flask-app-staging 5c4b3a2-40']).toBeUndefined();
    expect(ready['sample-app-dev 1.4.2']).toBeUndefined();
    const envs = samples
      .filter(s => s.labels.service === 'guestbook')
      .map(s => s.labels.env);
    expect(new Set(envs)).toEqual(new Set(['dev', 'staging', 'prod']));
    // Both codes from the start, so an error ratio is 0 (not "no data") before the first 5xx.
    expect(counts(samples, 'guestbook', 'dev', 'v1.0.5')).toEqual({
      ok: expect.any(Number),
      errors: expect.any(Number),
    });
  });

  it('grows 20 requests a second per ready pod, 12 % of guestbook v1.0.4 failing and 0.3 % of the others', () => {
    const seeds = readSeeds(seedsDir);
    const traffic = new DemoTraffic(
      cluster.store,
      new DemoRegistry(seeds.images),
    );
    const t0 = Date.now();
    const before = parseExposition(traffic.metrics(t0)).samples;
    const after = parseExposition(traffic.metrics(t0 + 60_000)).samples;
    const delta = (service: string, env: string, version: string) => {
      const a = counts(before, service, env, version);
      const b = counts(after, service, env, version);
      return { ok: b.ok! - a.ok!, errors: b.errors! - a.errors! };
    };
    // 2 pods × 20/s × 60 s = 2400 requests, 12 % of them failed
    expect(delta('guestbook', 'staging', 'v1.0.4')).toEqual({
      ok: 2112,
      errors: 288,
    });
    // 1 pod: 1200 requests, 0.3 % (3.6) failed; each code's counter is rounded down
    expect(delta('guestbook', 'dev', 'v1.0.5')).toEqual({
      ok: 1196,
      errors: 3,
    });
  });

  it('says whether every pod of an environment’s workload is ready', async () => {
    const health = async (url: string) => {
      const res = await fetch(`${base}${url}`);
      return [res.status, await res.json()];
    };
    expect(await health('/demo/services/guestbook/staging/health')).toEqual([
      200,
      { status: 'ok' },
    ]);
    // CrashLoopBackOff and ImagePullBackOff
    expect(
      await health('/demo/services/demo-flask-app/staging/health'),
    ).toEqual([503, { status: 'unavailable', ready: 0, pods: 2, replicas: 2 }]);
    expect((await health('/demo/services/sample-app/dev/health'))[0]).toBe(503);
    // the chart podinfo twice in dev, as the services podinfo and flux-podinfo
    expect((await health('/demo/services/podinfo/dev/health'))[0]).toBe(200);
    expect((await health('/demo/services/flux-podinfo/dev/health'))[0]).toBe(
      200,
    );
    expect(
      (
        await health(
          '/demo/services/flux-podinfo/dev/health?namespace=podinfo-dev',
        )
      )[0],
    ).toBe(404);
    expect(await health('/demo/services/guestbook/qa/health')).toEqual([
      404,
      { status: 'unknown', message: 'the demo runs no guestbook in qa' },
    ]);
  });
});
