import { VerificationContext } from '@gitops-backstage/plugin-gitops-node';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createPrometheusCheck } from './prometheusCheck';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const installed = existsSync(PROMETHEUS);
// Skipped only on a developer machine without Prometheus; in CI (which installs it) a missing
// binary makes beforeAll, and so every test, fail.
const describeWithPrometheus =
  installed || process.env.CI ? describe : describe.skip;

/** Error ratio of one service over the check's window. */
const ERROR_RATIO =
  'sum(rate(demo_http_requests_total{service="{service}",code=~"5.."}[{window}]))' +
  ' / sum(rate(demo_http_requests_total{service="{service}"}[{window}]))';

/** Requests per 100 ms tick: good has 1 error in 250 (0.4 %), bad 3 in 25 (12 %). */
const TRAFFIC = [
  { service: 'good', code: '200', perTick: 249 },
  { service: 'good', code: '500', perTick: 1 },
  { service: 'bad', code: '200', perTick: 22 },
  { service: 'bad', code: '500', perTick: 3 },
];

function context(service: string): VerificationContext {
  return {
    entityRef: `component:default/${service}`,
    service,
    environment: 'staging',
    namespace: 'demo',
    version: { tag: 'main-3f2a1b9', digest: null },
    image: null,
    revision: null,
    annotations: {},
    templateValues: {},
  };
}

/**
 * An exporter whose counters grow with time, one step per 100 ms. All four grow in the same
 * step, so every scrape sees exactly the ratios above and rate() reproduces them.
 */
function startExporter(): Promise<http.Server> {
  const started = Date.now();
  const server = http.createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const ticks = Math.floor((Date.now() - started) / 100);
    const lines = [
      '# HELP demo_http_requests_total Requests served by the demo service.',
      '# TYPE demo_http_requests_total counter',
      ...TRAFFIC.map(
        t =>
          `demo_http_requests_total{service="${t.service}",code="${t.code}"} ${
            t.perTick * ticks
          }`,
      ),
    ];
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(`${lines.join('\n')}\n`);
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () => resolve(server)),
  );
}

/** A port free right now: bound, then released. */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}

async function waitFor(
  what: string,
  timeoutMs: number,
  ready: () => Promise<boolean>,
  output: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(
    `${what} within ${timeoutMs / 1000}s; prometheus said:\n${output()}`,
  );
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

describeWithPrometheus(
  installed || process.env.CI
    ? 'prometheus check against a real Prometheus'
    : `prometheus check against a real Prometheus: SKIPPED, ${PROMETHEUS} is not installed (apt-get install prometheus; required when CI is set)`,
  () => {
    let exporter: http.Server | undefined;
    let prometheus: ChildProcess | undefined;
    let tmp: string | undefined;
    let promUrl = '';
    let output = '';

    beforeAll(async () => {
      try {
        exporter = await startExporter();
        const exporterPort = (exporter.address() as AddressInfo).port;
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'prometheus-check-'));
        // scrape_timeout must not exceed the interval, and its default is 10s.
        await fs.writeFile(
          path.join(tmp, 'prometheus.yml'),
          [
            'global:',
            '  scrape_interval: 1s',
            '  scrape_timeout: 1s',
            '  evaluation_interval: 1s',
            'scrape_configs:',
            '  - job_name: demo',
            '    static_configs:',
            `      - targets: ['127.0.0.1:${exporterPort}']`,
            '',
          ].join('\n'),
        );
        const port = await freePort();
        promUrl = `http://127.0.0.1:${port}`;
        const child = spawn(
          PROMETHEUS,
          [
            `--config.file=${path.join(tmp, 'prometheus.yml')}`,
            `--storage.tsdb.path=${path.join(tmp, 'data')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            '--log.level=warn',
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        prometheus = child;
        const keep = (chunk: Buffer) => {
          output = (output + chunk.toString()).slice(-4000);
        };
        child.stdout!.on('data', keep);
        child.stderr!.on('data', keep);
        const spawnError = new Promise<never>((_, reject) => {
          child.once('error', reject);
          child.once('exit', code =>
            reject(new Error(`prometheus exited (${code}):\n${output}`)),
          );
        });
        spawnError.catch(() => undefined);
        const until = (what: string, ready: () => Promise<boolean>) =>
          Promise.race([
            waitFor(what, 30_000, ready, () => output),
            spawnError,
          ]);

        await until('prometheus not ready', async () => {
          const response = await fetch(`${promUrl}/-/ready`);
          return response.ok;
        });
        // rate() over [5s] needs two scrapes of each series inside the window.
        await until('no error ratio data', async () => {
          const query = ERROR_RATIO.replace(/\{service\}/g, 'good').replace(
            /\{window\}/g,
            '5s',
          );
          const response = await fetch(
            `${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
          );
          const text = await response.text();
          output = `${output}\nlast answer: ${text}`.slice(-4000);
          const value = JSON.parse(text)?.data?.result?.[0]?.value?.[1];
          return value !== undefined && value !== 'NaN';
        });
      } catch (error) {
        // afterAll runs too, but a half-started process must never outlive a failed start.
        await stop(prometheus);
        throw error;
      }
    }, 60_000);

    afterAll(async () => {
      await stop(prometheus);
      if (exporter) {
        exporter.closeAllConnections();
        await new Promise(resolve => exporter!.close(resolve));
      }
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    }, 15_000);

    const check = () => createPrometheusCheck({ defaultUrl: promUrl });
    const run = (
      service: string,
      options: Record<string, unknown>,
      kind = check(),
    ) =>
      kind.run(
        { name: 'error-ratio', kind: 'prometheus', options },
        context(service),
        new AbortController().signal,
      );

    it('passes the good service (0.4 % errors) under < 0.01', async () => {
      const outcome = await run('good', {
        query: ERROR_RATIO,
        window: '5s',
        threshold: '< 0.01',
      });
      expect(outcome.state).toBe('Passed');
      expect(outcome.value).toBeCloseTo(0.004, 4);
      expect(outcome.threshold).toBe('< 0.01');
      expect(outcome.detail).toBe(
        'error-ratio 0.004 over 5s, threshold < 0.01',
      );
      expect(outcome.links).toEqual([
        {
          title: 'Prometheus',
          url: `${promUrl}/graph?g0.expr=${encodeURIComponent(
            ERROR_RATIO.replace(/\{service\}/g, 'good').replace(
              /\{window\}/g,
              '5s',
            ),
          )}&g0.range_input=5s`,
        },
      ]);
      // The link opens Prometheus's graph page.
      expect((await fetch(outcome.links![0].url)).status).toBe(200);
    });

    it('fails the bad service with its ratio, ≈ 0.12', async () => {
      const outcome = await run('bad', {
        query: ERROR_RATIO,
        window: '5s',
        threshold: '< 0.01',
      });
      expect(outcome.state).toBe('Failed');
      expect(outcome.value).toBeCloseTo(0.12, 3);
      expect(outcome.detail).toBe('error-ratio 0.12 over 5s, threshold < 0.01');
    });

    it('requires every series to pass and reports the worst', async () => {
      const outcome = await run('good', {
        query:
          'sum by (service) (rate(demo_http_requests_total{code=~"5.."}[{window}]))' +
          ' / sum by (service) (rate(demo_http_requests_total[{window}]))',
        window: '5s',
        threshold: '< 0.01',
      });
      expect(outcome.state).toBe('Failed');
      expect(outcome.value).toBeCloseTo(0.12, 3);
      expect(outcome.detail).toBe(
        'error-ratio 0.12 over 5s ({service="bad"}; 1 of 2 series fail), threshold < 0.01',
      );
      const loose = await run('good', {
        query:
          'sum by (service) (rate(demo_http_requests_total{code=~"5.."}[5s]))' +
          ' / sum by (service) (rate(demo_http_requests_total[5s]))',
        threshold: '<= 0.2',
      });
      expect(loose.state).toBe('Passed');
      expect(loose.detail).toBe(
        'error-ratio 0.12 ({service="bad"}; 2 series), threshold <= 0.2',
      );
    });

    it('reads a scalar result', async () => {
      const outcome = await run('good', {
        query: 'scalar(vector(0.5))',
        threshold: '< 1',
      });
      expect(outcome).toMatchObject({ state: 'Passed', value: 0.5 });
    });

    it.each([
      ['inconclusive', undefined, 'Inconclusive'],
      ['pass', 'pass', 'Passed'],
      ['fail', 'fail', 'Failed'],
    ])(
      'handles a query without series by noData (%s)',
      async (_, noData, state) => {
        const outcome = await run('nope', {
          query: ERROR_RATIO,
          threshold: '< 0.01',
          ...(noData ? { noData } : {}),
        });
        expect(outcome).toMatchObject({
          state,
          value: null,
          detail: 'no data (no requests in 10m?)',
        });
      },
    );

    it('treats NaN (0/0: no traffic) as no data', async () => {
      const outcome = await run('good', { query: '0/0', threshold: '< 0.01' });
      expect(outcome).toMatchObject({ state: 'Inconclusive', value: null });
    });

    it('escapes filled values, so a quote in a label value cannot break the query', async () => {
      const outcome = await run('we"ird\\', {
        query: ERROR_RATIO,
        threshold: '< 0.01',
      });
      expect(outcome.detail).toBe('no data (no requests in 10m?)');
    });

    it('is Inconclusive with the parse error for a broken query', async () => {
      const outcome = await run('good', {
        query: 'sum(rate(demo_http_requests_total[{window}])',
        threshold: '< 0.01',
      });
      expect(outcome.state).toBe('Inconclusive');
      expect(outcome.detail).toMatch(
        /^query error: .*parse error.*\(bad_data\)$/,
      );
    });

    it('is Inconclusive when the query returns a range vector', async () => {
      const outcome = await run('good', {
        query: 'demo_http_requests_total[5s]',
        threshold: '< 0.01',
      });
      expect(outcome.state).toBe('Inconclusive');
      expect(outcome.detail).toMatch(/returns a matrix/);
    });

    it("uses the check's url over the default, and is an Error where nothing listens", async () => {
      const port = await freePort();
      const outcome = await run('good', {
        query: ERROR_RATIO,
        threshold: '< 0.01',
        url: `http://127.0.0.1:${port}/`,
      });
      expect(outcome).toMatchObject({
        state: 'Error',
        value: null,
        detail: `Prometheus at http://127.0.0.1:${port}: connection refused (ECONNREFUSED)`,
      });
    });

    it('is an Error when the URL is not a Prometheus API', async () => {
      const exporterUrl = `http://127.0.0.1:${
        (exporter!.address() as AddressInfo).port
      }`;
      const outcome = await run('good', {
        query: ERROR_RATIO,
        threshold: '< 0.01',
        url: exporterUrl,
      });
      expect(outcome.state).toBe('Error');
      expect(outcome.detail).toMatch(
        /answered HTTP 404 without a query result/,
      );
    });
  },
);

describe('prometheus check options', () => {
  const spec = (options: Record<string, unknown>) => ({
    name: 'error-ratio',
    kind: 'prometheus',
    options: { query: 'up', threshold: '< 1', ...options },
  });

  it('needs a Prometheus URL from config or the check', () => {
    expect(() => createPrometheusCheck().validate!(spec({}))).toThrow(
      "prometheus check error-ratio: no Prometheus URL (set gitops.verification.prometheus.url or the check's url)",
    );
    expect(() =>
      createPrometheusCheck().validate!(spec({ url: 'http://prom:9090' })),
    ).not.toThrow();
    expect(() =>
      createPrometheusCheck({ defaultUrl: 'http://prom:9090' }).validate!(
        spec({}),
      ),
    ).not.toThrow();
  });

  it.each([
    [
      { threshold: undefined },
      'prometheus check error-ratio: threshold invalid threshold',
    ],
    [
      { threshold: '0.01' },
      'prometheus check error-ratio: threshold invalid threshold "0.01"',
    ],
    [{ query: undefined }, 'prometheus check error-ratio: query is required'],
    [
      { window: '10 minutes' },
      'prometheus check error-ratio: window must be a Prometheus duration',
    ],
    [
      { noData: 'ignore' },
      'prometheus check error-ratio: noData must be one of inconclusive, pass, fail',
    ],
    [
      { url: 'prom:9090' },
      'prometheus check error-ratio: url must be an http or https URL',
    ],
  ])('rejects %j: %s', (options, message) => {
    expect(() =>
      createPrometheusCheck({ defaultUrl: 'http://prom:9090' }).validate!(
        spec(options),
      ),
    ).toThrow(message);
  });
});
