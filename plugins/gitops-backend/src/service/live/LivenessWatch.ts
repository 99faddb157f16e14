import { KubeConfig } from '@kubernetes/client-node';
import { createInterface } from 'node:readline';
import fetch from 'node-fetch';
import {
  sendWithFreshCredentials,
  unauthorizedMessage,
} from './clusterCredentials';

/** Options of {@link LivenessWatch}. */
export interface LivenessWatchOptions {
  kubeConfig: KubeConfig;
  /** Longest wait for the API server to answer a watch request (status and headers). */
  connectTimeoutMs: number;
  /** `timeoutSeconds` sent to the API server: it ends the watch after that long. */
  serverTimeoutSeconds: number;
  /**
   * Longest silence (no event, no bookmark, no end) before the watch is taken for dead. Must
   * exceed the server-side time-out, which ends a healthy but quiet watch.
   */
  idleTimeoutMs: number;
  /** Called whenever the API server proves it is alive: watch opened, a line, a clean end. */
  onConfirmed(): void;
  /** Called when the watch is open (true) and when it ends (false). */
  onConnected(connected: boolean): void;
  /**
   * What is kept of an added or changed object before the informer stores it; null drops the
   * event. Default: the object as sent.
   */
  transform?(object: any): any | null;
}

/** Error of a watch the API server stopped answering; the informer restarts it. */
export class WatchSilentError extends Error {
  readonly name = 'WatchSilentError';
}

/**
 * The `Watch` of @kubernetes/client-node with a heartbeat. Its own watch waits forever for an
 * API server that accepts the request but never answers, and keeps a half-open stream forever:
 * the cache then freezes silently. This one asks for bookmarks (the API server's heartbeat)
 * and a server-side time-out, and ends the watch with an error when the server stays silent
 * past a deadline, so the informer restarts it.
 */
export class LivenessWatch {
  constructor(private readonly options: LivenessWatchOptions) {}

  /** Same contract as `Watch.watch`: `done` is called once, with an error or null. */
  async watch(
    path: string,
    queryParams: Record<string, unknown>,
    callback: (phase: string, object: any, watchObject?: any) => void,
    done: (error: any) => void,
  ): Promise<AbortController> {
    const { kubeConfig, connectTimeoutMs, idleTimeoutMs } = this.options;
    const controller = new AbortController();
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('No currently active cluster');
    const url = new URL(cluster.server + path);
    url.searchParams.set('watch', 'true');
    url.searchParams.set('allowWatchBookmarks', 'true');
    url.searchParams.set(
      'timeoutSeconds',
      String(this.options.serverTimeoutSeconds),
    );
    for (const [key, value] of Object.entries(queryParams ?? {})) {
      if (value !== undefined && value !== '') {
        url.searchParams.set(key, String(value));
      }
    }
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: any) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      controller.abort();
      this.options.onConnected(false);
      done(error);
    };
    const arm = (ms: number, message: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new WatchSilentError(message)), ms);
      timer.unref?.();
    };
    arm(
      connectTimeoutMs,
      `no answer within ${connectTimeoutMs} ms watching ${path}`,
    );
    try {
      // Credentials are applied per request, so a reconnecting watch sends the current token;
      // a 401 re-reads them and opens the watch once more.
      const response = await sendWithFreshCredentials(kubeConfig, init =>
        fetch(url.toString(), {
          ...init,
          method: 'GET',
          signal: controller.signal as any,
        }),
      );
      const body = response.body as NodeJS.ReadableStream;
      // Aborting a response emits an error on its body: it must have a listener.
      body.on('error', error => finish(error));
      if (finished) return controller;
      if (response.status !== 200) {
        const error: any = new Error(
          response.status === 401
            ? unauthorizedMessage(kubeConfig, `watching ${path}`)
            : `${response.status} ${response.statusText} watching ${path}`,
        );
        error.statusCode = response.status;
        body.resume();
        finish(error);
        return controller;
      }
      this.options.onConnected(true);
      this.options.onConfirmed();
      const silence = `no event or bookmark within ${idleTimeoutMs} ms watching ${path}`;
      arm(idleTimeoutMs, silence);
      body.on('end', () => {
        // A clean end is the server-side time-out: the server is alive.
        this.options.onConfirmed();
        finish(null);
      });
      body.on('close', () => finish(null));
      const lines = createInterface({ input: body as any });
      // readline re-emits the body's errors; unhandled they would crash the process.
      lines.on('error', error => finish(error));
      lines.on('line', line => {
        arm(idleTimeoutMs, silence);
        this.options.onConfirmed();
        let data: any;
        try {
          data = JSON.parse(line);
        } catch {
          return; // a torn line carries nothing to apply
        }
        if (
          this.options.transform &&
          (data.type === 'ADDED' || data.type === 'MODIFIED')
        ) {
          const kept = this.options.transform(data.object);
          if (kept) callback(data.type, kept, data);
          return;
        }
        callback(data.type, data.object, data);
      });
    } catch (error: any) {
      if (!finished) {
        finish(
          controller.signal.aborted
            ? new WatchSilentError(`watch of ${path} aborted`)
            : error,
        );
      }
    }
    return controller;
  }
}
