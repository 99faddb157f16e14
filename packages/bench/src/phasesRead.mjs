// Read-side phases: the cold first overview, warm sequential views, views after a pause, and
// concurrent clients (with the backend's RSS sampled throughout).
import { setTimeout as abortableSleep } from 'node:timers/promises';
import { ENVIRONMENTS } from './generateFleet.mjs';
import {
  fetchOverview,
  isPaged,
  overviewComplete,
  percentiles,
  summarizeOverview,
} from './client.mjs';
import { idleRss, rssByMapping, sampleRss } from './procStats.mjs';
import { decodeBody } from './wireClient.mjs';

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Time from "catalog complete" to the first overview in which every service has every
 * environment answered without error. Retries each second; the first answer's latency and
 * state are kept too, as that is what the first user sees.
 */
export async function coldOverview(ctx, signal) {
  const t0 = performance.now();
  let first;
  let attempts = 0;
  while (!signal.aborted) {
    const answer = await fetchOverview(ctx.client, { signal });
    attempts += 1;
    const summary = answer.ok
      ? summarizeOverview(answer.items)
      : { status: answer.status, error: answer.error };
    first ??= { ms: Math.round(answer.ms), ...summary };
    if (answer.ok && overviewComplete(answer.items, ctx.n, ENVIRONMENTS)) {
      return {
        seconds: Math.round(performance.now() - t0) / 1000,
        attempts,
        firstAnswer: first,
        completeAnswerMs: Math.round(answer.ms),
        pages: answer.pages,
        paged: answer.paged,
        bytes: answer.bytes,
        fleet: summary,
      };
    }
    ctx.log(
      `  cold: attempt ${attempts} incomplete (${JSON.stringify(summary)})`,
    );
    await sleep(1000);
  }
  throw new Error(
    `no complete overview; first answer ${JSON.stringify(first)}`,
  );
}

/** 30 overviews, 100 environment views of random services, and 30 first pages when paged. */
/**
 * The supply-chain evidence the cold views asked for, read in the background: waits until the
 * registry has answered nothing new for 5 s, and says how long and how many requests it took.
 */
export async function evidenceSettled(ctx, signal) {
  const t0 = performance.now();
  let last = await ctx.registry.requests();
  let quietSince = performance.now();
  while (!signal.aborted && performance.now() - quietSince < 5000) {
    await new Promise(resolve => setTimeout(resolve, 500));
    const now = await ctx.registry.requests();
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    }
  }
  // One more overview and one entity view: served from the caches, they ask nothing.
  await fetchOverview(ctx.client, { signal });
  return {
    seconds: Math.round((quietSince - t0) / 100) / 10,
    registryRequests: last,
  };
}

export async function warmSequential(ctx, signal) {
  const registryBefore = await ctx.registry?.requests();
  const overview = [];
  let paged = false;
  let errors = 0;
  for (let i = 0; i < 30 && !signal.aborted; i++) {
    const answer = await fetchOverview(ctx.client, { signal });
    if (!answer.ok) errors += 1;
    paged ||= answer.paged;
    overview.push(answer.ms);
  }
  const environments = [];
  const parts = [];
  for (let i = 0; i < 100 && !signal.aborted; i++) {
    const name = ctx.pick();
    const answer = await ctx.client.get(
      `/api/gitops/entities/default/component/${name}/environments`,
      { signal },
    );
    if (!answer.ok) errors += 1;
    environments.push(answer.ms);
    if (answer.serverTiming)
      parts.push({ ms: answer.ms, ...answer.serverTiming });
  }
  const result = {
    overview: percentiles(overview),
    environments: percentiles(environments),
    environmentsParts: viewParts(parts),
    errors,
    paged,
  };
  if (paged) {
    const page = [];
    for (let i = 0; i < 30 && !signal.aborted; i++) {
      const answer = await ctx.client.get('/api/gitops/overview?limit=100', {
        signal,
      });
      if (!answer.ok || !isPaged(answer.json)) errors += 1;
      page.push(answer.ms);
    }
    result.overviewLimit100 = percentiles(page);
    result.errors = errors;
  }
  if (ctx.registry) {
    // Every warm view (overview, environments) asks the registry nothing: caches only.
    result.registryRequests = (await ctx.registry.requests()) - registryBefore;
  }
  result.idleRssMiB = await idleRss(ctx.backend.pid());
  result.idleMappings = rssByMapping(ctx.backend.pid());
  return result;
}

/**
 * Where the views' time went, from their `Server-Timing` parts: p50/p95 of each part and of
 * the rest (authentication, JSON, HTTP), and the parts of the five slowest views. The view's
 * parts follow each other but for `catalog` and `permission`, which run side by side within
 * `entity`.
 */
function viewParts(parts, sideBySide = ['catalog', 'permission']) {
  if (parts.length === 0) return undefined;
  const names = [...new Set(parts.flatMap(p => Object.keys(p)))].filter(
    n => n !== 'ms',
  );
  const rest = p =>
    p.ms -
    names
      .filter(n => !sideBySide.includes(n))
      .reduce((sum, n) => sum + (p[n] ?? 0), 0);
  const round = v => Math.round(v * 10) / 10;
  return {
    ...Object.fromEntries(
      names.map(n => [n, percentiles(parts.map(p => p[n] ?? 0))]),
    ),
    rest: percentiles(parts.map(rest)),
    slowest: [...parts]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map(p =>
        Object.fromEntries(
          [...Object.entries(p), ['rest', rest(p)]].map(([k, v]) => [
            k,
            round(v),
          ]),
        ),
      ),
  };
}

/**
 * A person opening the fleet page after a pause: an overview, the same again after 11 s and
 * after 31 s; then the first page (`?limit=100`) the same way. 11 s is past the answer's reuse
 * (`gitops.overview.reuseSeconds`, 2 s); 31 s is past the rows' 30 s freshness as well, so
 * that answer recomputes every row it shows. Latencies in ms, to the last byte.
 */
export async function spacedRequests(ctx, signal, pauses = [11, 31]) {
  const kinds = {
    overview: () => fetchOverview(ctx.client, { signal }),
    firstPage: () =>
      ctx.client.get('/api/gitops/overview?limit=100', { signal }),
  };
  const result = { pausesSeconds: pauses, errors: 0 };
  for (const [kind, request] of Object.entries(kinds)) {
    const ms = {};
    const timed = async label => {
      const answer = await request();
      if (!answer.ok) result.errors += 1;
      ms[label] = Math.round(answer.ms);
    };
    await timed('first');
    for (const pause of pauses) {
      await abortableSleep(pause * 1000, undefined, { signal });
      await timed(`after${pause}s`);
    }
    result[kind] = ms;
  }
  return result;
}

/**
 * 50 clients × 5 full overviews at once. The goal's figure is each answer's time to its last
 * byte on the wire, bodies counted and not decoded (`wireClient.mjs` says why); the last body
 * is then decoded and must hold every service. The same round follows with fetch, which
 * inflates each body and reads it as text on these same cores (not parsed), as `decoded`, for
 * comparison.
 */
export async function concurrentClients(
  ctx,
  signal,
  clients = 50,
  perClient = 5,
) {
  let kept;
  const wire = await clientRound(ctx, signal, clients, perClient, (c, i) => {
    const keepBody = c === 0 && i === perClient - 1;
    return ctx.wire
      .get('/api/gitops/overview', { signal, keepBody })
      .then(answer => {
        if (keepBody && answer.ok) kept = answer.body;
        return answer;
      });
  });
  const items = kept ? decodeBody(kept).items : [];
  const decoded = await clientRound(ctx, signal, clients, perClient, () =>
    ctx.client.get('/api/gitops/overview', { signal, parse: false }),
  );
  return {
    ...wire,
    measured: 'time to the last byte, gzip, bodies not decoded',
    check: {
      items: items.length,
      complete: overviewComplete(items, ctx.n, ENVIRONMENTS),
    },
    decoded: {
      latency: decoded.latency,
      errors: decoded.errors,
      requestsPerSecond: decoded.requestsPerSecond,
    },
  };
}

/** `clients` callers asking `perClient` times each, one after another; RSS sampled. */
async function clientRound(ctx, signal, clients, perClient, ask) {
  const sampler = sampleRss(ctx.backend.pid(), 200);
  const latencies = [];
  const failures = {};
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient && !signal.aborted; i++) {
        const answer = await ask(c, i);
        if (answer.ok) latencies.push(answer.ms);
        else
          failures[answer.status || answer.error] =
            (failures[answer.status || answer.error] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const rss = sampler.stop();
  return {
    clients,
    perClient,
    latency: percentiles(latencies),
    errors: Object.values(failures).reduce((a, b) => a + b, 0),
    failures,
    requestsPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
    seconds: Math.round(seconds * 10) / 10,
    peakRssMiB: rss.peakMiB,
    meanRssMiB: rss.meanMiB,
  };
}
