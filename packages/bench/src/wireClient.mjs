// A load generator's client: time to the last byte of each answer as it comes off the wire
// (gzip, as a browser asks for it), the body counted but not decoded — what autocannon, wrk
// and k6 with discarded bodies measure. The bench's clients share the backend's 2 cores:
// inflating and decoding 50 bodies of 3.5 MB at once costs this one Node process more than
// the backend spends answering them (50 × 5 answers of a fixed 4.8 MB body from a bare
// http server: p95 0.7–1.1 s decoded with fetch, 16–84 ms to the last byte). In a portal each
// browser decodes its own answer on its own machine.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { BASE_URL } from './backend.mjs';

/**
 * `get(path)` resolves with `{ ok, status, ms, bytes, body? }` and never throws; `keepBody`
 * keeps the (still compressed) body for a check after the timings.
 */
export function createWireClient(token, { sockets = 50 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(BASE_URL);
  function get(path, { signal, keepBody = false } = {}) {
    const t0 = performance.now();
    return new Promise(resolve => {
      const done = answer => resolve({ ms: performance.now() - t0, ...answer });
      const request = http.get(
        {
          host: base.hostname,
          port: base.port,
          path,
          agent,
          signal,
          headers: {
            Authorization: `Bearer ${token}`,
            'Accept-Encoding': 'gzip',
          },
        },
        response => {
          const chunks = [];
          let bytes = 0;
          response.on('data', chunk => {
            bytes += chunk.length;
            if (keepBody) chunks.push(chunk);
          });
          response.on('end', () =>
            done({
              ok: response.statusCode >= 200 && response.statusCode < 300,
              status: response.statusCode,
              bytes,
              body: keepBody
                ? {
                    data: Buffer.concat(chunks),
                    gzip: response.headers['content-encoding'] === 'gzip',
                  }
                : undefined,
            }),
          );
          response.on('error', error =>
            done({ ok: false, status: 0, error: error.message }),
          );
        },
      );
      request.on('error', error =>
        done({
          ok: false,
          status: 0,
          error: error.name === 'AbortError' ? 'aborted' : error.message,
        }),
      );
    });
  }
  return { get, close: () => agent.destroy() };
}

/** A kept body as JSON (inflated when it came gzipped). */
export function decodeBody(body) {
  return JSON.parse(
    (body.gzip ? gunzipSync(body.data) : body.data).toString('utf8'),
  );
}
