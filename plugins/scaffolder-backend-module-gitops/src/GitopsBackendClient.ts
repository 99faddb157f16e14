import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';

/**
 * Calls the GitOps backend's REST API on behalf of whoever runs the template: every write goes
 * through the backend's one path (permissions, conflict re-planning, records, tracker), never
 * through a second Git client here.
 *
 * @public
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
      throw errorFor(
        response.status,
        `${options.method} ${options.path}: ${
          error.body.error.message ?? error.message
        }`,
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

/**
 * The backend's refusal as the same kind of Backstage error, so the scaffolder (and a dry run's
 * answer) keeps its meaning: bad input, not allowed, not found, conflict.
 */
function errorFor(status: number, message: string): Error {
  switch (status) {
    case 400:
      return new InputError(message);
    case 403:
      return new NotAllowedError(message);
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    default:
      return new Error(message);
  }
}
