import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import {
  databaseOutageReason,
  databaseOutages,
  databaseUnavailable,
} from './databaseErrors';

/** An error shaped like pg's DatabaseError (after Knex prefixed the query to its message). */
function pgError(code: string, message: string) {
  return Object.assign(
    new Error(`select * from "gitops_actions" - ${message}`),
    {
      code,
      severity: 'FATAL',
    },
  );
}

/** An error shaped like Node's failed connect, as pg passes it through the pool. */
function socketError(code: string, syscall = 'connect') {
  return Object.assign(new Error(`${syscall} ${code} 127.0.0.1:5433`), {
    code,
    errno: -111,
    syscall,
    address: '127.0.0.1',
    port: 5433,
  });
}

function knexTimeout() {
  const error = new Error(
    'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
  );
  error.name = 'KnexTimeoutError';
  return error;
}

describe('databaseOutageReason', () => {
  it.each<[string, unknown, string | undefined]>([
    [
      'admin_shutdown (pg_ctl stop -m fast)',
      pgError('57P01', 'terminating connection due to administrator command'),
      'the server is shutting down (57P01 admin_shutdown)',
    ],
    [
      'crash_shutdown',
      pgError('57P02', 'terminating connection because of crash'),
      'the server stopped after a crash (57P02 crash_shutdown)',
    ],
    [
      'cannot_connect_now (starting up)',
      pgError('57P03', 'the database system is starting up'),
      'the server does not accept connections yet (57P03 cannot_connect_now)',
    ],
    [
      'too_many_connections',
      pgError('53300', 'sorry, too many clients already'),
      'the server has no connection left (53300 too_many_connections)',
    ],
    [
      'connection_failure',
      pgError('08006', 'connection failure'),
      'connection exception (SQLSTATE 08006)',
    ],
    [
      'protocol_violation',
      pgError('08P01', 'protocol violation'),
      'connection exception (SQLSTATE 08P01)',
    ],
    [
      'connection refused (server stopped)',
      socketError('ECONNREFUSED'),
      'cannot connect (ECONNREFUSED 127.0.0.1:5433)',
    ],
    [
      'connection reset while reading',
      socketError('ECONNRESET', 'read'),
      'the connection was cut (ECONNRESET 127.0.0.1:5433)',
    ],
    [
      "Node's AggregateError of one connect per address",
      Object.assign(new AggregateError([socketError('ECONNREFUSED')], ''), {
        code: 'ECONNREFUSED',
      }),
      'cannot connect (ECONNREFUSED)',
    ],
    [
      'connection ended during a query',
      new Error('select 1 - Connection terminated unexpectedly'),
      'the connection was closed',
    ],
    [
      'a client that errored before',
      new Error(
        'Client has encountered a connection error and is not queryable',
      ),
      'the connection was closed',
    ],
    [
      'pool acquire time-out',
      knexTimeout(),
      'no connection within the time-out of the connection pool',
    ],
    [
      'an outage wrapped by a service',
      new Error('reading the actions', {
        cause: pgError('57P01', 'terminating connection'),
      }),
      'the server is shutting down (57P01 admin_shutdown)',
    ],
    // Errors of the database that answered, and of everything else: not an outage.
    [
      'unique violation',
      pgError('23505', 'duplicate key value violates unique constraint'),
      undefined,
    ],
    [
      'undefined table',
      pgError('42P01', 'relation "x" does not exist'),
      undefined,
    ],
    [
      'query time-out',
      Object.assign(knexTimeout(), { message: 'operation timed out' }),
      undefined,
    ],
    [
      'a Git host refusing through fetch (a cause, not the error)',
      new TypeError('fetch failed', { cause: socketError('ECONNREFUSED') }),
      undefined,
    ],
    [
      'node-fetch FetchError (no syscall)',
      Object.assign(new Error('request to https://k8s failed'), {
        name: 'FetchError',
        code: 'ECONNREFUSED',
        type: 'system',
      }),
      undefined,
    ],
    [
      'a file that is not there',
      Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'open' }),
      undefined,
    ],
    ['a conflict', new ConflictError('branch moved'), undefined],
    ['not an error', 'oops', undefined],
    ['nothing', undefined, undefined],
  ])('%s', (_name, error, reason) => {
    expect(databaseOutageReason(error)).toBe(reason);
  });

  it('stops on a cycle of causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(databaseOutageReason(a)).toBeUndefined();
  });
});

describe('databaseUnavailable', () => {
  it('is a ServiceUnavailableError naming the reason, without the query', () => {
    const error = databaseUnavailable(
      pgError('57P01', 'terminating connection due to administrator command'),
    );
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error?.message).toBe(
      'The GitOps database is not answering: the server is shutting down (57P01 admin_shutdown); retry shortly',
    );
  });
});

describe('databaseOutages', () => {
  /** A router failing with `error`, answered by Backstage's own error handler. */
  function app(error: unknown) {
    const router = express();
    router.get('/', () => {
      throw error;
    });
    router.use(databaseOutages);
    router.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error(),
    );
    return router;
  }

  it('answers 503 for an outage', async () => {
    const res = await request(app(socketError('ECONNREFUSED'))).get('/');
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({
      name: 'ServiceUnavailableError',
      message:
        'The GitOps database is not answering: cannot connect (ECONNREFUSED 127.0.0.1:5433); retry shortly',
    });
  });

  it('passes any other error on as it was', async () => {
    const res = await request(app(pgError('23505', 'duplicate key value'))).get(
      '/',
    );
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(/duplicate key value$/);
  });
});
