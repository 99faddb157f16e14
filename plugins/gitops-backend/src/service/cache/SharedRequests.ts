/**
 * One request per key at a time: the environments of a view, and the views of a fleet, ask
 * for the same repository's tags or chart index together, and share one answer. The shared
 * request runs under its own time-out, not one caller's signal (the others still wait for
 * it); a caller whose signal aborts stops waiting at once.
 */
export class SharedRequests {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  run<T>(
    key: string,
    signal: AbortSignal | undefined,
    read: () => Promise<T>,
  ): Promise<T> {
    let pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = read().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    if (!signal) return pending;
    if (signal.aborted) return Promise.reject(signal.reason);
    const shared = pending;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      shared
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
