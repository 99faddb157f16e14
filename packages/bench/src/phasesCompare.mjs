// Phases that compare or stress: Kubernetes API requests per page view (GitOps backend vs the
// Kubernetes plugin), clients that disconnect mid-request, and promotions (Git writes).
import { percentiles } from './client.mjs';
import { cpuOver, waitCpuBelow } from './procStats.mjs';

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function clusterStats(clusters, reset = false) {
  const all = await Promise.all(
    clusters.map(async c =>
      (
        await fetch(`${c.url}/__stats`, { method: reset ? 'POST' : 'GET' })
      ).json(),
    ),
  );
  const sum = key => all.reduce((total, s) => total + s[key], 0);
  const byPath = {};
  for (const s of all) {
    for (const [key, count] of Object.entries(s.byPath))
      byPath[key] = (byPath[key] ?? 0) + count;
  }
  return {
    lists: sum('lists'),
    gets: sum('gets'),
    watches: sum('watches'),
    byPath,
  };
}

/** Requests the fake clusters received while `views` page views ran, per view. */
async function countRequests(clusters, views, run) {
  await clusterStats(clusters, true);
  const latencies = [];
  let failed = 0;
  for (let i = 0; i < views; i++) {
    const answer = await run(i);
    latencies.push(answer.ms);
    if (!answer.ok) failed += 1;
  }
  const stats = await clusterStats(clusters);
  const perView = v => Math.round((v / views) * 100) / 100;
  return {
    views,
    failed,
    latency: percentiles(latencies),
    // Reads caused by the views; re-opened watches run on their own clock and are shown apart.
    readsPerView: perView(stats.lists + stats.gets),
    watchesOpened: stats.watches,
    // What one view asks the clusters, with service namespaces folded together.
    pathsPerView: Object.fromEntries(
      Object.entries(
        Object.entries(stats.byPath).reduce((acc, [key, count]) => {
          const folded = key.replace(/\/namespaces\/[^/]+/, '/namespaces/<ns>');
          return { ...acc, [folded]: (acc[folded] ?? 0) + count };
        }, {}),
      ).map(([key, count]) => [key, perView(count)]),
    ),
  };
}

/**
 * 20 warm GitOps environment views, then the Kubernetes plugin's entity view
 * (`POST /api/kubernetes/services/:name` with the catalog entity, what its frontend calls)
 * for the same 20 entities; requests per view and the ratio.
 */
export async function kubernetesRequestsPerView(ctx, signal, views = 20) {
  const names = Array.from({ length: views }, () => ctx.pick());
  const entities = [];
  for (const name of names) {
    const answer = await ctx.client.get(
      `/api/catalog/entities/by-name/component/default/${name}`,
      { signal },
    );
    if (!answer.ok) throw new Error(`catalog entity ${name}: ${answer.status}`);
    entities.push(answer.json);
  }
  const gitops = await countRequests(ctx.clusters, views, i =>
    ctx.client.get(
      `/api/gitops/entities/default/component/${names[i]}/environments`,
      { signal },
    ),
  );
  // The same, for services whose prod runs an Argo Rollouts Rollout with AnalysisRuns: each
  // view must still come from the watches, and must show the rollout.
  const rolloutNames = ctx.withRollout?.(views) ?? [];
  let rolloutsShown = 0;
  const rollouts = rolloutNames.length
    ? await countRequests(ctx.clusters, rolloutNames.length, async i => {
        const answer = await ctx.client.get(
          `/api/gitops/entities/default/component/${rolloutNames[i]}/environments`,
          { signal },
        );
        const prod = answer.json?.environments?.find(e => e.name === 'prod');
        if (prod?.rollout?.kind === 'Rollout') rolloutsShown += 1;
        return answer;
      })
    : null;
  if (rollouts) rollouts.rolloutsShown = rolloutsShown;
  const clusterErrors = new Set();
  let objects = 0;
  const kubernetes = await countRequests(ctx.clusters, views, async i => {
    const answer = await ctx.client.post(
      `/api/kubernetes/services/${names[i]}`,
      { entity: entities[i] },
      { signal },
    );
    for (const item of answer.json?.items ?? []) {
      objects += (item.resources ?? []).reduce(
        (sum, r) => sum + (r.resources?.length ?? 0),
        0,
      );
      for (const error of item.errors ?? [])
        clusterErrors.add(
          `${item.cluster?.name}: ${error.errorType ?? ''} ${
            error.resourcePath ?? ''
          }`.trim(),
        );
    }
    if (answer.ok && (answer.json?.items?.length ?? 0) !== ctx.clusters.length)
      clusterErrors.add(`answered ${answer.json?.items?.length} clusters`);
    return answer;
  });
  kubernetes.errors = [...clusterErrors].slice(0, 5);
  // Proof that the plugin found the service's objects (Deployment, pods, HPA per cluster).
  kubernetes.objectsPerView = objects / views;
  return {
    gitops,
    rollouts,
    kubernetes,
    ratio:
      gitops.readsPerView > 0
        ? Math.round((kubernetes.readsPerView / gitops.readsPerView) * 10) / 10
        : null,
  };
}

// `<time> <plugin> <level> <message>`: the level, not the word anywhere in a message.
const level = line => line.match(/^\S+ \S+ (warn|error) /)?.[1];

/**
 * 50 clients start an overview and go away after 200 ms: how long the backend keeps working
 * for nobody (CPU back under 5 % of a core, two 250 ms samples in a row), and what it logs.
 */
export async function disconnectingClients(
  ctx,
  signal,
  clients = 50,
  abortAfterMs = 200,
) {
  const pid = ctx.backend.pid();
  const idleCpuPct = Math.round((await cpuOver(pid, 2000)) * 1000) / 10;
  const linesBefore = ctx.backend.lines().length;
  const controllers = Array.from(
    { length: clients },
    () => new AbortController(),
  );
  const requests = controllers.map(c =>
    ctx.client.get('/api/gitops/overview', { signal: c.signal, parse: false }),
  );
  await sleep(abortAfterMs);
  controllers.forEach(c => c.abort());
  const since = performance.now();
  const answers = await Promise.all(requests);
  const settle = await waitCpuBelow(pid, {
    since,
    timeoutMs: signal.aborted ? 0 : 60_000,
  });
  await sleep(1000);
  const newLines = ctx.backend.lines().slice(linesBefore);
  const warnings = newLines.filter(line => level(line) === 'warn');
  const errors = newLines.filter(line => level(line) === 'error');
  return {
    clients,
    abortAfterMs,
    completedBeforeAbort: answers.filter(a => a.ok).length,
    idleCpuPctBefore: idleCpuPct,
    secondsUntilCpuBelow5pct:
      settle.seconds === null ? null : Math.round(settle.seconds * 100) / 100,
    cpuTracePct: settle.tracePct.slice(0, 40),
    newLogLines: newLines.length,
    newWarningLines: warnings.length,
    newErrorLines: errors.length,
    sampleWarnings: [...new Set(warnings.map(w => w.slice(25, 300)))].slice(
      0,
      3,
    ),
    sampleErrors: [...new Set(errors.map(w => w.slice(25, 300)))].slice(0, 3),
  };
}

/** Promotions dev → staging: 10 one after another, then 10 at once (distinct services). */
export async function promotions(ctx, signal) {
  const count = Math.min(10, Math.floor(ctx.n / 2));
  const services = ctx.distinct(2 * count);
  const promote = name =>
    ctx.client.post(
      `/api/gitops/entities/default/component/${name}/promotions`,
      { from: 'dev', to: 'staging' },
      { signal },
    );
  const statuses = answers =>
    answers.reduce(
      (acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }),
      {},
    );
  const sequential = [];
  for (const name of services.slice(0, count))
    sequential.push(await promote(name));
  const t0 = performance.now();
  const concurrent = await Promise.all(services.slice(count).map(promote));
  const seconds = (performance.now() - t0) / 1000;
  const firstFailure = [...sequential, ...concurrent].find(
    a => a.status !== 201,
  );
  return {
    sequential: {
      count,
      latency: percentiles(sequential.map(a => a.ms)),
      statuses: statuses(sequential),
    },
    concurrent: {
      count,
      seconds: Math.round(seconds * 100) / 100,
      perSecond:
        Math.round(
          (concurrent.filter(a => a.status === 201).length / seconds) * 100,
        ) / 100,
      latency: percentiles(concurrent.map(a => a.ms)),
      statuses: statuses(concurrent),
      all201: concurrent.every(a => a.status === 201),
    },
    firstFailure: firstFailure
      ? {
          status: firstFailure.status,
          body: JSON.stringify(firstFailure.json ?? firstFailure.error).slice(
            0,
            300,
          ),
        }
      : null,
  };
}
