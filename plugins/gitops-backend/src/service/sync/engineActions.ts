import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ApiException,
  ConfigurationOptions,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  ObservableMiddleware,
  PatchStrategy,
  setHeaderMiddleware,
} from '@kubernetes/client-node';
import {
  ClusterCredentialsError,
  refreshCredentials,
  unauthorizedMessage,
} from '../live/clusterCredentials';

/** What a user may ask a GitOps engine to do with one of its objects. */
export type EngineAction =
  | 'refresh'
  | 'sync'
  | 'reconcile'
  | 'suspend'
  | 'resume';

/** The engine object to act on, as the live state names it. */
export interface EngineObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** The error for a cluster answer that maps to no `@backstage/errors` type; `status` is the API server's. */
export class EngineActionError extends Error {
  readonly name = 'EngineActionError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

// Keyed by kind, but the group is checked too: `Kustomization` is also the name of the
// kustomize.config.k8s.io file type, which no controller acts on.
const ENGINE_KINDS = new Map<
  string,
  { group: string; plural: string; actions: EngineAction[] }
>([
  [
    'Application',
    {
      group: 'argoproj.io',
      plural: 'applications',
      actions: ['refresh', 'sync'],
    },
  ],
  [
    'Kustomization',
    {
      group: 'kustomize.toolkit.fluxcd.io',
      plural: 'kustomizations',
      actions: ['reconcile', 'suspend', 'resume'],
    },
  ],
  [
    'HelmRelease',
    {
      group: 'helm.toolkit.fluxcd.io',
      plural: 'helmreleases',
      actions: ['reconcile', 'suspend', 'resume'],
    },
  ],
]);

const ARGO_REFRESH = 'argocd.argoproj.io/refresh';
const FLUX_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
// Names this plugin in managedFields, so `kubectl get -o yaml` shows who set suspend or the annotations.
const FIELD_MANAGER = 'backstage-gitops';
// Phases of an Argo CD operation that has not completed (Succeeded, Failed and Error have).
const ARGO_BUSY_PHASES = new Set(['Running', 'Terminating']);
// The sync patch carries the resourceVersion it was decided on; the controller rewrites the
// Application often, so a stale one is retried from a fresh read a few times.
const SYNC_ATTEMPTS = 3;

/** One engine object's endpoint, with the cluster's answers turned into `@backstage/errors`. */
class EngineRequest {
  private readonly api: CustomObjectsApi;
  private readonly target: {
    group: string;
    version: string;
    namespace: string;
    plural: string;
    name: string;
  };

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly object: EngineObjectRef,
    resource: { group: string; version: string; plural: string },
    private readonly signal?: AbortSignal,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
    this.target = {
      ...resource,
      namespace: object.namespace,
      name: object.name,
    };
  }

  async read(): Promise<Record<string, any> | undefined> {
    return this.call('read', () =>
      this.api.getNamespacedCustomObject(this.target, this.options()),
    );
  }

  async patch(body: Record<string, unknown>): Promise<void> {
    // The generated client would send application/json-patch+json (the first type the API
    // lists), which expects an array of operations; the header middleware overrides it.
    await this.call('patch', () =>
      this.api.patchNamespacedCustomObject(
        { ...this.target, body, fieldManager: FIELD_MANAGER },
        this.options(
          setHeaderMiddleware('Content-Type', PatchStrategy.MergePatch),
        ),
      ),
    );
  }

  private options(...extra: ObservableMiddleware[]): ConfigurationOptions {
    const middleware = [...extra];
    const signal = this.signal;
    if (signal) {
      middleware.push({
        pre: context => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: response => new Observable(Promise.resolve(response)),
      });
    }
    // Appended, so the client's own middleware (none today) still runs.
    return { middleware, middlewareMergeStrategy: 'append' };
  }

  private async call<T>(
    verb: 'read' | 'patch',
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      try {
        return await send();
      } catch (error) {
        // A 401 re-reads the credentials (a rotated token) and sends the request once more.
        if (!(error instanceof ApiException) || error.code !== 401) throw error;
        if (!(await refreshCredentials(this.kubeConfig))) throw error;
        return await send();
      }
    } catch (error) {
      throw this.translate(verb, error);
    }
  }

  // Messages name the object and the cluster's own reason, never the request: the
  // client's errors carry headers and URLs that have no place in a response to a user.
  private translate(verb: 'read' | 'patch', error: unknown): unknown {
    const { kind, namespace, name } = this.object;
    const label = `${kind} ${namespace}/${name}`;
    // The caller's reason, as `signal.throwIfAborted()` would throw it before a request.
    if (this.signal?.aborted) return this.signal.reason ?? error;
    if (error instanceof ClusterCredentialsError) {
      return new EngineActionError(error.message);
    }
    if (!(error instanceof ApiException)) {
      const code = (error as { code?: unknown })?.code;
      return new EngineActionError(
        `could not ${verb} ${label}: the cluster's API server did not answer${
          typeof code === 'string' ? ` (${code})` : ''
        }`,
      );
    }
    const status = error.code;
    if (status === 401) {
      return new EngineActionError(
        unauthorizedMessage(this.kubeConfig, `to the ${verb} of ${label}`),
        status,
      );
    }
    if (status === 404) {
      return new NotFoundError(`${label} not found in the cluster`);
    }
    if (status === 403) {
      return new NotAllowedError(
        `the backend's cluster credentials may not ${
          verb === 'read' ? 'get' : 'patch'
        } ${kind} (${this.target.plural}.${
          this.target.group
        }) in namespace ${namespace}`,
      );
    }
    if (status === 409) {
      return new ConflictError(
        `${label} changed while the request was made; try again`,
      );
    }
    return new EngineActionError(
      `the cluster answered ${status} to the ${verb} of ${label}${statusMessage(
        error.body,
      )}`,
      status,
    );
  }
}

/** The actions the engine behind a kind understands; none for kinds of no engine. */
export function supportedActions(kind: string): EngineAction[] {
  return [...(ENGINE_KINDS.get(kind)?.actions ?? [])];
}

/**
 * Asks the engine that owns `object` to act, the way its own CLI does: Argo CD through the
 * refresh annotation or `.operation`, Flux through `reconcile.fluxcd.io/requestedAt` and
 * `spec.suspend`. Every write is a JSON merge patch of only the fields the action owns.
 */
export async function applyEngineAction(options: {
  kubeConfig: KubeConfig;
  object: EngineObjectRef;
  action: EngineAction;
  /** Who asked; Argo CD shows it as the operation's initiator. */
  actor: string;
  now?: () => Date;
  signal?: AbortSignal;
}): Promise<void> {
  const { kubeConfig, object, action, actor, signal } = options;
  const now = options.now ?? (() => new Date());
  const engine = ENGINE_KINDS.get(object.kind);
  const slash = object.apiVersion.indexOf('/');
  const group = object.apiVersion.slice(0, slash);
  const version = object.apiVersion.slice(slash + 1);
  if (!engine || slash < 0 || group !== engine.group || !version) {
    throw new InputError(
      `${object.apiVersion} ${
        object.kind
      } is not an object of a GitOps engine; actions apply to ${[
        ...ENGINE_KINDS.keys(),
      ].join(', ')}`,
    );
  }
  if (!engine.actions.includes(action)) {
    throw new InputError(
      `${object.kind} supports ${engine.actions.join(', ')}, not ${action}`,
    );
  }
  if (!object.name || !object.namespace) {
    throw new InputError(`${object.kind} needs a name and a namespace`);
  }
  if (action === 'sync' && !actor.trim()) {
    throw new InputError('a sync needs the user who asked for it');
  }
  signal?.throwIfAborted();

  const request = new EngineRequest(
    kubeConfig,
    object,
    { group, version, plural: engine.plural },
    signal,
  );
  switch (action) {
    case 'refresh':
      // A normal refresh compares again with Git; the controller removes the annotation when done.
      return request.patch({
        metadata: { annotations: { [ARGO_REFRESH]: 'normal' } },
      });
    case 'sync':
      return requestArgoSync(request, object, actor);
    case 'reconcile':
      return request.patch({
        metadata: { annotations: { [FLUX_REQUESTED_AT]: now().toISOString() } },
      });
    case 'suspend':
      return request.patch({ spec: { suspend: true } });
    case 'resume':
      // A new requestedAt makes the controller reconcile now instead of at the next interval.
      return request.patch({
        metadata: { annotations: { [FLUX_REQUESTED_AT]: now().toISOString() } },
        spec: { suspend: false },
      });
    default:
      throw new InputError(`unknown action ${action}`);
  }
}

/**
 * Sets `.operation` the way the Argo CD API server does for `argocd app sync`: refused while
 * another operation is pending or running, with the Application's own sync options and retry
 * strategy, and written only over the resourceVersion it was decided on.
 */
async function requestArgoSync(
  request: EngineRequest,
  object: EngineObjectRef,
  actor: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const app = await request.read();
    const label = `Application ${object.namespace}/${object.name}`;
    if (app?.metadata?.deletionTimestamp) {
      throw new ConflictError(`${label} is being deleted`);
    }
    // Argo CD refuses on a set `.operation` alone (the controller has not picked it up yet);
    // a running phase is checked too, for an operation whose `.operation` was already cleared.
    const state = app?.status?.operationState;
    const running = ARGO_BUSY_PHASES.has(state?.phase);
    if (running || app?.operation) {
      const by = (running ? state?.operation : app?.operation)?.initiatedBy
        ?.username;
      throw new ConflictError(
        `${label} already has an operation ${
          running ? String(state.phase).toLowerCase() : 'waiting'
        }${by ? ` (started by ${by})` : ''}; sync again when it has finished`,
      );
    }
    const syncPolicy = app?.spec?.syncPolicy ?? {};
    const resourceVersion = app?.metadata?.resourceVersion;
    try {
      return await request.patch({
        ...(resourceVersion ? { metadata: { resourceVersion } } : {}),
        operation: {
          initiatedBy: { username: actor },
          sync: {
            syncStrategy: { hook: {} },
            ...(syncPolicy.syncOptions
              ? { syncOptions: syncPolicy.syncOptions }
              : {}),
          },
          ...(syncPolicy.retry ? { retry: syncPolicy.retry } : {}),
        },
      });
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= SYNC_ATTEMPTS)
        throw error;
    }
  }
}

/** The `message` of a Kubernetes Status body, short. */
function statusMessage(body: unknown): string {
  let message: unknown;
  try {
    message = typeof body === 'string' ? JSON.parse(body)?.message : undefined;
  } catch {
    // Not a Status (e.g. a proxy's HTML page): its text says nothing worth repeating.
  }
  if (typeof message !== 'string' || !message) return '';
  return `: ${message.length > 300 ? `${message.slice(0, 300)}…` : message}`;
}
