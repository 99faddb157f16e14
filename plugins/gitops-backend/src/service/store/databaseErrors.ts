import { ServiceUnavailableError } from '@backstage/errors';
import express from 'express';

/** One kind of "the database is not answering", and how to say which. */
interface Outage {
  matches(error: ErrorLike, top: boolean): boolean;
  reason(error: ErrorLike): string;
}

type ErrorLike = {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  address?: unknown;
  port?: unknown;
  syscall?: unknown;
  cause?: unknown;
  errors?: unknown;
};

/** Socket errors of a connection that could not be opened or was cut. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
]);

const SQLSTATE_REASONS: Record<string, string> = {
  '57P01': 'the server is shutting down (57P01 admin_shutdown)',
  '57P02': 'the server stopped after a crash (57P02 crash_shutdown)',
  '57P03':
    'the server does not accept connections yet (57P03 cannot_connect_now)',
  '53300': 'the server has no connection left (53300 too_many_connections)',
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * What the PostgreSQL driver (pg) and Knex throw when the database cannot be reached or the
 * connection ended, as opposed to a query the database refused (a constraint, a syntax
 * error), which stays a 500.
 */
const OUTAGES: Outage[] = [
  {
    // SQLSTATE class 08, connection exception, and the server going away or not being
    // ready (class 57P: operator intervention).
    matches: e => /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/.test(text(e.code)),
    reason: e =>
      SQLSTATE_REASONS[text(e.code)] ??
      `connection exception (SQLSTATE ${text(e.code)})`,
  },
  {
    // A connection that could not be opened or was cut. Only the error itself (or Node's
    // AggregateError of one connect per address), never a cause inside another error: an
    // HTTP client's "fetch failed" carries the same codes for a Git host or a cluster.
    matches: (e, top) =>
      top &&
      SOCKET_CODES.has(text(e.code)) &&
      (e.syscall !== undefined || Array.isArray(e.errors)),
    reason: e => {
      const address =
        typeof e.address === 'string' && typeof e.port === 'number'
          ? ` ${e.address}:${e.port}`
          : '';
      // Node's AggregateError of a connect has no syscall of its own.
      const what =
        e.syscall === undefined || e.syscall === 'connect'
          ? 'cannot connect'
          : 'the connection was cut';
      return `${what} (${text(e.code)}${address})`;
    },
  },
  {
    // pg: the socket ended during a query, or a client that errored was used again.
    matches: e =>
      /Connection terminated|Client has encountered a connection error and is not queryable/.test(
        text(e.message),
      ),
    reason: () => 'the connection was closed',
  },
  {
    // The pool found no connection in `acquireConnectionTimeout`: none could be opened (a
    // host that drops packets), or all are busy behind one that hangs.
    matches: e =>
      e.name === 'KnexTimeoutError' &&
      /Timeout acquiring a connection/.test(text(e.message)),
    reason: () => 'no connection within the time-out of the connection pool',
  },
];

/** The first outage this one error (not its causes) is, if any. */
function outageOf(error: ErrorLike, top: boolean): Outage | undefined {
  return OUTAGES.find(outage => outage.matches(error, top));
}

/**
 * Why the database is not answering, when this error (or an error it was caused by) says it
 * is not; undefined for any other error.
 */
export function databaseOutageReason(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  let top = true;
  // Following `cause`: a service may wrap the store's error; `seen` keeps a cycle finite.
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as ErrorLike;
    const outage = outageOf(e, top);
    if (outage) return outage.reason(e);
    current = e.cause;
    top = false;
  }
  return undefined;
}

/** A 503 for an error that means the database is not answering; undefined for others. */
export function databaseUnavailable(
  error: unknown,
): ServiceUnavailableError | undefined {
  const reason = databaseOutageReason(error);
  if (!reason) return undefined;
  return new ServiceUnavailableError(
    `The GitOps database is not answering: ${reason}; retry shortly`,
  );
}

/**
 * Express error middleware: a store query that failed because PostgreSQL is down, restarting
 * or unreachable answers 503 ServiceUnavailableError (Backstage's error handler maps the name)
 * instead of 500, so clients know to retry; everything else passes on unchanged.
 */
export const databaseOutages: express.ErrorRequestHandler = (
  error: unknown,
  _req: express.Request,
  _res: express.Response,
  next: express.NextFunction,
) => {
  next(databaseUnavailable(error) ?? error);
};
