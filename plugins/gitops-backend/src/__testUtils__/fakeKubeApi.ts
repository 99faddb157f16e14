import { http, HttpResponse, passthrough } from 'msw';
import {
  KindKey,
  KubeObject,
  WATCHED_KINDS,
  kindPath,
} from '../service/live/kinds';

type Mode = 'serve' | 'absent' | 'fail' | 'hang' | 'forbidden';

/** Decides whether a request is allowed (RBAC), by verb, kind and namespace (none: cluster-wide). */
export type FakeAuthorizer = (request: {
  verb: 'list' | 'watch';
  kind: KindKey;
  namespace?: string;
}) => boolean;

export const KIND_NAMES: Record<KindKey, { apiVersion: string; kind: string }> =
  {
    deployments: { apiVersion: 'apps/v1', kind: 'Deployment' },
    pods: { apiVersion: 'v1', kind: 'Pod' },
    horizontalpodautoscalers: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
    },
    persistentvolumeclaims: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
    events: { apiVersion: 'v1', kind: 'Event' },
    applications: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' },
    kustomizations: {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
    },
    helmreleases: {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
    },
    gitrepositories: {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
    },
    ocirepositories: {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
    },
    imagerepositories: {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageRepository',
    },
    imagepolicies: {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImagePolicy',
    },
    imageupdateautomations: {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageUpdateAutomation',
    },
    imageupdaters: {
      apiVersion: 'argocd-image-updater.argoproj.io/v1alpha1',
      kind: 'ImageUpdater',
    },
    vulnerabilityreports: {
      apiVersion: 'aquasecurity.github.io/v1alpha1',
      kind: 'VulnerabilityReport',
    },
    policyreports: {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
    },
    rollouts: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' },
    analysisruns: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun' },
    canaries: { apiVersion: 'flagger.app/v1beta1', kind: 'Canary' },
  };

/**
 * A Kubernetes API server for msw: list and streaming watch (JSON lines) of every watched kind,
 * the way the real one answers `@kubernetes/client-node` informers. Counts list and watch calls.
 */
export class FakeKubeApi {
  readonly lists = new Map<string, number>();
  readonly watches = new Map<string, number>();
  readonly authorizations = new Set<string | null>();
  private objects = new Map<KindKey, KubeObject[]>();
  private streams = new Map<
    KindKey,
    Set<ReadableStreamDefaultController<Uint8Array>>
  >();
  private modes = new Map<KindKey, Mode>();
  private resourceVersion = 1000;
  /** Requests answered 403 by the authorizer, as `verb kind namespace`. */
  readonly denied: string[] = [];
  authorizer?: FakeAuthorizer;
  /** `limit` of each list request of a kind, in order (undefined: all at once). */
  readonly listLimits = new Map<KindKey, Array<number | undefined>>();
  /** Answer a list's next page (`continue`) 410 Expired, as after an etcd compaction. */
  expireContinueTokens = false;

  constructor(
    readonly server: string,
    private readonly defaultMode: Mode = 'serve',
  ) {}

  /** Replaces the objects of a kind (served by the next list). */
  set(kind: KindKey, objects: KubeObject[]) {
    this.objects.set(
      kind,
      objects.map(o => structuredClone(o)),
    );
  }

  /** Loads a whole snapshot (fixtures' shape). */
  load(snapshot: Partial<Record<KindKey, KubeObject[]>>) {
    for (const [kind, objects] of Object.entries(snapshot))
      this.set(kind as KindKey, objects ?? []);
  }

  /** A copy of the objects of a kind, to change and `emit`. */
  list(kind: KindKey): KubeObject[] {
    return structuredClone(this.objects.get(kind) ?? []);
  }

  mode(kind: KindKey, mode: Mode) {
    this.modes.set(kind, mode);
  }

  /** Sends a watch event to every open watch of the kind and updates the listed state. */
  emit(
    kind: KindKey,
    type: 'ADDED' | 'MODIFIED' | 'DELETED',
    object: KubeObject,
  ) {
    const copy: Record<string, any> = structuredClone(object);
    copy.metadata = {
      ...copy.metadata,
      resourceVersion: String(++this.resourceVersion),
    };
    const list = (this.objects.get(kind) ?? []).filter(
      o =>
        !(
          o.metadata?.name === copy.metadata.name &&
          o.metadata?.namespace === copy.metadata.namespace
        ),
    );
    if (type !== 'DELETED') list.push(copy);
    this.objects.set(kind, list);
    const line = new TextEncoder().encode(
      `${JSON.stringify({ type, object: copy })}\n`,
    );
    this.streams.get(kind)?.forEach(stream => {
      const watched = (stream as any).namespace as string | undefined;
      if (!watched || watched === copy.metadata.namespace) stream.enqueue(line);
    });
  }

  /** Sends a BOOKMARK (the API server's heartbeat) to every open watch. */
  bookmark() {
    this.streams.forEach((set, kind) =>
      set.forEach(stream => stream.enqueue(this.bookmarkLine(kind))),
    );
  }

  private bookmarkLine(kind: KindKey) {
    const { apiVersion, kind: kindName } = KIND_NAMES[kind];
    return new TextEncoder().encode(
      `${JSON.stringify({
        type: 'BOOKMARK',
        object: {
          apiVersion,
          kind: kindName,
          metadata: { resourceVersion: String(this.resourceVersion) },
        },
      })}\n`,
    );
  }

  /** Ends every open watch stream (as the API server does on its watch time-out). */
  closeWatches() {
    this.streams.forEach(set => set.forEach(stream => stream.close()));
    this.streams.clear();
  }

  totalLists() {
    return [...this.lists.values()].reduce((a, b) => a + b, 0);
  }

  handlers() {
    return (Object.keys(WATCHED_KINDS) as KindKey[]).flatMap(kind => [
      http.get(`${this.server}${kindPath(kind)}`, ({ request }) =>
        this.answer(kind, undefined, request),
      ),
      http.get(
        `${this.server}${kindPath(kind, 'NS').replace(
          /\/NS\//,
          '/:namespace/',
        )}`,
        ({ request, params }) =>
          this.answer(kind, String(params.namespace), request),
      ),
    ]);
  }

  private async answer(
    kind: KindKey,
    namespace: string | undefined,
    request: Request,
  ) {
    const url = new URL(request.url);
    const watch = url.searchParams.get('watch') === 'true';
    const counter = watch ? this.watches : this.lists;
    counter.set(kind, (counter.get(kind) ?? 0) + 1);
    this.authorizations.add(request.headers.get('authorization'));
    const mode = this.modes.get(kind) ?? this.defaultMode;
    const verb = watch ? 'watch' : 'list';
    if (
      mode === 'forbidden' ||
      (this.authorizer && !this.authorizer({ verb, kind, namespace }))
    ) {
      this.denied.push(`${verb} ${kind} ${namespace ?? '(all)'}`);
      const group = WATCHED_KINDS[kind].group;
      const scope = namespace
        ? `in the namespace "${namespace}"`
        : 'at the cluster scope';
      return HttpResponse.json(
        {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: `${kind}${
            group ? `.${group}` : ''
          } is forbidden: User "system:serviceaccount:backstage:backstage-gitops" cannot ${verb} resource "${kind}" in API group "${group}" ${scope}`,
          reason: 'Forbidden',
          details: { kind, group },
          code: 403,
        },
        { status: 403 },
      );
    }
    if (mode === 'absent') {
      return HttpResponse.json(
        { kind: 'Status', code: 404, reason: 'NotFound' },
        { status: 404 },
      );
    }
    if (mode === 'fail') {
      return HttpResponse.json(
        {
          kind: 'Status',
          code: 500,
          message: 'etcdserver: request timed out',
        },
        { status: 500 },
      );
    }
    if (mode === 'hang') {
      await new Promise(resolve =>
        request.signal.addEventListener('abort', resolve),
      );
      return passthrough();
    }
    if (watch) {
      const stream = new ReadableStream<Uint8Array>({
        start: controller => {
          const set = this.streams.get(kind) ?? new Set();
          set.add(controller);
          this.streams.set(kind, set);
          (controller as any).namespace = namespace;
          // The API server sends bookmarks to watches that allow them (the heartbeat); one
          // right away also makes the response start, as a real server's headers do.
          if (url.searchParams.get('allowWatchBookmarks') === 'true') {
            controller.enqueue(this.bookmarkLine(kind));
          }
        },
        cancel: () => {},
      });
      return new HttpResponse(stream, {
        headers: { 'content-type': 'application/json' },
      });
    }
    const model = KIND_NAMES[kind];
    const items = (this.objects.get(kind) ?? []).filter(
      o => !namespace || o.metadata?.namespace === namespace,
    );
    // Pages as the API server serves them: `limit` items and a `continue` token for the rest.
    const limit = Number(url.searchParams.get('limit')) || undefined;
    const token = url.searchParams.get('continue');
    this.listLimits.set(kind, [...(this.listLimits.get(kind) ?? []), limit]);
    if (token && this.expireContinueTokens) {
      return HttpResponse.json(
        {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message:
            'The provided continue parameter is too old to display a consistent list result.',
          reason: 'Expired',
          code: 410,
        },
        { status: 410 },
      );
    }
    const offset = Number(token ?? 0);
    const end = limit ? offset + limit : items.length;
    return HttpResponse.json({
      apiVersion: model.apiVersion,
      kind: `${model.kind}List`,
      metadata: {
        resourceVersion: String(this.resourceVersion),
        ...(end < items.length ? { continue: String(end) } : {}),
      },
      // Real list items carry no apiVersion/kind.
      items: items
        .slice(offset, end)
        .map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    });
  }
}
