/**
 * One request per key at a time (see also {@link SharedComputations}): the environments of a view, and the views of a fleet, ask
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

/**
 * One computation per key at a time, shared by the callers asking for it meanwhile, that
 * stops when nobody waits for it any more: it runs under a signal of its own, aborted when
 * the last caller waiting for it goes away (a caller without a signal always waits). A caller
 * whose signal aborts stops waiting at once; the others still get the answer.
 *
 * A computation is given up the moment it is aborted: a caller arriving after that gets a
 * computation of its own, never the cancelled one's rejection — that would be answered as a
 * server error ("client went away") to a client still waiting.
 */
export class SharedComputations {
  private readonly inFlight = new Map<
    string,
    { result: Promise<unknown>; controller: AbortController; waiters: number }
  >();

  run<T>(
    key: string,
    signal: AbortSignal | undefined,
    compute: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let entry = this.inFlight.get(key);
    if (!entry) {
      const controller = new AbortController();
      const created = {
        controller,
        waiters: 0,
        result: Promise.resolve() as Promise<unknown>,
      };
      created.result = compute(controller.signal).finally(() => {
        if (this.inFlight.get(key) === created) this.inFlight.delete(key);
      });
      // Every caller may have gone away: the rejection is theirs, not unhandled.
      created.result.catch(() => {});
      this.inFlight.set(key, created);
      entry = created;
    }
    const shared = entry;
    const result = shared.result as Promise<T>;
    shared.waiters += 1;
    if (!signal) return result;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        shared.waiters -= 1;
        if (shared.waiters === 0) {
          // Given up before it is aborted, so no later caller can join it.
          if (this.inFlight.get(key) === shared) this.inFlight.delete(key);
          shared.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      result
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', leave));
    });
  }
}
