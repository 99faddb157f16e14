import { LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';

/**
 * Express error middleware: a request whose client went away (a page left, a tab closed) ends
 * here with a debug line. Its work was aborted with it (see the router's `abortOnClose`), and
 * the answer would reach nobody, so it is neither a 500 nor an error line in the log (an
 * unreachable Git host, say, held such a request until its page was left). A request whose
 * client still waits passes on to the other error handlers unchanged.
 */
export function clientsGone(
  logger?: LoggerService,
): express.ErrorRequestHandler {
  return (error, req, res, next) => {
    // The connection is gone (`req.destroyed` is no sign: a request ends once its body is read).
    const gone = !res.writableFinished && (!res.socket || res.socket.destroyed);
    if (!gone) {
      next(error);
      return;
    }
    logger?.debug(
      `${req.method} ${
        req.originalUrl
      }: the client went away before the answer (${
        error instanceof Error ? error.message : String(error)
      })`,
    );
    if (!res.headersSent) res.status(499);
    res.end();
  };
}
