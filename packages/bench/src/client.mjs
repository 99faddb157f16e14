// The portal's HTTP client as the benchmark uses it: timed requests (to the last byte of the
// body, which is what a user waits for), percentiles, and the overview with or without paging.
import { BASE_URL } from './backend.mjs';

export function createClient(token) {
  /** One request; never throws: failures come back as `{ ok: false, error }`. */
  async function request(method, path, { body, signal, parse = true } = {}) {
    const t0 = performance.now();
    try {
      const response = await fetch(`${BASE_URL}${path}`, {
        method,
        signal,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      const ms = performance.now() - t0;
      let json;
      try {
        // Skipped under load: parsing 50 large bodies at once would delay the other timings.
        json = parse ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return {
        ok: response.ok,
        status: response.status,
        ms,
        json,
        bytes: text.length,
        serverTiming: serverTimingOf(response.headers.get('server-timing')),
      };
    } catch (error) {
      return {
        ok: false,
        status: 0,
        ms: performance.now() - t0,
        error: error.name === 'AbortError' ? 'aborted' : error.message,
      };
    }
  }
  return {
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
  };
}

/** `Server-Timing: a;dur=1.5, b;dur=2` as `{ a: 1.5, b: 2 }`; undefined without the header. */
function serverTimingOf(header) {
  if (!header) return undefined;
  return Object.fromEntries(
    header.split(',').map(part => {
      const [name, ...params] = part.trim().split(';');
      const dur = params.find(p => p.startsWith('dur='));
      return [name, dur ? Number(dur.slice(4)) : NaN];
    }),
  );
}

/** p50/p95/p99 (nearest rank), mean and max, in whole milliseconds. */
export function percentiles(values) {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = p =>
    sorted[
      Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
    ];
  const round = v => Math.round(v);
  return {
    count: sorted.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    max: round(sorted[sorted.length - 1]),
  };
}

/** Whether an overview answer is paged (the backend is gaining `limit`/`cursor`). */
export const isPaged = json =>
  Boolean(json) && ('nextCursor' in json || 'totalCount' in json);

/**
 * The whole overview: one request, or — when the backend pages even without `limit` — every
 * page, following `nextCursor`. Latency is the time to the last page.
 */
export async function fetchOverview(client, { signal } = {}) {
  const first = await client.get('/api/gitops/overview', { signal });
  if (!first.ok || !first.json?.nextCursor) {
    return {
      ...first,
      items: first.json?.items ?? [],
      pages: 1,
      paged: isPaged(first.json),
    };
  }
  const items = [...first.json.items];
  let { ms, bytes } = first;
  let cursor = first.json.nextCursor;
  let pages = 1;
  while (cursor) {
    const page = await client.get(
      `/api/gitops/overview?cursor=${encodeURIComponent(cursor)}`,
      { signal },
    );
    if (!page.ok) return { ...page, items, pages, paged: true };
    items.push(...page.json.items);
    ms += page.ms;
    bytes += page.bytes;
    cursor = page.json.nextCursor;
    pages += 1;
  }
  return { ok: true, status: 200, ms, bytes, items, pages, paged: true };
}

/** Every service has all environments answered without error (and not stale). */
export function overviewComplete(items, n, environments) {
  return (
    items.length === n &&
    items.every(item =>
      environments.every(name => {
        const env = item.environments.find(e => e.name === name);
        return env && env.error === null && !env.stale;
      }),
    )
  );
}

/** What the overview says about the fleet: errors, stale, sync/health and problem counts. */
export function summarizeOverview(items) {
  const summary = {
    items: items.length,
    environments: 0,
    errors: 0,
    stale: 0,
    synced: 0,
    healthy: 0,
    problems: 0,
  };
  const firstErrors = new Set();
  for (const item of items) {
    for (const env of item.environments) {
      summary.environments += 1;
      if (env.error) {
        summary.errors += 1;
        if (firstErrors.size < 3)
          firstErrors.add(`${item.entityRef} ${env.name}: ${env.error}`);
      }
      if (env.stale) summary.stale += 1;
      if (env.sync === 'Synced') summary.synced += 1;
      if (env.health === 'Healthy') summary.healthy += 1;
      summary.problems += env.problems ?? 0;
    }
  }
  return { ...summary, sampleErrors: [...firstErrors] };
}

/** A seeded generator, so every run picks the same "random" services. */
export function seededRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
