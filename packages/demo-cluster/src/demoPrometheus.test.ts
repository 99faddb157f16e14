import { mockServices } from '@backstage/backend-test-utils';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  exampleRepository,
  fluxFleetRepository,
} from './__testUtils__/exampleRepository';
import { startDemoCluster } from './startDemoCluster';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../../..');
const binary = process.env.PROMETHEUS_BIN || '/usr/bin/prometheus';
const installed = fs.existsSync(binary);
const promtool = path.join(path.dirname(binary), 'promtool');

/** The error-ratio check of app-config.yaml, its placeholders filled, over a short window. */
function errorRatio(service: string, env: string, tag: string) {
  const of = `service="${service}",env="${env}",version="${tag}"`;
  return `sum(rate(demo_http_requests_total{${of},code=~"5.."}[20s])) / sum(rate(demo_http_requests_total{${of}}[20s]))`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

if (!installed && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.warn(
    `demoPrometheus.test.ts skipped: no Prometheus at ${binary} (apt-get install prometheus, or set PROMETHEUS_BIN); CI runs it`,
  );
}

/**
 * `yarn start`'s Prometheus (examples/demo-prometheus.mjs, which runs the demo beside it) against
 * a started demo cluster: it scrapes /metrics, and the staging verification's error-ratio query
 * tells the failing guestbook v1.0.4 from v1.0.5.
 */
(installed || process.env.CI ? describe : describe.skip)(
  'the demo with Prometheus',
  () => {
    let workDir: string;
    let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
    let wrapper: ChildProcess;
    let promPort: number;
    let url: string;
    let output = '';

    beforeAll(async () => {
      if (!installed) {
        throw new Error(
          `Prometheus is not installed at ${binary}: CI needs Debian's prometheus package (apt-get install prometheus)`,
        );
      }
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-prometheus-'));
      cluster = await startDemoCluster({
        port: 0,
        repositoryUrl: exampleRepository(workDir),
        repositories: { 'flux-fleet': fluxFleetRepository(workDir) },
        seedsDir: path.join(root, 'examples/demo-cluster'),
        logger: mockServices.logger.mock(),
        intervalMs: 250,
        stepMs: 250,
      });
      promPort = await freePort();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PROMETHEUS_BIN: binary,
        DEMO_PROMETHEUS_PORT: String(promPort),
        DEMO_PROMETHEUS_DIR: path.join(workDir, 'prometheus'),
        DEMO_CLUSTER_PORT: String(cluster.port),
      };
      delete env.DEMO_PROMETHEUS_URL;
      // The command stands in for the demo: it prints what it was given and waits.
      wrapper = spawn(
        process.execPath,
        [
          path.join(root, 'examples/demo-prometheus.mjs'),
          process.execPath,
          '-e',
          'console.log(`url=${process.env.DEMO_PROMETHEUS_URL}`); setInterval(() => {}, 60000)',
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      wrapper.stdout!.on('data', chunk => (output += chunk));
      wrapper.stderr!.on('data', chunk => (output += chunk));
      const until = Date.now() + 30_000;
      while (!/^url=/m.test(output) && Date.now() < until) {
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      url = /^url=(.*)$/m.exec(output)?.[1] ?? '';
    });

    afterAll(async () => {
      if (wrapper && wrapper.exitCode === null) {
        const exited = new Promise(resolve => wrapper.once('exit', resolve));
        wrapper.kill('SIGTERM');
        await exited;
      }
      await cluster?.stop();
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    const query = async (promql: string) => {
      const res = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      const body = await res.json();
      expect(body.status).toBe('success');
      const [sample] = body.data.result;
      return sample ? Number(sample.value[1]) : undefined;
    };

    it('starts Prometheus, hands its URL to the demo and logs one line', () => {
      expect(url).toBe(`http://127.0.0.1:${promPort}`);
      const lines = output.split('\n').filter(l => l.startsWith('demo-'));
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^demo-prometheus: Prometheus 2\\.\\S+ on http://127\\.0\\.0\\.1:${promPort}, scraping the demo cluster \\(127\\.0\\.0\\.1:${cluster.port}/metrics\\) every 2s`,
          ),
        ),
      ]);
    });

    it('passes promtool’s checks of the exposition format', async () => {
      if (!fs.existsSync(promtool)) return;
      const text = await (
        await fetch(`http://127.0.0.1:${cluster.port}/metrics`)
      ).text();
      // Exit code 0: it parses, and no lint problems (names, HELP, counters ending in _total).
      const lint = execFileSync(promtool, ['check', 'metrics'], {
        input: text,
        encoding: 'utf8',
      });
      expect(lint).toBe('');
    });

    it('answers the error-ratio check: ≈ 12 % for guestbook v1.0.4 in staging, < 1 % for v1.0.5 in dev', async () => {
      let staging: number | undefined;
      let dev: number | undefined;
      const until = Date.now() + 40_000;
      do {
        await new Promise(resolve => setTimeout(resolve, 1000));
        staging = await query(errorRatio('guestbook', 'staging', 'v1.0.4'));
        dev = await query(errorRatio('guestbook', 'dev', 'v1.0.5'));
      } while (
        !(
          staging !== undefined &&
          Math.abs(staging - 0.12) < 0.01 &&
          dev !== undefined &&
          dev < 0.01
        ) &&
        Date.now() < until
      );
      expect(await query('up{job="demo-cluster"}')).toBe(1);
      expect(staging).toBeGreaterThan(0.11);
      expect(staging).toBeLessThan(0.13);
      expect(dev).toBeGreaterThanOrEqual(0);
      expect(dev).toBeLessThan(0.01);
    });

    it('stops Prometheus when the demo stops', async () => {
      expect(await listening(promPort)).toBe(true);
      const exited = new Promise(resolve => wrapper.once('exit', resolve));
      wrapper.kill('SIGTERM');
      await exited;
      expect(await listening(promPort)).toBe(false);
    });
  },
);
