// Results as JSON per fleet size and one markdown table across sizes (a column per N).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function writeJson(dir, date, result) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${date}-N${result.n}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const pct = l => (l?.count ? `${l.p50} / ${l.p95} / ${l.p99}` : '–');
const or = (value, fallback = '–') =>
  value === undefined || value === null ? fallback : value;
// A phase that did not run (--phases, --no-spaced, a failed start) shows as '–'.
const failed = phase =>
  phase === undefined
    ? '–'
    : phase.error
    ? `failed: ${phase.error.slice(0, 80)}`
    : null;
const signed = d => (d < 0 ? `${d}` : `+${d}`);
// The phases whose peak RSS the table shows (every phase's is in the JSON).
const PEAK_PHASES = [
  'startup',
  'cold',
  'warm',
  'spaced',
  'concurrent',
  'promotions',
];

/** One row per metric; `baseline` is the smallest N, for the RSS comparison. */
function rows(results) {
  const baseline = results[0];
  const delta = (r, pick) => {
    const [a, b] = [pick(r), pick(baseline)];
    return r === baseline || a == null || b == null
      ? ''
      : ` (${signed(Math.round(a - b))} vs N=${baseline.n})`;
  };
  const peaks = r => PEAK_PHASES.map(name => r.peakRssMiB?.[name]);
  const spaced = (r, kind) =>
    failed(r.spaced) ??
    `${r.spaced[kind].after11s} / ${r.spaced[kind].after31s}${
      r.spaced.errors ? ` (${r.spaced.errors} errors)` : ''
    }`;
  return [
    [
      'pods across the 3 clusters (avg bytes/pod)',
      r => `${r.fleet.pods} (${r.fleet.avgPodBytes})`,
    ],
    [
      'backend start → ready / catalog complete (s)',
      r => `${or(r.startup?.readySeconds)} / ${or(r.startup?.catalogSeconds)}`,
    ],
    [
      'cold: first complete /overview (s)',
      r =>
        failed(r.cold) ??
        `${r.cold.seconds} (${r.cold.attempts} req; first answer ${r.cold.firstAnswer.ms} ms)`,
    ],
    [
      '/overview body (KiB)',
      r => (r.cold?.bytes ? Math.round(r.cold.bytes / 1024) : '–'),
    ],
    [
      'warm /overview ×30 p50/p95/p99 (ms)',
      r => failed(r.warm) ?? pct(r.warm.overview),
    ],
    [
      'warm /environments ×100 p50/p95/p99 (ms)',
      r => failed(r.warm) ?? pct(r.warm.environments),
    ],
    [
      '… its parts p50/p95 (ms; Server-Timing): entity (catalog, permission side by side: catalog, permission) / state / decorate / rest',
      r => {
        const parts = r.warm?.environmentsParts;
        if (!parts) return '–';
        return ['entity', 'catalog', 'permission', 'state', 'decorate', 'rest']
          .map(n => (parts[n] ? `${parts[n].p50}/${parts[n].p95}` : '–'))
          .join(' · ');
      },
    ],
    [
      'warm /overview?limit=100 ×30 p50/p95/p99 (ms)',
      r =>
        failed(r.warm) ??
        (r.warm.paged ? pct(r.warm.overviewLimit100) : 'no paging'),
    ],
    ['/overview after 11 s / 31 s pause (ms)', r => spaced(r, 'overview')],
    [
      '/overview?limit=100 after 11 s / 31 s pause (ms)',
      r => spaced(r, 'firstPage'),
    ],
    [
      '50 clients × 5 /overview p50/p95/p99 (ms), to the last byte',
      r => failed(r.concurrent) ?? pct(r.concurrent.latency),
    ],
    [
      '… errors / requests per s / last body complete',
      r =>
        failed(r.concurrent) ??
        `${r.concurrent.errors} / ${r.concurrent.requestsPerSecond} / ${
          r.concurrent.check
            ? `${r.concurrent.check.complete} (${r.concurrent.check.items})`
            : '–'
        }`,
    ],
    [
      '… the same with fetch, each body inflated and read as text on these cores',
      r =>
        failed(r.concurrent) ??
        (r.concurrent.decoded
          ? `${pct(r.concurrent.decoded.latency)}; ${
              r.concurrent.decoded.errors
            } errors`
          : '–'),
    ],
    [
      'supply-chain evidence read after cold: s / registry requests',
      r =>
        r.evidence
          ? failed(r.evidence) ??
            `${r.evidence.seconds} / ${r.evidence.registryRequests}`
          : r.registry
          ? '–'
          : 'no registry',
    ],
    [
      'registry requests during the 130 warm views',
      r => failed(r.warm) ?? or(r.warm.registryRequests, 'no registry'),
    ],
    [
      'K8s API reads per view: GitOps /environments',
      r => failed(r.kubernetes) ?? r.kubernetes.gitops.readsPerView,
    ],
    [
      'K8s API reads per view: GitOps /environments with a Rollout (rollouts shown)',
      r =>
        failed(r.kubernetes) ??
        (r.kubernetes.rollouts
          ? `${r.kubernetes.rollouts.readsPerView} (${r.kubernetes.rollouts.rolloutsShown}/${r.kubernetes.rollouts.views})`
          : '—'),
    ],
    [
      'K8s API reads per view: Kubernetes plugin (ratio)',
      r =>
        failed(r.kubernetes) ??
        `${r.kubernetes.kubernetes.readsPerView} (${
          r.kubernetes.ratio === null
            ? '∞: GitOps made 0'
            : `${r.kubernetes.ratio}×`
        })`,
    ],
    [
      'view latency p50: GitOps / Kubernetes plugin (ms)',
      r =>
        failed(r.kubernetes) ??
        `${r.kubernetes.gitops.latency.p50} / ${r.kubernetes.kubernetes.latency.p50}`,
    ],
    [
      'promotions sequential p50/p95 (ms)',
      r =>
        failed(r.promotions) ??
        `${r.promotions.sequential.latency.p50} / ${
          r.promotions.sequential.latency.p95
        } (${r.promotions.sequential.count}, ${JSON.stringify(
          r.promotions.sequential.statuses,
        )})`,
    ],
    [
      'promotions concurrent (per s, all 201?)',
      r =>
        failed(r.promotions) ??
        `${r.promotions.concurrent.perSecond}/s, ${
          r.promotions.concurrent.all201
            ? 'all 201'
            : JSON.stringify(r.promotions.concurrent.statuses)
        }`,
    ],
    [
      'backend RSS idle after warm-up (MiB)',
      r =>
        r.warm?.idleRssMiB
          ? `${r.warm.idleRssMiB}${delta(r, x => x.warm?.idleRssMiB)}`
          : '–',
    ],
    [
      'backend RSS after 60 s idle, settled (MiB)',
      r =>
        r.memory?.settledMiB
          ? `${r.memory.settledMiB}${delta(r, x => x.memory?.settledMiB)}`
          : failed(r.memory) ?? '–',
    ],
    [
      'backend RSS after a full GC (MiB; V8 heap used)',
      r =>
        r.memoryAfterGc?.rssMiB
          ? `${r.memoryAfterGc.rssMiB}${delta(
              r,
              x => x.memoryAfterGc?.rssMiB,
            )}; heap ${r.memoryAfterGc.heapUsedMiB}${delta(
              r,
              x => x.memoryAfterGc?.heapUsedMiB,
            )}`
          : failed(r.memoryAfterGc) ?? '–',
    ],
    [
      'backend RSS peak, 50 clients (MiB)',
      r =>
        r.concurrent?.peakRssMiB
          ? `${r.concurrent.peakRssMiB}${delta(
              r,
              x => x.concurrent?.peakRssMiB,
            )}`
          : '–',
    ],
    [
      `peak RSS: ${PEAK_PHASES.join(' / ')} (MiB)`,
      r => {
        const [mine, base] = [peaks(r), peaks(baseline)];
        const deltas = mine.map((v, i) =>
          v == null || base[i] == null ? '–' : signed(Math.round(v - base[i])),
        );
        return `${mine.map(v => or(v)).join(' / ')}${
          r === baseline ? '' : ` (${deltas.join(' / ')} vs N=${baseline.n})`
        }`;
      },
    ],
    [
      'idle CPU, 30 s alone (% of a core; max 5-s window)',
      r =>
        failed(r.idleCpu) ??
        `${r.idleCpu.cpuPct} (max ${r.idleCpu.maxWindowPct})`,
    ],
    [
      '… idle 30 s under the profiler, at the end: JavaScript thread of the GitOps plugins / catalog / database / GC / other (% of a core)',
      r =>
        failed(r.idleOwners) ??
        ['gitopsPlugins', 'catalog', 'database', 'garbageCollector', 'other']
          .map(k => r.idleOwners.owners[k])
          .join(' / '),
    ],
    [
      'disconnects: s until CPU < 5 % (idle before)',
      r =>
        failed(r.disconnect) ??
        `${or(r.disconnect.secondsUntilCpuBelow5pct, '> 60')} (${
          r.disconnect.idleCpuPctBefore
        } %)`,
    ],
    [
      'disconnects: new warning / error log lines',
      r =>
        failed(r.disconnect) ??
        `${r.disconnect.newWarningLines} / ${r.disconnect.newErrorLines}`,
    ],
    ['backend restarts during the run (file changes)', r => or(r.restarts)],
  ];
}

export function markdownTable(results) {
  const header = `| metric | ${results.map(r => `N=${r.n}`).join(' | ')} |`;
  const rule = `| --- | ${results.map(() => '---').join(' | ')} |`;
  const body = rows(results).map(
    ([label, cell]) =>
      `| ${label} | ${results.map(r => String(cell(r))).join(' | ')} |`,
  );
  const machine = `${os.cpus().length} cores (${os
    .cpus()[0]
    ?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${
    process.versions.node
  }`;
  const { head, uncommittedPluginFiles } = results[0].code;
  const code = `commit ${head}${
    uncommittedPluginFiles
      ? ` + ${uncommittedPluginFiles} uncommitted files in plugins/`
      : ''
  }`;
  // Per size: with --heap-guidance each size has its own heap cap.
  const nodeOptions = [...new Set(results.map(r => r.nodeOptions))]
    .filter(Boolean)
    .map(o => `"${o}"`)
    .join(' / ');
  const { mallocArenaMax, mallocMmapThreshold, database } = results[0];
  const options = [
    // Results before 2026-12-06 have no `database`: the development config's SQLite.
    `database ${database === 'postgres' ? 'PostgreSQL' : 'in-memory SQLite'}`,
    nodeOptions &&
      `NODE_OPTIONS += ${nodeOptions} (${results
        .map(r => `N=${r.n}`)
        .join(' / ')})`,
    mallocArenaMax && `MALLOC_ARENA_MAX=${mallocArenaMax}`,
    typeof mallocMmapThreshold === 'number' &&
      `MALLOC_MMAP_THRESHOLD_=${mallocMmapThreshold}`,
  ].filter(Boolean);
  return [
    `Machine: ${machine}. Code: ${code}. Backend: ${options.join(', ')}.`,
    '',
    header,
    rule,
    ...body,
  ].join('\n');
}

export function writeSummary(dir, date, results) {
  const file = path.join(dir, `${date}-summary.md`);
  fs.writeFileSync(file, `${markdownTable(results)}\n`);
  return file;
}
