// A Kubernetes API server for one fake cluster: lists (cluster-wide and namespaced) of any
// resource, label and field selectors, long-running watches with bookmarks and server-side
// time-outs, and a count of every request (GET /__stats, POST /__stats/reset) — the number
// the benchmark compares between the GitOps backend and the Kubernetes plugin.
//
// Run as a child process (startFakeCluster below) so serving lists of tens of MB never stalls the
// benchmark's own event loop and skews the latencies it measures.
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { clusterObjects } from './generateFleet.mjs';

// Kinds that some client asks for but the fleet has none of: list kind names for the empty lists.
const KNOWN_KINDS = {
  persistentvolumeclaims: 'PersistentVolumeClaim',
  events: 'Event',
  services: 'Service',
  configmaps: 'ConfigMap',
  limitranges: 'LimitRange',
  resourcequotas: 'ResourceQuota',
  replicasets: 'ReplicaSet',
  jobs: 'Job',
  cronjobs: 'CronJob',
  ingresses: 'Ingress',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  namespaces: 'Namespace',
};

/** `/api/v1[/namespaces/<ns>]/<resource>[/<name>]` or `/apis/<group>/<version>/...`. */
function parsePath(pathname) {
  const m = pathname.match(
    /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/,
  );
  if (!m) return null;
  const apiVersion = m[1] ? 'v1' : `${m[2]}/${m[3]}`;
  return { apiVersion, namespace: m[4], resource: m[5], name: m[6] };
}

/** Equality terms only (`k=v`, `k==v`, `k!=v`, `k`, `!k`): what the two backends send. */
function labelMatcher(selector) {
  const terms = (selector ?? '')
    .split(',')
    .map(t => t.trim())
    .filter(Boolean);
  return labels =>
    terms.every(term => {
      const have = labels ?? {};
      if (term.startsWith('!')) return !(term.slice(1) in have);
      const ne = term.split('!=');
      if (ne.length === 2) return have[ne[0]] !== ne[1];
      const [key, value] = term.split(/==?/);
      return value === undefined ? key in have : have[key] === value;
    });
}

/** `a.b=c` terms on dotted paths, e.g. events' `type=Warning`. */
function fieldMatcher(selector) {
  const terms = (selector ?? '')
    .split(',')
    .filter(Boolean)
    .map(t => t.split('='));
  return object =>
    terms.every(
      ([field, value]) =>
        String(field.split('.').reduce((o, k) => o?.[k], object) ?? '') ===
        value,
    );
}

/** The API server's answer for a path or object it does not have. */
const NOT_FOUND = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  reason: 'NotFound',
  code: 404,
};

/** Creates the server; Application lists carry the serving time as reconciledAt, as Argo CD keeps it fresh. */
export function createFakeKubeApi(objects) {
  const byResource = new Map();
  for (const object of objects) {
    const key = `${object.apiVersion} ${object.kind.toLowerCase()}s`;
    if (!byResource.has(key)) byResource.set(key, []);
    byResource.get(key).push(object);
  }
  const resourceVersion = String(1000 + objects.length);
  let stats = { total: 0, lists: 0, watches: 0, gets: 0, byPath: {} };
  const watches = new Set();

  function count(method, pathname, type) {
    stats.total += 1;
    stats[type] += 1;
    const key = `${method} ${pathname}`;
    stats.byPath[key] = (stats.byPath[key] ?? 0) + 1;
  }

  function watch(req, res, query, kind, apiVersion) {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    // A real API server answers a watch at once: clients treat the headers as "connected".
    res.flushHeaders();
    const timers = [];
    const end = () => {
      timers.forEach(clearTimeout);
      watches.delete(end);
      res.end();
    };
    watches.add(end);
    const seconds = Number(query.get('timeoutSeconds')) || 1800;
    timers.push(setTimeout(end, seconds * 1000));
    if (query.get('allowWatchBookmarks') === 'true') {
      const bookmark = {
        type: 'BOOKMARK',
        object: { kind, apiVersion, metadata: { resourceVersion } },
      };
      timers.push(
        setInterval(() => res.write(`${JSON.stringify(bookmark)}\n`), 30_000),
      );
    }
    req.on('close', end);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://fake');
    if (url.pathname === '/__stats') {
      if (req.method === 'POST')
        stats = { total: 0, lists: 0, watches: 0, gets: 0, byPath: {} };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    const target = parsePath(url.pathname);
    if (req.method !== 'GET' || !target) {
      count(req.method, url.pathname, 'gets');
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(NOT_FOUND));
      return;
    }
    const { apiVersion, namespace, resource, name } = target;
    const all = byResource.get(`${apiVersion} ${resource}`) ?? [];
    const kind =
      all[0]?.kind ??
      KNOWN_KINDS[resource] ??
      resource.replace(/s$/, '').replace(/^./, c => c.toUpperCase());
    const watching = ['true', '1'].includes(url.searchParams.get('watch'));
    count('GET', url.pathname, watching ? 'watches' : name ? 'gets' : 'lists');
    if (watching) {
      watch(req, res, url.searchParams, kind, apiVersion);
      return;
    }
    const labels = labelMatcher(url.searchParams.get('labelSelector'));
    const fields = fieldMatcher(url.searchParams.get('fieldSelector'));
    const items = all.filter(
      o =>
        (!namespace || o.metadata.namespace === namespace) &&
        (!name || o.metadata.name === name) &&
        labels(o.metadata.labels) &&
        fields(o),
    );
    if (kind === 'Application') {
      const now = new Date().toISOString();
      for (const app of items) app.status.reconciledAt = now;
    }
    if (name) {
      res.writeHead(items.length ? 200 : 404, {
        'Content-Type': 'application/json',
      });
      res.end(JSON.stringify(items[0] ?? NOT_FOUND));
      return;
    }
    // Pages as a real API server serves them: `limit` items, then a `continue` token (here
    // the offset) for the rest.
    const limit = Number(url.searchParams.get('limit')) || items.length;
    const offset = Number(url.searchParams.get('continue')) || 0;
    const page = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? String(offset + limit) : '';
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: `${kind}List`,
        apiVersion,
        metadata: { resourceVersion, ...(next ? { continue: next } : {}) },
        items: page,
      }),
    );
  });
  server.closeWatches = () => [...watches].forEach(end => end());
  return server;
}

/**
 * Starts one fake cluster in a child process; resolves with its URL, object count and the
 * serialized size of its pods, and a `stop()`.
 */
export function startFakeCluster(options) {
  const child = fork(
    fileURLToPath(import.meta.url),
    [JSON.stringify(options)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', code =>
      reject(new Error(`fake cluster ${options.env} exited (${code})`)),
    );
    child.once('message', info => {
      child.removeAllListeners('exit');
      resolve({
        ...info,
        url: `http://127.0.0.1:${info.port}`,
        pid: child.pid,
        stop: () =>
          new Promise(done => {
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2]);
  const objects = clusterObjects(options);
  const pods = objects.filter(o => o.kind === 'Pod');
  const podBytes = pods.length ? Buffer.byteLength(JSON.stringify(pods)) : 0;
  const server = createFakeKubeApi(objects);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send({
      env: options.env,
      port: server.address().port,
      objects: objects.length,
      pods: pods.length,
      avgPodBytes: pods.length ? Math.round(podBytes / pods.length) : 0,
    });
  });
  // Never outlive the benchmark, even when it crashes.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    server.closeWatches();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
