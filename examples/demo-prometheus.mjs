#!/usr/bin/env node
// DEMO ONLY. Runs a command (the demo: `backstage-cli repo start …`) beside a real Prometheus
// scraping the demo cluster's /metrics, when Prometheus is installed (Debian's `prometheus`).
//
// With Prometheus: it is started as a child process on 127.0.0.1:9091 with a generated config
// in .cache/demo-prometheus/ (scrape 127.0.0.1:7070/metrics every 2 s; its database there,
// wiped on each start), and the command runs with DEMO_PROMETHEUS_URL=http://127.0.0.1:9091 —
// which app-config.yaml reads as gitops.verification.prometheus.url. Without it (or when it
// does not come up) the command runs without DEMO_PROMETHEUS_URL: the key is then absent and
// the backend reports prometheus checks as not configured. One line says which.
// Prometheus stops when the command ends (and with it on Ctrl-C: same process group).
//
// Usage: node examples/demo-prometheus.mjs <command> [args…]
// Environment: PROMETHEUS_BIN (/usr/bin/prometheus), DEMO_PROMETHEUS_PORT (9091),
// DEMO_PROMETHEUS_DIR (<root>/.cache/demo-prometheus), DEMO_CLUSTER_PORT (7070, the scraped
// demo cluster). DEMO_PROMETHEUS_URL already set: no Prometheus is started, the command gets it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { demoStatePath } from './demoState.mjs';

const [command, ...commandArgs] = process.argv.slice(2);
if (!command) {
  console.error('usage: node examples/demo-prometheus.mjs <command> [args…]');
  process.exit(2);
}
const binary = process.env.PROMETHEUS_BIN || '/usr/bin/prometheus';
const port = Number(process.env.DEMO_PROMETHEUS_PORT || 9091);
const dir = path.resolve(
  process.env.DEMO_PROMETHEUS_DIR || demoStatePath('demo-prometheus'),
);
const target = `127.0.0.1:${process.env.DEMO_CLUSTER_PORT || 7070}`;
const SCRAPE_INTERVAL = '2s';
const log = line => console.log(`demo-prometheus: ${line}`);
const shown = file =>
  path.relative(process.cwd(), file).startsWith('..')
    ? file
    : path.relative(process.cwd(), file);

/** Starts Prometheus and waits until it is ready; its URL, or undefined with the reason logged. */
async function startPrometheus() {
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch {
    log(
      `no Prometheus at ${binary} (apt-get install prometheus, or set PROMETHEUS_BIN): verification checks of kind prometheus are not configured`,
    );
    return undefined;
  }
  if (await listening(port)) {
    log(
      `127.0.0.1:${port} is taken (a Prometheus left running? set DEMO_PROMETHEUS_PORT to use another port): verification checks of kind prometheus are not configured`,
    );
    return undefined;
  }
  fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    [
      '# DEMO ONLY: written by examples/demo-prometheus.mjs on each start.',
      'global:',
      `  scrape_interval: ${SCRAPE_INTERVAL}`,
      `  evaluation_interval: ${SCRAPE_INTERVAL}`,
      'scrape_configs:',
      '  - job_name: demo-cluster',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const logFile = path.join(dir, 'prometheus.log');
  const out = fs.openSync(logFile, 'w');
  const url = `http://127.0.0.1:${port}`;
  // Not detached: in the command's process group, so whatever stops the demo stops it too.
  prometheus = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--storage.tsdb.retention.time=1d`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  let exited = false;
  prometheus.once('exit', () => {
    exited = true;
  });
  prometheus.once('error', () => {
    exited = true;
  });
  const until = Date.now() + 20_000;
  while (!exited && Date.now() < until) {
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) {
        const info = await fetch(`${url}/api/v1/status/buildinfo`)
          .then(r => r.json())
          .catch(() => undefined);
        log(
          `Prometheus ${
            info?.data?.version ?? ''
          } on ${url}, scraping the demo cluster (${target}/metrics) every ${SCRAPE_INTERVAL}; config, data and log in ${shown(
            dir,
          )}`,
        );
        return url;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  const tail = fs
    .readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .pop();
  log(
    `Prometheus did not start (${tail ?? 'no output'}; see ${shown(
      logFile,
    )}): verification checks of kind prometheus are not configured`,
  );
  await stopPrometheus();
  return undefined;
}

/** Whether something accepts connections on 127.0.0.1:<port>. */
function listening(p) {
  return new Promise(resolve => {
    const socket = net.connect(p, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let prometheus;

async function stopPrometheus() {
  const child = prometheus;
  prometheus = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

process.on('exit', () => prometheus?.kill('SIGKILL'));

const env = { ...process.env };
if (env.DEMO_PROMETHEUS_URL) {
  log(
    `DEMO_PROMETHEUS_URL is set (${env.DEMO_PROMETHEUS_URL}): not starting a Prometheus`,
  );
} else {
  const url = await startPrometheus();
  if (url) env.DEMO_PROMETHEUS_URL = url;
}

const child = spawn(command, commandArgs, { stdio: 'inherit', env });
// SIGTERM and SIGHUP go to the command. Ctrl-C sends SIGINT to the whole process group, the
// command included: it is passed on only if the command is still running a little later.
for (const signal of ['SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
process.on('SIGINT', () => {
  setTimeout(() => child.exitCode === null && child.kill('SIGINT'), 3000);
});
child.on('error', async error => {
  log(`cannot run ${command}: ${error.message}`);
  await stopPrometheus();
  process.exit(127);
});
child.on('exit', async (code, signal) => {
  await stopPrometheus();
  process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0));
});
