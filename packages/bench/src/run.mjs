#!/usr/bin/env node
// Fleet benchmark of the GitOps backend: for each fleet size, generate the fleet, start three
// fake clusters and the real backend on it, and measure cold and warm views, concurrency,
// Kubernetes API traffic per view (vs the Kubernetes plugin), promotions, memory, and what
// happens when clients go away. A baseline N=5 runs first, for the memory comparison.
//
// Usage: node src/run.mjs [--n 100,1000] [--pods 3] [--no-baseline] [--no-supply-chain]
//        [--no-rollouts] [--no-spaced] [--phases warm,memoryAfterGc] [--heap-snapshots dir]
//        [--profile dir] [--node-options "--max-semi-space-size=32"] [--malloc-arena-max 2]
//        [--database postgres|sqlite]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  startBackend,
  waitForCatalog,
  dropBenchDatabases,
  waitForFreePort,
  waitReady,
  writeBenchConfig,
} from './backend.mjs';
import { createClient, seededRandom } from './client.mjs';
import { createWireClient } from './wireClient.mjs';
import { startFakeCluster } from './fakeKubeApi.mjs';
import { startSignedRegistry } from './signedRegistry.mjs';
import {
  ENVIRONMENTS,
  ROLLOUT_EVERY,
  generateFleet,
  serviceName,
} from './generateFleet.mjs';
import {
  coldOverview,
  concurrentClients,
  evidenceSettled,
  spacedRequests,
  warmSequential,
} from './phasesRead.mjs';
import {
  disconnectingClients,
  kubernetesRequestsPerView,
  promotions,
} from './phasesCompare.mjs';
import {
  cpuWindows,
  environOf,
  peakRssSinceStart,
  rssAfterFullGc,
  settledRss,
  trackPeakRss,
} from './procStats.mjs';
import { profileWhile, startProfile } from './inspectorProfile.mjs';
import { markdownTable, writeJson, writeSummary } from './report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const resultsDir = path.resolve(here, '../results');
const started = Date.now();
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const log = message =>
  console.log(
    `[bench ${((Date.now() - started) / 1000)
      .toFixed(0)
      .padStart(4)} s] ${message}`,
  );

// parseArgs takes a value that starts with a dash only as `--node-options=--flag`: join them.
const argv = process.argv.slice(2);
const args = argv.flatMap((arg, i) =>
  arg === '--node-options' && i + 1 < argv.length
    ? []
    : argv[i - 1] === '--node-options'
    ? [`--node-options=${arg}`]
    : [arg],
);
const { values } = parseArgs({
  args,
  options: {
    n: { type: 'string', default: '100,1000' },
    pods: { type: 'string', default: '3' },
    'no-baseline': { type: 'boolean', default: false },
    // Without the fleet's signed registry (no registry status, no supply-chain evidence).
    'no-supply-chain': { type: 'boolean', default: false },
    // Without the Argo Rollouts objects (a Rollout and 3 AnalysisRuns for every 4th prod service).
    'no-rollouts': { type: 'boolean', default: false },
    // A folder: write a heap snapshot of each size's backend there after the full GC.
    'heap-snapshots': { type: 'string' },
    // A folder: after the other phases, write CPU and allocation profiles there of 30 s left
    // alone and of 50 clients × 5 overviews (for finding where time and memory go).
    profile: { type: 'string' },
    // Without the views after 11 s and 31 s pauses (84 s of waiting per size).
    'no-spaced': { type: 'boolean', default: false },
    // Only these phases (comma-separated, see PHASES); cold always runs, as the others need
    // the fleet's state loaded.
    phases: { type: 'string' },
    // Appended to the backend's NODE_OPTIONS, e.g. "--max-old-space-size=1024".
    'node-options': { type: 'string' },
    // The README's heap guidance: --max-old-space-size for each fleet size (heapGuidanceMiB).
    'heap-guidance': { type: 'boolean', default: false },
    // Where the backend keeps its data: `postgres` (default; as in production, the server at
    // BENCH_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432) or `sqlite` (the development
    // config's in-memory database, inside the backend's own memory).
    database: { type: 'string', default: 'postgres' },
    // glibc's malloc arenas in the backend (MALLOC_ARENA_MAX): fewer arenas, less memory kept.
    'malloc-arena-max': { type: 'string' },
    // glibc's mmap threshold in the backend (MALLOC_MMAP_THRESHOLD_, bytes): blocks from this
    // size up are mapped on their own and given back when freed; setting it also stops glibc
    // from raising it (up to 32 MiB) after large blocks were freed.
    'malloc-mmap-threshold': { type: 'string' },
  },
});
// In the order they run; profileIdle and profileConcurrent follow with --profile.
const PHASES = [
  'cold',
  'evidence',
  'warm',
  'spaced',
  'concurrent',
  'kubernetes',
  'disconnect',
  'promotions',
  'idleCpu',
  'memory',
  'memoryAfterGc',
  'idleOwners',
];
if (!['postgres', 'sqlite'].includes(values.database))
  throw new Error(`--database: postgres or sqlite, not ${values.database}`);
const database =
  values.database === 'postgres'
    ? process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432'
    : undefined;
const only = values.phases && new Set(values.phases.split(',').filter(Boolean));
const skipped = name =>
  (name === 'spaced' && values['no-spaced']) ||
  (only && name !== 'cold' && PHASES.includes(name) && !only.has(name));
const mallocArenaMax =
  values['malloc-arena-max'] === undefined
    ? null
    : Number(values['malloc-arena-max']);
const mallocMmapThreshold =
  values['malloc-mmap-threshold'] === undefined
    ? null
    : Number(values['malloc-mmap-threshold']);
const pods = Number(values.pods);
const sizes = [
  ...new Set([
    ...(values['no-baseline'] ? [] : [5]),
    ...values.n.split(',').map(Number),
  ]),
];
if (
  sizes.some(n => !Number.isInteger(n) || n < 1) ||
  !(pods >= 1) ||
  [...(only ?? [])].some(name => !PHASES.includes(name)) ||
  (mallocArenaMax !== null &&
    !(Number.isInteger(mallocArenaMax) && mallocArenaMax >= 1)) ||
  (mallocMmapThreshold !== null &&
    !(Number.isInteger(mallocMmapThreshold) && mallocMmapThreshold >= 0))
) {
  console.error(
    `usage: node src/run.mjs [--n 100,1000] [--pods 3] [--no-baseline] [--no-spaced]
       [--phases ${PHASES.join(',')}]
       [--node-options "<flags>"] [--malloc-arena-max <k>] [--malloc-mmap-threshold <bytes>]
       [--database postgres|sqlite]
       (see README.md)`,
  );
  process.exit(2);
}
/**
 * The README's heap guidance ("Memory: heap settings for a fleet size"): V8's old space capped,
 * up to 1,000 services, at 384 MiB plus 0.16 MiB per service (about twice what a full GC
 * leaves); beyond, at 544 MiB plus 0.048 MiB per service over 1,000 (1.75–1.8 times the 429 and
 * 589 MiB live at 5,000 and 10,000 at f311d78; the older rule's 1,216 and 1,280 MiB left the
 * peaks 330 and 190 MiB higher, measured). Steps of 64.
 */
function heapGuidanceMiB(n) {
  const mib = n <= 1000 ? 384 + 0.16 * n : 544 + 0.048 * (n - 1000);
  return Math.ceil(mib / 64) * 64;
}

/** The node options of the backend for a fleet of `n`. */
const nodeOptionsFor = n =>
  [
    values['node-options'],
    values['heap-guidance'] && `--max-old-space-size=${heapGuidanceMiB(n)}`,
  ]
    .filter(Boolean)
    .join(' ') || null;

// What the backend's environment gets on top of ours (yarn and the CLI pass it on).
const backendEnvFor = n => {
  const nodeOptions = nodeOptionsFor(n);
  return {
    ...(nodeOptions
      ? {
          NODE_OPTIONS: [process.env.NODE_OPTIONS, nodeOptions]
            .filter(Boolean)
            .join(' '),
        }
      : {}),
    ...(mallocArenaMax ? { MALLOC_ARENA_MAX: String(mallocArenaMax) } : {}),
    ...(mallocMmapThreshold !== null
      ? { MALLOC_MMAP_THRESHOLD_: String(mallocMmapThreshold) }
      : {}),
  };
};
const date = new Date().toISOString().slice(0, 10);
// The backend runs the plugins' sources as they are now, edits in progress included: say which.
const git = (...args) =>
  execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
const code = {
  head: git('rev-parse', '--short', 'HEAD'),
  uncommittedPluginFiles: git('status', '--porcelain', 'plugins')
    .split('\n')
    .filter(Boolean).length,
};

// The backend runs in its own process group (so it can be stopped whole): on Ctrl-C stop it
// too, or it would outlive the benchmark. The fake clusters exit with their IPC channel.
let running;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`${signal}: stopping the backend`);
    await running?.stop();
    process.exit(130);
  });
}

/**
 * Runs one phase under a time-box; a failure or time-out is recorded and the run goes on. The
 * backend's peak RSS during the phase goes to `result.peakRssMiB[name]`.
 */
async function phase(result, name, seconds, fn) {
  if (skipped(name)) return;
  log(`N=${result.n}: ${name} (time-box ${Math.round(seconds)} s)`);
  // `running` is this size's backend.
  const pid = running?.pid();
  const peak = pid && trackPeakRss(pid);
  const signal = AbortSignal.timeout(seconds * 1000);
  const timedOut = new Promise((_, reject) =>
    signal.addEventListener('abort', () =>
      reject(new Error(`time-box of ${Math.round(seconds)} s exceeded`)),
    ),
  );
  // The time-out may fire after the phase finished: that rejection has nobody to tell.
  timedOut.catch(() => {});
  try {
    result[name] = await Promise.race([fn(signal), timedOut]);
  } catch (error) {
    result[name] = { error: error.message };
  }
  const rss = peak?.stop();
  if (rss) (result.peakRssMiB ??= {})[name] = rss.peakMiB;
  log(
    `N=${result.n}: ${name}: ${JSON.stringify(result[name]).slice(0, 400)}${
      rss
        ? `; peak RSS ${rss.peakMiB} MiB (VmHWM ${rss.hwmMiB}, sampled ${rss.sampledMiB})`
        : ''
    }`,
  );
}

async function runSize(n) {
  const result = {
    n,
    pods,
    date: new Date().toISOString(),
    code,
    nodeOptions: nodeOptionsFor(n),
    mallocArenaMax,
    mallocMmapThreshold,
    database: values.database,
  };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `fleet-bench-N${n}-`));
  log(
    `N=${n}: generating ${n} services × ${ENVIRONMENTS.length} environments in ${root}`,
  );
  const fleet = generateFleet({ n, replicas: pods, root });
  const backendEnv = backendEnvFor(n);
  const clusters = await Promise.all(
    ENVIRONMENTS.map(env =>
      startFakeCluster({
        env,
        n,
        pods,
        revision: fleet.revision,
        repoUrl: fleet.bareRepo,
        autoSync: env !== 'prod',
        rollouts: !values['no-rollouts'],
      }).then(cluster => ({ ...cluster, autoSync: env !== 'prod' })),
    ),
  );
  result.fleet = {
    pods: clusters.reduce((sum, c) => sum + c.pods, 0),
    objects: clusters.reduce((sum, c) => sum + c.objects, 0),
    avgPodBytes: clusters[0].avgPodBytes,
  };
  log(
    `N=${n}: clusters up (${clusters
      .map(c => `${c.env} ${c.url}, ${c.objects} objects`)
      .join('; ')})`,
  );
  let backend;
  let registry;
  let wire;
  try {
    if (!values['no-supply-chain']) {
      registry = await startSignedRegistry({
        repoRoot,
        n,
        dir: path.join(root, 'registry'),
      });
      result.registry = { signingMs: registry.signingMs };
      log(
        `N=${n}: signed registry at ${registry.url} (${registry.signingMs} ms to sign every tag)`,
      );
    }
    await waitForFreePort(log);
    if (database) {
      const dropped = await dropBenchDatabases(database);
      if (dropped)
        log(`N=${n}: dropped ${dropped} databases of an earlier run`);
    }
    const configFile = writeBenchConfig({
      database,
      file: path.join(root, 'bench-config.yaml'),
      bareRepo: fleet.bareRepo,
      catalogFile: fleet.catalogFile,
      clusters,
      gitCacheDir: path.join(root, 'git-cache'),
      registry,
    });
    const logFile = path.join(resultsDir, 'logs', `${date}-N${n}-backend.log`);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const t0 = performance.now();
    backend = running = startBackend({
      repoRoot,
      configFile,
      logFile,
      env: backendEnv,
    });
    log(`N=${n}: backend starting (log ${path.relative(repoRoot, logFile)})`);
    const token = await waitReady(backend, 240_000);
    const readySeconds = Math.round(performance.now() - t0) / 1000;
    const firstPid = backend.pid();
    log(
      `N=${n}: backend ready in ${readySeconds} s (pid ${firstPid}); waiting for ${n} components`,
    );
    // What the serving process got (not yarn nor the CLI): proof the options reached it.
    if (Object.keys(backendEnv).length) {
      result.backendEnv = environOf(firstPid, Object.keys(backendEnv));
      log(
        `N=${n}: serving process environment ${JSON.stringify(
          result.backendEnv,
        )}`,
      );
    }
    let lastProgress = 0;
    const components = await waitForCatalog(
      token,
      n,
      (120 + n * 0.5) * 1000,
      total => {
        if (total !== lastProgress)
          log(`N=${n}: catalog has ${(lastProgress = total)} components`);
      },
    );
    result.startup = {
      readySeconds,
      catalogSeconds: Math.round(performance.now() - t0) / 1000,
      components,
    };
    // Start and catalog loading: the high-water mark since the process started.
    result.peakRssMiB = { startup: peakRssSinceStart(backend.pid()) };
    if (components !== n)
      log(
        `N=${n}: WARNING: the catalog has ${components} components, not ${n}`,
      );

    const random = seededRandom(n);
    const order = Array.from({ length: n }, (_, i) => serviceName(i));
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const ctx = {
      n,
      log,
      backend,
      clusters,
      client: createClient(token),
      wire: (wire = createWireClient(token)),
      pick: () => serviceName(Math.floor(random() * n)),
      // Services whose prod runs a Rollout (see clusterObjects), distinct while there are enough.
      withRollout: values['no-rollouts']
        ? undefined
        : count => {
            const rolledOut = Math.ceil(n / ROLLOUT_EVERY);
            return Array.from({ length: count }, (_, k) =>
              serviceName((k % rolledOut) * ROLLOUT_EVERY),
            );
          },
      registry,
      // Distinct services, cycling when the fleet is smaller than asked.
      distinct: count => Array.from({ length: count }, (_, i) => order[i % n]),
    };
    // With --profile: what the cold path and the evidence reads allocate (collected or not).
    const coldProfile =
      values.profile &&
      (await startProfile(backend.pid(), { includeCollected: true }));
    await phase(result, 'cold', 120 + n * 0.3, signal =>
      coldOverview(ctx, signal),
    );
    if (registry) {
      await phase(result, 'evidence', 120 + n * 0.2, signal =>
        evidenceSettled(ctx, signal),
      );
    }
    if (coldProfile) {
      result.profileCold = await coldProfile.stop(
        path.resolve(values.profile, `N${n}`),
        'cold',
      );
    }
    await phase(result, 'warm', 300 + n * 0.3, signal =>
      warmSequential(ctx, signal),
    );
    // 84 s of pauses: a person opening the fleet page again after 11 s and after 31 s.
    await phase(result, 'spaced', 200 + n * 0.1, signal =>
      spacedRequests(ctx, signal),
    );
    await phase(result, 'concurrent', 300 + n * 0.5, signal =>
      concurrentClients(ctx, signal),
    );
    // The fake clusters filter every object of a kind for each list the Kubernetes plugin asks.
    await phase(result, 'kubernetes', 180 + n * 0.01, signal =>
      kubernetesRequestsPerView(ctx, signal),
    );
    await phase(result, 'disconnect', 120, signal =>
      disconnectingClients(ctx, signal),
    );
    // Sequential p95 4.5 s at N=5000: 20 promotions may take minutes at 10000.
    await phase(result, 'promotions', 240 + n * 0.03, signal =>
      promotions(ctx, signal),
    );
    // With --profile the 30 s after the promotions run under the profiler, to find what the
    // passes after the commits cost: the idle figure is then raised by the profiler's own work.
    await phase(result, 'idleCpu', 60, () =>
      values.profile
        ? profileWhile(
            backend.pid(),
            path.resolve(values.profile, `N${n}`),
            'afterPromotions',
            () => cpuWindows(backend.pid(), 30, 5),
          ).then(({ result: windows, owners }) => ({ ...windows, owners }))
        : cpuWindows(backend.pid(), 30, 5),
    );
    await phase(result, 'memory', 90, () => settledRss(backend.pid(), 60));
    // Last: it leaves the backend's inspector open. A heap snapshot grows with the heap.
    await phase(result, 'memoryAfterGc', 120 + n * 0.03, () =>
      rssAfterFullGc(backend.pid(), {
        snapshotFile:
          values['heap-snapshots'] &&
          path.join(values['heap-snapshots'], `N${n}.heapsnapshot`),
      }),
    );
    // 30 s under the CPU profiler: whose the idle JavaScript thread's time was (the plugins',
    // the catalog's, the garbage collector's). After the memory phases, which the profiler's
    // own allocations would disturb, and apart from the idle figure, which it would raise.
    await phase(result, 'idleOwners', 90, () =>
      profileWhile(
        backend.pid(),
        path.join(resultsDir, 'logs', `${date}-N${n}-profiles`),
        'idle',
        () => cpuWindows(backend.pid(), 30, 30),
      ).then(({ result: windows, owners }) => ({
        cpuPct: windows.cpuPct,
        owners,
      })),
    );
    if (values.profile) {
      const dir = path.resolve(values.profile, `N${n}`);
      await phase(result, 'profileIdle', 120, () =>
        profileWhile(backend.pid(), dir, 'idle', () => sleep(30_000)),
      );
      await phase(result, 'profileConcurrent', 300 + n * 0.5, signal =>
        profileWhile(backend.pid(), dir, 'concurrent', () =>
          concurrentClients(ctx, signal),
        ),
      );
    }

    // pinLoadedCode.cjs keeps source edits from restarting the backend, but the CLI still
    // restarts it when packages/backend/package.json changes: such numbers mix two processes.
    result.restarts = backend
      .lines()
      .filter(l => l.includes('Change detected, restarting')).length;
    if (backend.pid() !== firstPid) result.restarts ||= 1;
    const levels = backend
      .lines()
      .map(l => l.match(/^\S+ \S+ (warn|error) /)?.[1])
      .filter(Boolean);
    result.log = {
      lines: backend.lines().length,
      warn: levels.filter(l => l === 'warn').length,
      error: levels.filter(l => l === 'error').length,
    };
  } catch (error) {
    result.error = error.message;
    log(`N=${n}: FAILED: ${error.message}`);
  } finally {
    log(`N=${n}: stopping backend and clusters`);
    wire?.close();
    await backend?.stop();
    await registry?.stop();
    running = undefined;
    await Promise.all(clusters.map(c => c.stop()));
    fs.rmSync(root, { recursive: true, force: true });
  }
  log(
    `N=${n}: results in ${path.relative(
      repoRoot,
      writeJson(resultsDir, date, result),
    )}`,
  );
  return result;
}

const results = [];
for (const n of sizes) results.push(await runSize(n));
const summary = writeSummary(resultsDir, date, results);
console.log(`\n${markdownTable(results)}\n`);
log(
  `done in ${Math.round(
    (Date.now() - started) / 1000,
  )} s; table in ${path.relative(repoRoot, summary)}`,
);
