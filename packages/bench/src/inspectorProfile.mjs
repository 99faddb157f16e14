// CPU and allocation profiles of another Node process, through its inspector: where an idle
// backend spends its CPU and what a burst of requests allocates (for finding, not for the table).
import fs from 'node:fs';
import path from 'node:path';
import { openInspector } from './inspectorGc.mjs';

/**
 * Starts a CPU profile and a sampling heap profile of `pid`; `stop(dir, name)` writes
 * `<name>.cpuprofile` and `<name>.heapprofile` into `dir` (open them in Chrome's DevTools) and
 * resolves with the functions of most self time and the largest allocation sites. With
 * `includeCollected`, the heap profile counts everything allocated meanwhile (what drives the
 * peak), not only what is still alive at the end.
 */
export async function startProfile(pid, { includeCollected = false } = {}) {
  const inspector = await openInspector(pid);
  await inspector.call('Profiler.enable');
  await inspector.call('Profiler.setSamplingInterval', { interval: 1000 });
  await inspector.call('HeapProfiler.enable');
  await inspector.call('Profiler.start');
  await inspector.call('HeapProfiler.startSampling', {
    samplingInterval: 64 * 1024,
    includeObjectsCollectedByMajorGC: includeCollected,
    includeObjectsCollectedByMinorGC: includeCollected,
  });
  return {
    async stop(dir, name) {
      try {
        const cpu = (await inspector.call('Profiler.stop')).result.profile;
        const heap = (await inspector.call('HeapProfiler.stopSampling')).result
          .profile;
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(
          path.join(dir, `${name}.cpuprofile`),
          JSON.stringify(cpu),
        );
        fs.writeFileSync(
          path.join(dir, `${name}.heapprofile`),
          JSON.stringify(heap),
        );
        return {
          cpu: topSelfTime(cpu),
          owners: cpuOwners(cpu),
          allocations: topAllocations(heap),
        };
      } finally {
        inspector.close();
      }
    },
  };
}

/** {@link startProfile} around `work()`. */
export async function profileWhile(pid, dir, name, work, options) {
  const profile = await startProfile(pid, options);
  const result = await work().catch(async error => {
    await profile.stop(dir, name);
    throw error;
  });
  return { result, ...(await profile.stop(dir, name)) };
}

const where = frame =>
  `${frame.functionName || '(anonymous)'} ${frame.url
    .replace(/^.*\/(plugins|node_modules)\//, '$1/')
    .slice(-90)}:${frame.lineNumber + 1}`;

function topSelfTime(profile) {
  const ticks = new Map();
  for (const sample of profile.samples)
    ticks.set(sample, (ticks.get(sample) ?? 0) + 1);
  const byFrame = new Map();
  for (const node of profile.nodes) {
    const key = where(node.callFrame);
    byFrame.set(key, (byFrame.get(key) ?? 0) + (ticks.get(node.id) ?? 0));
  }
  const total = profile.samples.length || 1;
  return [...byFrame]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(
      ([frame, count]) => `${((count / total) * 100).toFixed(1)} % ${frame}`,
    );
}

/**
 * Whose the JavaScript thread's busy time was, in % of a core (samples of 1 ms): a sample
 * with a frame of the GitOps plugins anywhere on its stack is theirs; else the catalog's
 * (its processing loop and the entity lists it serves); else the database driver's (a
 * continuation that lost the frame that asked); the garbage collector's; or other.
 */
export function cpuOwners(profile) {
  const nodes = new Map(profile.nodes.map(node => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const owners = {
    gitopsPlugins: 0,
    catalog: 0,
    database: 0,
    garbageCollector: 0,
    other: 0,
  };
  const ownerOf = new Map();
  const owner = id => {
    if (ownerOf.has(id)) return ownerOf.get(id);
    const leaf = nodes.get(id);
    if (leaf.callFrame.functionName === '(idle)') return null;
    if (leaf.callFrame.functionName === '(garbage collector)')
      return 'garbageCollector';
    const urls = [];
    for (let n = leaf; n; n = nodes.get(parents.get(n.id)))
      urls.push(n.callFrame.url);
    const found = urls.some(u => /\/plugins\/gitops/.test(u))
      ? 'gitopsPlugins'
      : urls.some(u => u.includes('plugin-catalog-backend'))
      ? 'catalog'
      : urls.some(u => /\/(knex|better-sqlite3|pg)\//.test(u))
      ? 'database'
      : 'other';
    ownerOf.set(id, found);
    return found;
  };
  for (const id of profile.samples) {
    const who = owner(id);
    if (who) owners[who] += 1;
  }
  const total = profile.samples.length || 1;
  return Object.fromEntries(
    Object.entries(owners).map(([k, v]) => [
      k,
      Math.round((v / total) * 1000) / 10,
    ]),
  );
}

/**
 * The largest allocation sites, and the same bytes by the nearest frame of the plugins'
 * own code up the stack (what in the plugin asked for them, whatever library allocated).
 */
function topAllocations(profile) {
  const bySite = new Map();
  const byPluginFrame = new Map();
  const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
  const walk = (node, pluginFrame) => {
    const here = node.callFrame.url.includes('/plugins/')
      ? where(node.callFrame)
      : pluginFrame;
    const self = node.selfSize ?? 0;
    if (self) {
      add(bySite, where(node.callFrame), self);
      add(byPluginFrame, here ?? '(no plugin frame)', self);
    }
    for (const child of node.children ?? []) walk(child, here);
  };
  walk(profile.head, undefined);
  const top = map =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([site, bytes]) => `${(bytes / 1048576).toFixed(1)} MiB ${site}`);
  return { bySite: top(bySite), byPluginFrame: top(byPluginFrame) };
}
