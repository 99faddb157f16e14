// Starts the repository's backend (`yarn workspace backend start`, i.e. `backstage-cli package
// start`) as its own process with an extra config file, finds the node process that serves
// :7007 (the CLI's child, not yarn nor the CLI), and stops the whole process group it started.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPid } from './procStats.mjs';

const PORT = 7007;
export const BASE_URL = `http://127.0.0.1:${PORT}`;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function portFree(port) {
  return new Promise(resolve => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** Waits for :7007 to be free: another engineer's `yarn start` is waited out, never killed. */
export async function waitForFreePort(log, timeoutMs = 30 * 60_000) {
  const t0 = Date.now();
  while (!(await portFree(PORT))) {
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`port ${PORT} stayed busy for ${timeoutMs / 60_000} min`);
    log(`port ${PORT} is busy (someone else's backend?); retrying in 15 s`);
    await sleep(15_000);
  }
}

/** The name prefix of the databases of a bench backend on PostgreSQL (one per plugin). */
export const BENCH_DATABASE_PREFIX = 'gitops_bench_';

/**
 * Drops the databases an earlier bench backend left (each run starts from an empty catalog,
 * as the in-memory SQLite does).
 */
export async function dropBenchDatabases(connection) {
  const { default: pg } = await import('pg');
  const client = new pg.Client(connection);
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${BENCH_DATABASE_PREFIX}%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    }
    return rows.length;
  } finally {
    await client.end();
  }
}

/**
 * The bench's config layer over app-config.yaml. Arrays replace those below them, so the
 * example catalog locations, environments, demo cluster and demo registry are all gone.
 */
export function writeBenchConfig({
  file,
  bareRepo,
  catalogFile,
  clusters,
  gitCacheDir,
  registry,
  database,
}) {
  const cluster = c => ({
    name: c.env,
    url: c.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: 'bench-token-not-a-secret',
    skipTLSVerify: true,
  });
  const config = {
    // On PostgreSQL (`database`), as app-config.production.yaml runs: the catalog of N entities
    // then lives in the database server, not in the backend's memory as with the development
    // config's in-memory SQLite (+164 MiB of malloc'd pages at N=10000, measured).
    ...(database
      ? {
          backend: {
            database: {
              client: 'pg',
              connection: database,
              prefix: BENCH_DATABASE_PREFIX,
            },
          },
        }
      : {}),
    catalog: {
      // The fleet is one generated file of N entities: at Backstage's default interval
      // (100-150 s) the catalog parses and stores all N again in one burst (about 5 s of a core
      // at N=5000, measured under the profiler), which no GitOps work causes and which would
      // land in the idle and latency windows by chance. The bench measures the GitOps plugins,
      // so the catalog processes each entity once and then every 30 minutes.
      processingInterval: { minutes: 30 },
      locations: [
        {
          type: 'file',
          target: catalogFile,
          rules: [{ allow: ['Component', 'Group'] }],
        },
      ],
    },
    gitops: {
      repositories: [
        { name: 'fleet', url: bareRepo, branch: 'main', provider: 'git' },
      ],
      environments: clusters.map((c, i) => ({
        name: c.env,
        cluster: c.env,
        namespace: `{service}-${c.env}`,
        autoSync: c.autoSync,
        // The promotion policy on, as a platform team would set it: every environment but the
        // first verified after each deployment (a Prometheus check; no Prometheus is configured,
        // so each run is recorded "not configured" without a network call), and the last one
        // gated on that verification, an approval and a weekend deny window. Each view reads
        // them from the database.
        ...(i > 0
          ? {
              verification: {
                checks: [
                  {
                    name: 'error-ratio',
                    kind: 'prometheus',
                    query:
                      'sum(rate(http_requests_total{service="{service}",code=~"5.."}[{window}]))',
                    threshold: '< 0.01',
                  },
                ],
              },
            }
          : {}),
        ...(i === clusters.length - 1 && i > 0
          ? {
              policy: {
                // With the fleet's signed registry: every promotion into the last
                // environment needs the release key's signature (views read the evidence from
                // the caches).
                ...(registry
                  ? {
                      supplyChain: {
                        requireSignature: {
                          identities: [{ key: registry.keyName }],
                        },
                      },
                    }
                  : {}),
                verifiedIn: [clusters[i - 1].env],
                requiredApprovals: 1,
                windows: [
                  {
                    kind: 'deny',
                    schedule: '0 0 * * 6',
                    duration: '48h',
                    timeZone: 'Europe/Berlin',
                  },
                ],
              },
            }
          : {}),
      })),
      clusters: clusters.map(cluster),
      // The fleet's images and their signatures (--no-supply-chain: no registry at all).
      registries: registry ? [{ host: 'ghcr.io', url: registry.url }] : [],
      ...(registry
        ? {
            supplyChain: {
              trustedRoot: registry.trustedRootPath,
              keys: [{ name: registry.keyName, path: registry.keyPath }],
            },
          }
        : {}),
      // The backend's shipped pace, not the demo app config's (passes every 5 s and fetches
      // every 10 s, so three demo services follow at once): the defaults a platform team
      // runs. The deployment ledger's first round over the fleet runs while the bench measures.
      git: { cacheDir: gitCacheDir, fetchIntervalSeconds: 30 },
      metrics: { recordIntervalSeconds: 30 },
      promotion: { trackIntervalSeconds: 15 },
      verification: { intervalSeconds: 15 },
      automation: { intervalSeconds: 15 },
    },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        { type: 'config', clusters: clusters.map(cluster) },
      ],
    },
  };
  // JSON is YAML: no serializer needed.
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** The pid listening on :7007, from `ss -ltnp`, or null. */
function listenerPid() {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${PORT}`], {
      encoding: 'utf8',
    });
    return Number(out.match(/pid=(\d+)/)?.[1]) || null;
  } catch {
    return null;
  }
}

function descendsFrom(pid, ancestor) {
  for (let p = pid; p > 1; ) {
    if (p === ancestor) return true;
    try {
      p = parentPid(p);
    } catch {
      return false;
    }
  }
  return false;
}

/** Live (not zombie) processes of a process group, from /proc. */
function groupMembers(pgid) {
  return fs.readdirSync('/proc').filter(entry => {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(group) === pgid && state !== 'Z';
    } catch {
      return false; // not a process, or gone meanwhile
    }
  });
}

/**
 * Spawns the backend in its own process group with stdin closed (the CLI restarts the backend
 * on any stdin data), pinned to the code loaded at start (pinLoadedCode.cjs), output in `logFile`. Returns a handle: `pid()` of the serving
 * process, `lines()` of the log so far, `stop()`. `env` is added to the environment: yarn and
 * the CLI pass theirs on to the serving process (NODE_OPTIONS applies to all three).
 */
export function startBackend({ repoRoot, configFile, logFile, env = {} }) {
  const yarnRelease = fs
    .readdirSync(path.join(repoRoot, '.yarn/releases'))
    .find(f => f.endsWith('.cjs'));
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, '.yarn/releases', yarnRelease),
      'workspace',
      'backend',
      'start',
      // One argument (`--require=…`): the CLI then passes it to node only, not to the backend.
      `--require=${fileURLToPath(
        new URL('./pinLoadedCode.cjs', import.meta.url),
      )}`,
      '--config',
      '../../app-config.yaml',
      '--config',
      configFile,
    ],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  const out = fs.createWriteStream(logFile);
  const lines = [];
  let partial = '';
  const onData = chunk => {
    out.write(chunk);
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop();
    // The log is colored whatever the terminal; matching needs the plain text.
    lines.push(...parts.map(line => line.replace(/\x1b\[[0-9;]*m/g, '')));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let servingPid = null;
  return {
    rootPid: child.pid,
    lines: () => lines,
    exited: () => child.exitCode !== null,
    /** The serving process; changes when the CLI restarts the backend on a file change. */
    pid() {
      const pid = listenerPid();
      if (pid && descendsFrom(pid, child.pid)) servingPid = pid;
      return servingPid;
    },
    async stop() {
      // yarn exits before the backend has shut down: wait for every process of the group (and
      // so for :7007 to be free), forcing them after 20 s.
      const groupAlive = () => groupMembers(child.pid).length > 0;
      if (groupAlive()) process.kill(-child.pid, 'SIGTERM');
      const deadline = Date.now() + 20_000;
      while (groupAlive() && Date.now() < deadline) await sleep(200);
      if (groupAlive()) process.kill(-child.pid, 'SIGKILL');
      while (groupAlive()) await sleep(100);
      out.end();
    },
  };
}

/** Polls until `check` resolves truthy; throws after `timeoutMs` with the last reason. */
export async function until(label, timeoutMs, check, intervalMs = 1000) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < timeoutMs) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error.message;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `${label}: not within ${Math.round(timeoutMs / 1000)} s${
      last ? ` (${last})` : ''
    }`,
  );
}

/** Readiness, then a guest token: the two steps every client of the portal goes through. */
export async function waitReady(backend, timeoutMs) {
  await until('backend readiness', timeoutMs, async () => {
    if (backend.exited())
      throw new Error('the backend process exited; see its log');
    const response = await fetch(`${BASE_URL}/.backstage/health/v1/readiness`);
    return response.ok && backend.pid();
  });
  return until('guest token', 30_000, async () => {
    const response = await fetch(`${BASE_URL}/api/auth/guest/refresh`);
    return response.ok && (await response.json()).backstageIdentity?.token;
  });
}

/** Waits until the catalog serves all `n` components; returns how many it has. */
export function waitForCatalog(token, n, timeoutMs, onProgress) {
  return until(
    'catalog ingestion',
    timeoutMs,
    async () => {
      const response = await fetch(
        `${BASE_URL}/api/catalog/entities/by-query?filter=kind=component&limit=1`,
        {
          headers: { Authorization: `Bearer ${token}` },
        },
      );
      if (!response.ok) throw new Error(`catalog answered ${response.status}`);
      const { totalItems } = await response.json();
      onProgress?.(totalItems);
      return totalItems >= n && totalItems;
    },
    2000,
  );
}
