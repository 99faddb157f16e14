// Memory and CPU of one process from /proc: what the backend costs, measured from outside so
// the measurement adds nothing to it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { collectGarbage } from './inspectorGc.mjs';

const TICKS =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** VmRSS in MiB, or null when the process is gone. */
function rssMiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** VmHWM (peak RSS since start, or since the last reset through clear_refs) in MiB, or null. */
function hwmMiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(status.match(/^VmHWM:\s+(\d+)/m)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/**
 * CPU seconds of `pid` and of every process it started: its own utime + stime, the cutime +
 * cstime of the children it has reaped, and the same of each live descendant. The backend runs
 * git through a helper process (and `git cat-file` readers): their CPU is the backend's cost.
 */
function cpuSeconds(pid) {
  const stats = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces: fields count from after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), {
        ppid: Number(fields[1]),
        ticks:
          Number(fields[11]) +
          Number(fields[12]) +
          Number(fields[13]) +
          Number(fields[14]),
      });
    } catch {
      // Exited while listed.
    }
  }
  let ticks = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop();
    ticks += stats.get(current)?.ticks ?? 0;
    for (const [child, stat] of stats) {
      if (stat.ppid === current) pending.push(child);
    }
  }
  return ticks / TICKS;
}

/** Parent pid, from /proc/<pid>/stat. */
export function parentPid(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Samples RSS until stopped; `stop()` gives peak and mean. */
export function sampleRss(pid, intervalMs = 200) {
  const samples = [];
  const take = () => {
    const value = rssMiB(pid);
    if (value !== null) samples.push(value);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return {
        peakMiB: Math.max(...samples),
        meanMiB:
          Math.round(
            (samples.reduce((a, b) => a + b, 0) / samples.length) * 10,
          ) / 10,
        samples: samples.length,
      };
    },
  };
}

/** Peak RSS since the process started (VmHWM), in MiB: what starting it took. */
export const peakRssSinceStart = hwmMiB;

/**
 * Peak RSS of `pid` from now until `stop()`, in MiB. The kernel's high-water mark (VmHWM,
 * reset by writing 5 to clear_refs) sees a peak that lasts less than a sampling interval;
 * RSS is sampled every `intervalMs` too, as a cross-check and as the only source where the
 * reset is refused. `stop()` gives the larger of the two, and both.
 */
export function trackPeakRss(pid, intervalMs = 200) {
  let reset = false;
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    reset = true;
  } catch {
    // Not allowed (another user's process, an old kernel): the samples alone.
  }
  const sampler = sampleRss(pid, intervalMs);
  return {
    stop() {
      const sampled = sampler.stop().peakMiB;
      const hwm = reset ? hwmMiB(pid) : null;
      const values = [sampled, hwm].filter(Number.isFinite);
      return {
        peakMiB: values.length ? Math.max(...values) : null,
        hwmMiB: hwm,
        sampledMiB: Number.isFinite(sampled) ? sampled : null,
      };
    },
  };
}

/** RSS of a process at rest: the median of a few samples. */
export async function idleRss(pid, count = 5, intervalMs = 200) {
  const values = [];
  for (let i = 0; i < count; i++) {
    values.push(rssMiB(pid));
    await sleep(intervalMs);
  }
  return values.sort((a, b) => a - b)[Math.floor(count / 2)];
}

/**
 * RSS of a process left alone: samples every second for `seconds` and gives the median of the
 * last quarter. Right after a burst of work RSS still holds garbage the runtime returns to the
 * system only after some idle time (V8's memory reducer), so a single sample then says more
 * about when it was taken than about what the process needs.
 */
export async function settledRss(pid, seconds = 60) {
  const samples = [];
  for (let i = 0; i < seconds; i++) {
    samples.push(rssMiB(pid));
    await sleep(1000);
  }
  const tail = samples
    .slice(Math.floor((samples.length * 3) / 4))
    .sort((a, b) => a - b);
  return {
    seconds,
    settledMiB: tail[Math.floor(tail.length / 2)],
    firstMiB: samples[0],
    minMiB: Math.min(...samples),
    mappings: rssByMapping(pid),
  };
}

/**
 * RSS once a full GC has run (through the inspector), with the V8 heap then: what the process
 * holds. Settled RSS still depends on when V8's memory reducer last ran, which varies by
 * minutes between runs of the same code; this does not.
 */
export async function rssAfterFullGc(pid, { snapshotFile } = {}) {
  const heap = await collectGarbage(pid, { snapshotFile });
  // glibc and V8 hand pages back right after the collection; give them a moment.
  await sleep(2000);
  return { rssMiB: await idleRss(pid), ...heap, mappings: rssByMapping(pid) };
}

/**
 * Where the resident memory is, from /proc/<pid>/smaps (MiB): glibc's main heap (`[heap]`),
 * anonymous mappings inside a 64 MiB-aligned reservation (glibc's per-thread arenas), other
 * anonymous mappings (V8's heap pages, large buffers, stacks of threads) and files (code).
 */
export function rssByMapping(pid) {
  const totals = {
    mallocHeap: 0,
    threadArenas: 0,
    otherAnonymous: 0,
    files: 0,
  };
  let current;
  for (const line of fs
    .readFileSync(`/proc/${pid}/smaps`, 'utf8')
    .split('\n')) {
    const header = line.match(/^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (header) {
      const start = BigInt(`0x${header[1]}`);
      const name = header[2];
      if (name === '[heap]') current = 'mallocHeap';
      else if (name.startsWith('/')) current = 'files';
      else if (!name && start % (64n << 20n) === 0n) current = 'threadArenas';
      else current = 'otherAnonymous';
      continue;
    }
    const rss = line.match(/^Rss:\s+(\d+) kB/);
    if (rss && current) totals[current] += Number(rss[1]);
  }
  return Object.fromEntries(
    Object.entries(totals).map(([k, kb]) => [k, Math.round(kb / 102.4) / 10]),
  );
}

/** Mean CPU use (fraction of one core) over `ms`. */
export async function cpuOver(pid, ms) {
  const start = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(ms);
  return (cpuSeconds(pid) - start) / ((performance.now() - t0) / 1000);
}

/**
 * CPU use of `pid` over `seconds` (% of one core): the mean over the whole time and each
 * `windowSeconds` window, whose maximum shows a periodic burst (a 30 s timer) the mean hides.
 */
export async function cpuWindows(pid, seconds = 30, windowSeconds = 5) {
  const pct = (cpu, ms) => Math.round((cpu / (ms / 1000)) * 1000) / 10;
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  const threads0 = threadTicks(pid);
  let [at, cpu] = [t0, cpu0];
  const windowsPct = [];
  for (let i = 0; i < seconds / windowSeconds; i++) {
    await sleep(windowSeconds * 1000);
    const [nowAt, now] = [performance.now(), cpuSeconds(pid)];
    windowsPct.push(pct(now - cpu, nowAt - at));
    [at, cpu] = [nowAt, now];
  }
  const threads1 = threadTicks(pid);
  const byThread = {};
  for (const [name, ticks] of Object.entries(threads1)) {
    const used = pct((ticks - (threads0[name] ?? 0)) / TICKS, at - t0);
    if (used >= 0.1) byThread[name] = used;
  }
  const sum = ticks =>
    Object.entries(ticks)
      .filter(([name]) => name !== 'node (system)')
      .reduce((a, [, b]) => a + b, 0);
  const [own, own0] = [sum(threads1), sum(threads0)];
  return {
    seconds,
    cpuPct: pct(cpu - cpu0, at - t0),
    maxWindowPct: Math.max(...windowsPct),
    windowsPct,
    // Where it went: the backend's own threads by name (the main thread is "node"), and the
    // processes it started (the git helper, git cat-file readers, the git they ran).
    byThread,
    childProcessesPct: pct(cpu - cpu0 - (own - own0) / TICKS, at - t0),
  };
}

/** CPU ticks of each of the process's threads, summed by thread name. */
function threadTicks(pid) {
  const byName = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // V8's platform workers (concurrent marking and sweeping, background compilation) carry
      // the process's name too: only the thread whose id is the process's runs JavaScript.
      const name =
        tid === String(pid)
          ? 'node'
          : comm === 'node'
          ? 'V8 workers (GC, compiler)'
          : comm;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName[name] =
        (byName[name] ?? 0) + Number(fields[11]) + Number(fields[12]);
      // The JavaScript thread's kernel time apart: page faults and system calls, which a CPU
      // profile of the JavaScript does not show.
      if (name === 'node') {
        byName['node (system)'] =
          (byName['node (system)'] ?? 0) + Number(fields[12]);
      }
    } catch {
      // The thread ended while listed.
    }
  }
  return byName;
}

/**
 * The named variables of a process's environment (/proc/<pid>/environ), as it started; null
 * each when it cannot be read (a diagnostic: never the reason a run fails).
 */
export function environOf(pid, names) {
  let env = {};
  try {
    env = Object.fromEntries(
      fs
        .readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map(entry => [
          entry.slice(0, entry.indexOf('=')),
          entry.slice(entry.indexOf('=') + 1),
        ]),
    );
  } catch {
    // gone, or not ours
  }
  return Object.fromEntries(names.map(name => [name, env[name] ?? null]));
}

/**
 * Samples CPU every `intervalMs` from `since` (a performance.now() time) until `consecutive`
 * samples in a row are below `threshold` (fraction of a core); one quiet sample between two
 * busy ones is noise, not the end of the work. Resolves with the seconds from `since` to the
 * start of the quiet run, or null after `timeoutMs`, plus the samples.
 */
export async function waitCpuBelow(
  pid,
  {
    since,
    threshold = 0.05,
    intervalMs = 250,
    consecutive = 2,
    timeoutMs = 60_000,
  },
) {
  const trace = [];
  let quietSince = null;
  let quiet = 0;
  let last = cpuSeconds(pid);
  let lastAt = performance.now();
  while (performance.now() - since < timeoutMs) {
    await sleep(intervalMs);
    const now = performance.now();
    const cpu = cpuSeconds(pid);
    const use = (cpu - last) / ((now - lastAt) / 1000);
    trace.push(Math.round(use * 100));
    if (use < threshold) {
      if (quiet === 0) quietSince = lastAt;
      quiet += 1;
      if (quiet >= consecutive) {
        return {
          seconds: Math.max(0, (quietSince - since) / 1000),
          tracePct: trace,
        };
      }
    } else {
      quiet = 0;
    }
    last = cpu;
    lastAt = now;
  }
  return { seconds: null, tracePct: trace };
}
