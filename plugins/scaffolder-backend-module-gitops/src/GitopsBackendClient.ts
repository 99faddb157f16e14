import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** A refusal or failure of the GitOps backend, with its HTTP status and error name. */
export class GitopsRequestError extends Error {
  readonly name = 'GitopsRequestError';

  constructor(
    message: string,
    readonly status: number,
    readonly errorName: string,
  ) {
    super(message);
  }
}

/**
 * Calls the GitOps backend's REST API on behalf of whoever runs the template: every write goes
 * through the backend's one path (permissions, conflict re-planning, records, tracker), never
 * through a second Git client here.
 */
export class GitopsBackendClient {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  async request<T>(options: {
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
    /** The template initiator's credentials (`ctx.getInitiatorCredentials()`). */
    credentials: BackstageCredentials;
    signal?: AbortSignal;
  }): Promise<T> {
    const { discovery, auth } = this.options;
    const [baseUrl, { token }] = await Promise.all([
      discovery.getBaseUrl('gitops'),
      auth.getPluginRequestToken({
        onBehalfOf: options.credentials,
        targetPluginId: 'gitops',
      }),
    ]);
    const response = await fetch(`${baseUrl}${options.path}`, {
      method: options.method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(options.body !== undefined
          ? { 'Content-Type': 'application/json' }
          : {}),
      },
      body:
        options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: options.signal,
    });
    if (!response.ok) {
      // The backend's error body names what is wrong ("… already exists; nothing was written").
      const error = await ResponseError.fromResponse(response);
      throw new GitopsRequestError(
        `${options.method} ${options.path}: ${
          error.body.error.message ?? error.message
        }`,
        response.status,
        error.body.error.name,
      );
    }
    // Parsed here rather than by `response.json()`: the scaffolder's templating refuses arrays
    // whose prototype is not its own realm's, and test runners load modules in another realm
    // than the one fetch builds its values in.
    return JSON.parse(await response.text()) as T;
  }
}

/** `kind:namespace/name` → the backend's `/entities/:namespace/:kind/:name` path. */
export function entityPath(entityRef: {
  kind: string;
  namespace: string;
  name: string;
}): string {
  return `/entities/${encodeURIComponent(
    entityRef.namespace,
  )}/${encodeURIComponent(
    entityRef.kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(entityRef.name)}`;
}
