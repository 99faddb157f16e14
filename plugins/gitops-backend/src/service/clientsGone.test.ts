import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { clientsGone } from './clientsGone';

/**
 * A real server with the middleware after a route that fails once `gate` is released: the
 * client either waits for the answer or has gone by then.
 */
async function serve(logger: ReturnType<typeof mockServices.logger.mock>) {
  let release: () => void = () => {};
  let server!: http.Server;
  const gate = new Promise<void>(resolve => (release = resolve));
  const failed = new Promise<void>(resolve => {
    const app = express();
    app.get('/slow', async (_req, _res, next) => {
      await gate;
      next(new Error('client went away'));
      resolve();
    });
    app.use(clientsGone(logger));
    // What runs after: Backstage's error handler, which would answer 500 and log an error.
    app.use(
      (
        error: Error,
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        logger.error(`Request failed with status 500 ${error.message}`);
        res.status(500).json({ error: error.message });
      },
    );
    server = app.listen(0, '127.0.0.1');
  });
  await new Promise(resolve => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, release, failed, close: () => server.close() };
}

describe('clientsGone', () => {
  it.each([
    { client: 'has gone', leaves: true, errorLines: 0, debugLines: 1 },
    { client: 'still waits', leaves: false, errorLines: 1, debugLines: 0 },
  ])(
    'a failed request whose client $client: $errorLines error lines',
    async ({ leaves, errorLines, debugLines }) => {
      const logger = mockServices.logger.mock();
      const { port, release, failed, close } = await serve(logger);
      try {
        const req = http.get(`http://127.0.0.1:${port}/slow`);
        const answered = new Promise<number | undefined>(resolve => {
          req.on('response', res => {
            res.resume();
            resolve(res.statusCode);
          });
          req.on('error', () => resolve(undefined));
        });
        // Let the request reach the route before the client leaves.
        await new Promise(resolve => setTimeout(resolve, 50));
        if (leaves) req.destroy();
        await new Promise(resolve => setTimeout(resolve, 50));
        release();
        await failed;
        const status = await answered;
        expect(status).toBe(leaves ? undefined : 500);
        expect(logger.error).toHaveBeenCalledTimes(errorLines);
        expect(logger.debug).toHaveBeenCalledTimes(debugLines);
      } finally {
        close();
      }
    },
  );
});
