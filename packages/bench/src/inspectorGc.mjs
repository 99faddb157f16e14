// A full garbage collection in another Node process, through its inspector: what the process
// holds, without the garbage V8 returns to the system only when its heuristics say so.
import fs from 'node:fs';

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Opens the inspector of `pid` (SIGUSR1, as `node inspect -p` does) and a session on it. The
 * inspector stays open after `close()` (closing it from inside blocks while a session is
 * attached): measure last.
 */
export async function openInspector(
  pid,
  { port = 9229, timeoutMs = 30_000 } = {},
) {
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + timeoutMs;
  let targets;
  while (!targets) {
    try {
      targets = await (
        await fetch(`http://127.0.0.1:${port}/json/list`)
      ).json();
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`no inspector on ${port}: ${error.message}`);
      await sleep(200);
    }
  }
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve);
    socket.addEventListener('error', () =>
      reject(new Error('inspector refused')),
    );
  });
  let id = 0;
  const pending = new Map();
  const chunks = [];
  socket.addEventListener('message', event => {
    const message = JSON.parse(event.data);
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk')
      chunks.push(message.params.chunk);
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const call = (method, params = {}) =>
    new Promise(resolve => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { call, chunks, close: () => socket.close() };
}

/**
 * Runs a full GC in `pid` (`HeapProfiler.collectGarbage`, twice) and reads `process.memoryUsage()`
 * there. Resolves with the heap figures in MiB; with `snapshotFile`, writes a heap snapshot
 * there after the GC.
 */
export async function collectGarbage(pid, { snapshotFile, ...options } = {}) {
  const { call, chunks, close } = await openInspector(pid, options);
  try {
    await call('HeapProfiler.enable');
    await call('HeapProfiler.collectGarbage');
    // Twice: what the first collection found dead but registered with a FinalizationRegistry
    // (Node's AbortSignal.timeout and AbortSignal.any cells) is freed once its finalizer ran,
    // in a task after that collection, and only a second collection returns that memory.
    await sleep(500);
    await call('HeapProfiler.collectGarbage');
    if (snapshotFile) {
      // For finding what the heap holds (open it in Chrome's DevTools, Memory tab).
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      // Chunk by chunk: a snapshot of a 10,000-service heap is longer than V8's longest string.
      const fd = fs.openSync(snapshotFile, 'w');
      try {
        for (const chunk of chunks) fs.writeSync(fd, chunk);
      } finally {
        fs.closeSync(fd);
      }
      chunks.length = 0;
    }
    await call('HeapProfiler.disable');
    const usage = await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    // Where the committed heap is (old space, new space, large objects, code): after a full
    // GC, committed but unused pages are RSS as much as live objects are.
    const spaces = await call('Runtime.evaluate', {
      expression:
        "JSON.stringify(process.getBuiltinModule('v8').getHeapSpaceStatistics())",
      returnByValue: true,
    });
    const mib = bytes => Math.round(bytes / 104857.6) / 10;
    const { heapUsed, heapTotal, external } = JSON.parse(
      usage.result.result.value,
    );
    return {
      heapUsedMiB: mib(heapUsed),
      heapTotalMiB: mib(heapTotal),
      externalMiB: mib(external),
      // Per V8 space: committed / used MiB.
      spacesMiB: Object.fromEntries(
        JSON.parse(spaces.result.result.value ?? '[]').map(space => [
          space.space_name,
          [mib(space.space_size), mib(space.space_used_size)],
        ]),
      ),
    };
  } finally {
    close();
  }
}
