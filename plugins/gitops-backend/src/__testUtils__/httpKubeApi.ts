import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import {
  KindKey,
  KubeObject,
  WATCHED_KINDS,
  kindPath,
} from '../service/live/kinds';
import { FakeAuthorizer, KIND_NAMES } from './fakeKubeApi';

type WatchEvent = {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
};

/**
 * A Kubernetes API server on a real socket (127.0.0.1, plain HTTP), for what msw cannot show:
 * connections opened and left open, a server that accepts requests and never answers.
 * Serves list and watch (cluster-wide and per namespace) of the watched kinds with
 * resourceVersion resume, `timeoutSeconds`, and bookmarks when asked for.
 */
export class HttpKubeApi {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly objects = new Map<KindKey, KubeObject[]>();
  private readonly events: Array<{
    kind: KindKey;
    rv: number;
    event: WatchEvent;
  }> = [];
  private readonly watchers = new Set<{
    kind: KindKey;
    namespace?: string;
    res: http.ServerResponse;
  }>();
  private rv = 100;
  private hanging = false;
  /** Connections accepted since start. */
  connections = 0;
  readonly requests: string[] = [];
  authorizer?: FakeAuthorizer;

  get url() {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Connections open right now. */
  get openConnections() {
    return this.sockets.size;
  }

  async start() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', socket => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    return this;
  }

  async stop() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise(resolve => this.server?.close(resolve));
  }

  load(snapshot: Partial<Record<KindKey, KubeObject[]>>) {
    for (const [kind, list] of Object.entries(snapshot)) {
      this.objects.set(
        kind as KindKey,
        (list ?? []).map(o => this.stamp(structuredClone(o))),
      );
    }
  }

  /** Changes an object; open watches get the event, later ones replay it from their version. */
  apply(kind: KindKey, type: WatchEvent['type'], object: KubeObject) {
    const copy = this.stamp(structuredClone(object));
    const same = (o: KubeObject) =>
      o.metadata?.name === copy.metadata?.name &&
      o.metadata?.namespace === copy.metadata?.namespace;
    const list = (this.objects.get(kind) ?? []).filter(o => !same(o));
    if (type !== 'DELETED') list.push(copy);
    this.objects.set(kind, list);
    const event = { type, object: copy };
    this.events.push({ kind, rv: this.rv, event });
    if (this.hanging) return;
    for (const watcher of this.watchers) {
      if (watcher.kind === kind && this.inNamespace(copy, watcher.namespace)) {
        watcher.res.write(`${JSON.stringify(event)}\n`);
      }
    }
  }

  /**
   * The API server stops answering: open watch streams end, new requests are accepted and
   * never answered (as a hung API server or a dead load balancer does).
   */
  hang() {
    this.hanging = true;
    for (const watcher of this.watchers) watcher.res.end();
    this.watchers.clear();
  }

  recover() {
    this.hanging = false;
  }

  private stamp(object: KubeObject) {
    this.rv += 1;
    object.metadata = { ...object.metadata, resourceVersion: String(this.rv) };
    return object;
  }

  private inNamespace(object: KubeObject, namespace?: string) {
    return !namespace || object.metadata?.namespace === namespace;
  }

  private route(
    pathname: string,
  ): { kind: KindKey; namespace?: string } | null {
    for (const kind of Object.keys(WATCHED_KINDS) as KindKey[]) {
      if (pathname === kindPath(kind)) return { kind };
      const prefix = kindPath(kind, 'NS_HOLE').split('NS_HOLE');
      if (pathname.startsWith(prefix[0]) && pathname.endsWith(prefix[1])) {
        const namespace = pathname.slice(
          prefix[0].length,
          pathname.length - prefix[1].length,
        );
        if (namespace && !namespace.includes('/')) return { kind, namespace };
      }
    }
    return null;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.hanging) return; // accepted, never answered
    const route = this.route(url.pathname);
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound' }),
      );
      return;
    }
    const watch = url.searchParams.get('watch') === 'true';
    const verb = watch ? 'watch' : 'list';
    if (this.authorizer && !this.authorizer({ verb, ...route })) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message: `${route.kind} is forbidden: cannot ${verb} resource "${route.kind}"`,
        }),
      );
      return;
    }
    if (!watch) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: `${KIND_NAMES[route.kind].kind}List`,
          apiVersion: KIND_NAMES[route.kind].apiVersion,
          metadata: { resourceVersion: String(this.rv) },
          items: (this.objects.get(route.kind) ?? [])
            .filter(o => this.inNamespace(o, route.namespace))
            .map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
        }),
      );
      return;
    }
    const since = Number(url.searchParams.get('resourceVersion') ?? 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    for (const { kind, rv, event } of this.events) {
      if (
        kind === route.kind &&
        rv > since &&
        this.inNamespace(event.object, route.namespace)
      ) {
        res.write(`${JSON.stringify(event)}\n`);
      }
    }
    const watcher = { ...route, res };
    this.watchers.add(watcher);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer =
      timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }
}
