import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the service is in its life, as the readiness probe reports it. */
export type Phase = 'starting' | 'ready' | 'draining' | 'stopped';

export interface ServiceOptions {
  /** Reported by `/`; the image's tag, set by CI through the APP_VERSION build argument. */
  version: string;
  /**
   * How long `/ready` answers 503 before the listener closes. Kubernetes removes a terminating
   * pod from its Service's endpoints asynchronously; requests keep arriving for a moment after
   * SIGTERM, and they should find an open port.
   */
  drainDelayMs: number;
  /** In-flight requests still open after this are cut, well within the pod's grace period. */
  closeTimeoutMs: number;
}

export interface Service {
  readonly server: Server;
  phase(): Phase;
  /** Resolves with the bound port (useful with port 0). */
  listen(port: number): Promise<number>;
  /** Not ready → wait drainDelayMs → stop accepting → wait for in-flight requests → closed. */
  shutdown(): Promise<void>;
}

type Route = (
  phase: Phase,
  options: ServiceOptions,
) => { status: number; body: unknown };

const routes: Record<string, Route> = {
  // Liveness: the process answers. Stays 200 while draining so the kubelet does not restart a
  // pod that is shutting down on purpose.
  '/health': () => ({ status: 200, body: { status: 'ok' } }),
  // Readiness: send traffic only when ready; 503 while starting and while draining.
  '/ready': phase => ({
    status: phase === 'ready' ? 200 : 503,
    body: { status: phase },
  }),
  '/': (_phase, options) => ({
    status: 200,
    body: {
      message: 'Hello from ${{ values.name }}',
      version: options.version,
    },
  }),
};

/**
 * Requests answered, by status code, as Prometheus reads them on `/metrics`: a canary's
 * analysis compares the 5xx share of `http_requests_total` (see the GitOps repository's
 * AnalysisTemplate). Probes and scrapes are not traffic: counted, they would hide the errors.
 */
const NOT_TRAFFIC = new Set(['/health', '/ready', '/metrics']);

function metricsText(answered: Map<number, number>): string {
  return [
    '# HELP http_requests_total Requests answered, by status code (probes and scrapes are not counted).',
    '# TYPE http_requests_total counter',
    ...[...answered].map(
      ([code, count]) => `http_requests_total{code="${code}"} ${count}`,
    ),
    '',
  ].join('\n');
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  res.end(payload);
}

export function createService(options: ServiceOptions): Service {
  let phase: Phase = 'starting';
  let stopping: Promise<void> | undefined;
  const answered = new Map<number, number>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!NOT_TRAFFIC.has(path)) {
      res.once('finish', () =>
        answered.set(res.statusCode, (answered.get(res.statusCode) ?? 0) + 1),
      );
    }
    if (path === '/metrics' && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(metricsText(answered));
      return;
    }
    const route = routes[path];
    if (!route) {
      respond(res, 404, { error: 'not found' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      respond(res, 405, { error: 'method not allowed' });
      return;
    }
    const { status, body } = route(phase, options);
    respond(res, status, body);
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        phase = 'ready';
        resolve((server.address() as AddressInfo).port);
      });
    });

  const stop = async () => {
    phase = 'draining';
    await new Promise(resolve => setTimeout(resolve, options.drainDelayMs));
    const closed = new Promise<void>(resolve => server.close(() => resolve()));
    // Keep-alive connections without a request in flight would hold close() open.
    server.closeIdleConnections();
    const deadline = setTimeout(
      () => server.closeAllConnections(),
      options.closeTimeoutMs,
    );
    await closed;
    clearTimeout(deadline);
    phase = 'stopped';
  };

  return {
    server,
    phase: () => phase,
    listen,
    shutdown: () => (stopping ??= stop()),
  };
}

function intFromEnv(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(
      `${name} must be an integer between 0 and ${max}, got "${raw}"`,
    );
  }
  return value;
}

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({
      time: new Date().toISOString(),
      message,
      ...fields,
    })}\n`,
  );
}

async function main(): Promise<void> {
  const port = intFromEnv('PORT', Number('${{ values.port }}'), 65535);
  const service = createService({
    version: process.env.APP_VERSION || 'dev',
    drainDelayMs: intFromEnv('DRAIN_DELAY_MS', 5000, 60_000),
    closeTimeoutMs: intFromEnv('CLOSE_TIMEOUT_MS', 10_000, 60_000),
  });
  const signalled = (signal: NodeJS.Signals) => {
    log('shutting down', { signal });
    service.shutdown().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      error => {
        log('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', signalled);
  process.once('SIGINT', signalled);
  const bound = await service.listen(port);
  log('listening', { port: bound, version: process.env.APP_VERSION || 'dev' });
}

if (require.main === module) {
  main().catch(error => {
    log('failed to start', { error: String(error) });
    process.exit(1);
  });
}
