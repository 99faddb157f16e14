import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ApiFaults } from './ApiFaults';
import { DemoRegistry } from './DemoRegistry';
import { DemoTraffic } from './DemoTraffic';
import { RawGitFiles } from './RawGitFiles';
import { KindInfo, KubeObject, ObjectStore } from './ObjectStore';

/** How often open watches get a bookmark (the API server sends one about every minute). */
const BOOKMARK_MS = 30_000;

/**
 * The Kubernetes API subset the GitOps plugin uses — discovery, cluster-wide and namespaced
 * list and watch, get, and merge-patch of the watched kinds (and of the `status` subresource
 * of the kinds that have one, Argo Rollouts' Rollouts) — over plain HTTP, plus the demo
 * registry under `/v2/`, the followed repositories' files under `/git/` and the services'
 * simulated traffic (`/metrics`, `/demo/services/…/health`). Any bearer token is accepted:
 * this is a demo on localhost.
 */
export class KubeApiServer {
  private server?: http.Server;
  private readonly open = new Set<http.ServerResponse>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: DemoRegistry,
    /** Called after a PATCH, so the reconciler reacts to a sync request at once. */
    private readonly onPatch: (
      plural: string,
      object: KubeObject,
    ) => void = () => {},
    /** `/git/<repository>/raw/<branch>/<path>`, when the demo serves its repositories' files. */
    private readonly files?: RawGitFiles,
    /** `/metrics` and `/demo/services/<service>/<env>/health`, when the demo serves them. */
    private readonly traffic?: DemoTraffic,
    /** `/demo/faults`: a hang or a lost grant on purpose, when the demo offers them. */
    private readonly faults?: ApiFaults,
  ) {}

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => {
        send(res, 500, status(500, 'InternalError', String(error)));
      });
    });
    await new Promise<void>(resolve =>
      this.server!.listen(port, host, () => resolve()),
    );
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.open.forEach(res => res.end());
    await new Promise<void>(resolve =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://demo');
    const method = req.method ?? 'GET';
    const served =
      this.registry.handle(method, url.pathname) ??
      (await this.files?.handle(method, req.url ?? '/')) ??
      this.traffic?.handle(method, url);
    if (served) {
      res.writeHead(served.status, served.headers);
      res.end(served.body);
      return;
    }
    if (this.faults && url.pathname === '/demo/faults') {
      const body = method === 'PUT' ? await readBody(req) : undefined;
      const answer = this.faults.control(method, body);
      send(res, answer.status, answer.body);
      return;
    }
    if (this.faults?.hung) {
      this.faults.hold(res);
      return;
    }
    if (url.pathname === '/version') {
      send(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-demo' });
      return;
    }
    if (url.pathname === '/api' || url.pathname === '/apis') {
      send(res, 200, discovery(url.pathname, this.store.kinds));
      return;
    }
    const route = parsePath(url.pathname, this.store.kinds);
    if (!route) {
      send(
        res,
        404,
        status(
          404,
          'NotFound',
          `${url.pathname} is not served by the demo cluster`,
        ),
      );
      return;
    }
    const { kind, namespace, name, subresource } = route;
    const forbidden = this.faults?.forbidden(
      kind,
      namespace,
      verbOf(method, name, url),
    );
    if (forbidden) {
      send(res, 403, forbidden);
      return;
    }
    if (subresource && (subresource !== 'status' || !kind.statusSubresource)) {
      send(
        res,
        404,
        status(
          404,
          'NotFound',
          `${kind.plural} has no ${subresource} subresource in the demo cluster`,
        ),
      );
      return;
    }
    if (method === 'GET' && !name) {
      if (url.searchParams.get('watch') === 'true') {
        this.watch(kind, namespace, url, res);
      } else {
        const items = filter(this.store.list(kind.plural, namespace), url);
        send(res, 200, {
          apiVersion: apiVersion(kind),
          kind: `${kind.kind}List`,
          metadata: { resourceVersion: String(this.store.resourceVersion) },
          items,
        });
      }
      return;
    }
    if (!namespace || !name) {
      send(
        res,
        405,
        status(405, 'MethodNotAllowed', `${method} needs a namespaced object`),
      );
      return;
    }
    const current = this.store.get(kind.plural, namespace, name);
    if (!current) {
      send(
        res,
        404,
        status(404, 'NotFound', `${kind.plural} "${name}" not found`),
      );
      return;
    }
    if (method === 'GET') {
      send(res, 200, current);
      return;
    }
    if (method === 'PATCH') {
      const type = String(req.headers['content-type'] ?? '');
      if (!type.startsWith('application/merge-patch+json')) {
        send(
          res,
          415,
          status(
            415,
            'UnsupportedMediaType',
            `the demo cluster takes merge patches only, not ${type}`,
          ),
        );
        return;
      }
      const patch = JSON.parse(await readBody(req));
      const expected = patch?.metadata?.resourceVersion;
      if (expected && expected !== current.metadata.resourceVersion) {
        send(
          res,
          409,
          status(
            409,
            'Conflict',
            `the object has been modified; please apply your changes to the latest version`,
          ),
        );
        return;
      }
      if (patch?.metadata) delete patch.metadata.resourceVersion;
      const updated = this.store.put(
        kind.plural,
        mergePatch(current, subresourcePatch(patch, kind, subresource)),
      );
      this.onPatch(kind.plural, updated);
      send(res, 200, updated);
      return;
    }
    send(
      res,
      405,
      status(
        405,
        'MethodNotAllowed',
        `${method} is not served by the demo cluster`,
      ),
    );
  }

  private watch(
    kind: KindInfo,
    namespace: string | undefined,
    url: URL,
    res: http.ServerResponse,
  ) {
    const since = Number(
      url.searchParams.get('resourceVersion') ?? this.store.resourceVersion,
    );
    res.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    // A real API server answers a watch at once, before any event.
    res.flushHeaders();
    this.open.add(res);
    this.faults?.watching(res, kind.plural);
    // A hung API server's watches stay open and say nothing: no event, no bookmark.
    const write = (line: unknown) => {
      if (!this.faults?.hung) res.write(`${JSON.stringify(line)}\n`);
    };
    // As the API server does: end the watch after `timeoutSeconds`, and send bookmarks (its
    // heartbeat, about once a minute) to watches that ask for them.
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const ending =
      timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const bookmarks =
      url.searchParams.get('allowWatchBookmarks') === 'true'
        ? setInterval(() => {
            write({
              type: 'BOOKMARK',
              object: {
                apiVersion: apiVersion(kind),
                kind: kind.kind,
                metadata: {
                  resourceVersion: String(this.store.resourceVersion),
                },
              },
            });
          }, BOOKMARK_MS)
        : undefined;
    const subscription = this.store.watch(kind.plural, since, event => {
      if (namespace && event.object.metadata.namespace !== namespace) return;
      if (filter([event.object], url).length === 0) return;
      write({ type: event.type, object: event.object });
    });
    if (!subscription) {
      clearTimeout(ending);
      clearInterval(bookmarks);
      res.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: status(410, 'Expired', `too old resource version: ${since}`),
        })}\n`,
      );
      this.open.delete(res);
      return;
    }
    res.on('close', () => {
      clearTimeout(ending);
      clearInterval(bookmarks);
      subscription.stop();
      this.open.delete(res);
    });
  }
}

function parsePath(
  pathname: string,
  kinds: readonly KindInfo[],
):
  | { kind: KindInfo; namespace?: string; name?: string; subresource?: string }
  | undefined {
  const m =
    /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(
      pathname,
    );
  if (!m) return undefined;
  const group = m[2] ?? '';
  const version = m[1] ?? m[3];
  const kind = kinds.find(
    k => k.group === group && k.version === version && k.plural === m[5],
  );
  return kind
    ? { kind, namespace: m[4], name: m[6], subresource: m[7] }
    : undefined;
}

/**
 * What a merge patch may change: on the `status` subresource only the status, on an object
 * whose kind has one anything but the status (the API server drops the rest silently).
 */
function subresourcePatch(
  patch: any,
  kind: KindInfo,
  subresource: string | undefined,
): any {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  if (subresource === 'status') {
    return 'status' in patch ? { status: patch.status } : {};
  }
  if (!kind.statusSubresource) return patch;
  const { status: _ignored, ...rest } = patch;
  return rest;
}

/** The RBAC verb of a request, as a 403 names it. */
function verbOf(method: string, name: string | undefined, url: URL): string {
  if (method !== 'GET') return 'patch';
  if (name) return 'get';
  return url.searchParams.get('watch') === 'true' ? 'watch' : 'list';
}

function apiVersion(kind: KindInfo): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}

/** `fieldSelector=type=Warning` (events) and `labelSelector=a=b,c=d`. */
function filter(objects: KubeObject[], url: URL): KubeObject[] {
  const pairs = (value: string | null) =>
    (value ?? '')
      .split(',')
      .filter(Boolean)
      .map(p => p.split('='));
  const fields = pairs(url.searchParams.get('fieldSelector'));
  const labels = pairs(url.searchParams.get('labelSelector'));
  return objects.filter(
    o =>
      fields.every(
        ([k, v]) => String(k.split('.').reduce((x: any, p) => x?.[p], o)) === v,
      ) && labels.every(([k, v]) => o.metadata.labels?.[k] === v),
  );
}

/** RFC 7386: objects merge, `null` deletes, anything else replaces. */
export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    return patch;
  }
  const result =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...target }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function discovery(path: string, kinds: readonly KindInfo[]) {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'] };
  const groups = [
    ...new Set(kinds.filter(k => k.group).map(k => `${k.group}/${k.version}`)),
  ];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map(gv => {
      const [name, version] = gv.split('/');
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    }),
  };
}

function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message,
    reason,
    code,
  };
}

function send(res: http.ServerResponse, code: number, body: unknown) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', chunk => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
