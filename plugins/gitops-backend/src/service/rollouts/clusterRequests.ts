import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import {
  ClusterCredentialsError,
  sendWithFreshCredentials,
  unauthorizedMessage,
} from '../live/clusterCredentials';
import { KubeObject } from '../live/kinds';

export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const JSON_BODY = 'application/json';

/** The RBAC rule a request needs, named when the cluster answers 403. */
export interface ClusterGrant {
  verb: 'get' | 'patch' | 'create';
  /** With its subresource: `rollouts/status`, `services/proxy`. */
  resource: string;
  /** The API group; `''` for the core group. */
  group: string;
  namespace: string;
}

/** One request to a cluster's API server, as a rollout action sends it (and a dry run shows it). */
export interface ClusterRequest {
  method: 'GET' | 'PATCH' | 'POST';
  path: string;
  contentType?: string;
  body?: Record<string, unknown>;
  /** What the request reads or writes, as messages name it: `Rollout shop/checkout`. */
  object: string;
  grant: ClusterGrant;
  /**
   * Sent instead of this request and every later one when this one answers 404: Argo Rollouts
   * before v0.10 has no status subresource, so its CLI then patches the main resource.
   */
  ifNotFound?: ClusterRequest[];
}

/** A request as a dry-run answer lists it: no RBAC or message details. */
export interface PlannedRequest {
  method: string;
  path: string;
  contentType: string | null;
  body: Record<string, unknown> | null;
  ifNotFound?: PlannedRequest[];
}

/** The cluster failed or answered what maps to no `@backstage/errors` type (502, or 504 when slow). */
export class ClusterRequestError extends Error {
  readonly name = 'ClusterRequestError';
  constructor(
    message: string,
    readonly status?: number,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

export function planned(request: ClusterRequest): PlannedRequest {
  return {
    method: request.method,
    path: request.path,
    contentType: request.contentType ?? null,
    body: request.body ?? null,
    ...(request.ifNotFound
      ? { ifNotFound: request.ifNotFound.map(planned) }
      : {}),
  };
}

const VERBS = { GET: 'read', PATCH: 'patch', POST: 'call' } as const;

/**
 * One cluster's API server for the rollout actions: each request goes as built (the exact
 * content type and JSON body the controllers' own CLIs send), with the cluster's answers
 * turned into `@backstage/errors`. Messages name the object and the cluster's own reason,
 * never URLs or headers.
 */
export class ClusterRequests {
  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly options: { timeoutMs: number; signal?: AbortSignal },
  ) {}

  async read(request: ClusterRequest): Promise<KubeObject> {
    const text = await this.send(request);
    try {
      return JSON.parse(text) as KubeObject;
    } catch {
      throw new ClusterRequestError(
        `the cluster's answer to the read of ${request.object} is not JSON`,
      );
    }
  }

  /** Sends the requests in order; a 404 with a fallback switches to the fallback's requests. */
  async sendAll(requests: ClusterRequest[]): Promise<void> {
    let queue = requests;
    let next = 0;
    while (next < queue.length) {
      const request = queue[next];
      try {
        await this.send(request);
        next++;
      } catch (error) {
        if (!(error instanceof NotFoundError) || !request.ifNotFound) {
          throw error;
        }
        queue = request.ifNotFound;
        next = 0;
      }
    }
  }

  private async send(request: ClusterRequest): Promise<string> {
    const { signal, timeoutMs } = this.options;
    signal?.throwIfAborted();
    const server = this.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new ClusterRequestError('the cluster has no server');
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      // A 401 re-reads the credentials (a rotated token) and sends the request once more.
      const response = await sendWithFreshCredentials(this.kubeConfig, init => {
        // A Headers object (credentials), which a spread would lose.
        const headers: Record<string, string> = {};
        init.headers?.forEach((value: string, key: string) => {
          headers[key] = value;
        });
        headers.Accept = 'application/json';
        if (request.contentType) headers['Content-Type'] = request.contentType;
        return fetch(server.replace(/\/+$/, '') + request.path, {
          ...init,
          method: request.method,
          headers,
          body: request.body ? JSON.stringify(request.body) : undefined,
          signal: (signal
            ? AbortSignal.any([signal, timeout])
            : timeout) as any,
        });
      });
      const text = await response.text();
      if (response.ok) return text;
      throw this.refusal(request, response.status, text);
    } catch (error) {
      throw this.translate(request, error);
    }
  }

  private refusal(request: ClusterRequest, status: number, body: string) {
    const { object, grant } = request;
    const verb = VERBS[request.method];
    if (status === 404)
      return new NotFoundError(`${object} not found in the cluster`);
    if (status === 401) {
      return new ClusterRequestError(
        unauthorizedMessage(this.kubeConfig, `to the ${verb} of ${object}`),
        status,
      );
    }
    if (status === 403) {
      const rule = `${grant.verb} on ${grant.resource}${
        grant.group ? ` (${grant.group})` : ''
      } in namespace ${grant.namespace}`;
      return new NotAllowedError(
        `the backend's cluster credentials may not ${verb} ${object}: grant ${rule} to its service account (see examples/rbac)`,
      );
    }
    if (status === 409) {
      return new ConflictError(
        `${object} changed while the request was made; try again`,
      );
    }
    return new ClusterRequestError(
      `the cluster answered ${status} to the ${verb} of ${object}${statusMessage(
        body,
      )}`,
      status,
    );
  }

  private translate(request: ClusterRequest, error: unknown): unknown {
    const { signal, timeoutMs } = this.options;
    // The caller's reason, as `signal.throwIfAborted()` would throw it.
    if (signal?.aborted) return signal.reason ?? error;
    if (
      error instanceof NotFoundError ||
      error instanceof NotAllowedError ||
      error instanceof ConflictError ||
      error instanceof ClusterRequestError
    ) {
      return error;
    }
    if (error instanceof ClusterCredentialsError) {
      return new ClusterRequestError(error.message);
    }
    const verb = VERBS[request.method];
    if ((error as { name?: unknown })?.name === 'AbortError') {
      return new ClusterRequestError(
        `the cluster's API server did not answer the ${verb} of ${
          request.object
        } within ${timeoutMs / 1000} s`,
        undefined,
        true,
      );
    }
    const code = (error as { code?: unknown })?.code;
    return new ClusterRequestError(
      `could not ${verb} ${
        request.object
      }: the cluster's API server did not answer${
        typeof code === 'string' ? ` (${code})` : ''
      }`,
    );
  }
}

/** The `message` of a Kubernetes Status body, short. */
function statusMessage(body: string): string {
  let message: unknown;
  try {
    message = JSON.parse(body)?.message;
  } catch {
    // Not a Status (e.g. a proxy's HTML page or a load tester's text): nothing worth repeating.
  }
  if (typeof message !== 'string' || !message) return '';
  return `: ${message.length > 300 ? `${message.slice(0, 300)}…` : message}`;
}

/** `/apis/<group>/<version>/namespaces/<ns>/<plural>/<name>` of a namespaced object. */
export function objectPath(object: KubeObject, plural: string): string {
  const apiVersion = String(object.apiVersion ?? '');
  const base = apiVersion.includes('/')
    ? `/apis/${apiVersion}`
    : `/api/${apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(
    String(object.metadata?.namespace),
  )}/${plural}/${encodeURIComponent(String(object.metadata?.name))}`;
}

/** `Kind namespace/name`, as messages name an object. */
export function objectLabel(object: KubeObject): string {
  return `${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`;
}

/** Go's `time.RFC3339` of a UTC time, as the controllers' CLIs write it: seconds, `Z`. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
