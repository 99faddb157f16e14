// CPU and allocation profiles of another Node process, through its inspector: where an idle
// backend spends its CPU and what a burst of requests allocates (for finding, not for the table).
import fs from 'node:fs';
import path from 'node:path';
import { openInspector } from './inspectorGc.mjs';

/**
 * Records a CPU profile and a sampling heap profile of `pid` while `work()` runs, and writes
 * `<name>.cpuprofile` and `<name>.heapprofile` into `dir` (open them in Chrome's DevTools).
 * Resolves with the ten functions of most self time and the ten largest allocation sites.
 */
export async function profileWhile(pid, dir, name, work) {
  const inspector = await openInspector(pid);
  try {
    await inspector.call('Profiler.enable');
    await inspector.call('Profiler.setSamplingInterval', { interval: 1000 });
    await inspector.call('HeapProfiler.enable');
    await inspector.call('Profiler.start');
    await inspector.call('HeapProfiler.startSampling', {
      samplingInterval: 64 * 1024,
    });
    const result = await work();
    const cpu = (await inspector.call('Profiler.stop')).result.profile;
    const heap = (await inspector.call('HeapProfiler.stopSampling')).result
      .profile;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(cpu));
    fs.writeFileSync(
      path.join(dir, `${name}.heapprofile`),
      JSON.stringify(heap),
    );
    return { result, cpu: topSelfTime(cpu), allocations: topAllocations(heap) };
  } finally {
    inspector.close();
  }
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

function topAllocations(profile) {
  const bySite = new Map();
  const walk = node => {
    const self = node.selfSize ?? 0;
    if (self) {
      const key = where(node.callFrame);
      bySite.set(key, (bySite.get(key) ?? 0) + self);
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(profile.head);
  return [...bySite]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([site, bytes]) => `${(bytes / 1048576).toFixed(1)} MiB ${site}`);
}
