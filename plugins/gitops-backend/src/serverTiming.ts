import express from 'express';

/**
 * Where a request's time went, in its `Server-Timing` header: a browser's DevTools show it
 * beside the request, and `yarn bench` reads it, so a slow view says whether it waited on the
 * catalog and permission calls, on its state or on the database.
 */
export function serverTiming(res: express.Response) {
  let last = performance.now();
  const parts: string[] = [];
  const write = () => {
    if (!res.headersSent) res.setHeader('Server-Timing', parts.join(', '));
  };
  return {
    /** Times `work` on its own (parts that run side by side), as the metric `name`. */
    async time<T>(name: string, work: Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        return await work;
      } finally {
        parts.push(`${name};dur=${(performance.now() - started).toFixed(1)}`);
        write();
      }
    },
    /** Ends the part `name` (a token: letters, digits, `-`) here, since the previous one. */
    mark(name: string) {
      const now = performance.now();
      parts.push(`${name};dur=${(now - last).toFixed(1)}`);
      last = now;
      write();
    },
  };
}
