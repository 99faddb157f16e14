import http from 'node:http';
import { AddressInfo } from 'node:net';
import { OciClient } from './OciClient';
import { OciStore } from './OciStore';

/**
 * TESTS ONLY. An OCI registry in memory on 127.0.0.1 (a random port), serving {@link OciStore}:
 * with the referrers API by default, without it under `{ referrers: false }`.
 */
export class InMemoryOciRegistry {
  private constructor(
    private readonly server: http.Server,
    readonly store: OciStore,
    /** `127.0.0.1:<port>` */
    readonly host: string,
  ) {}

  static async start(
    options: { referrers?: boolean } = {},
  ): Promise<InMemoryOciRegistry> {
    const store = new OciStore(options);
    const server = http.createServer(ociRequestListener(store));
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = server.address() as AddressInfo;
    return new InMemoryOciRegistry(server, store, `127.0.0.1:${port}`);
  }

  get url(): string {
    return `http://${this.host}`;
  }

  /** A client of this registry. */
  client(): OciClient {
    return new OciClient(this.url);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

/** A node http listener answering the distribution API from a store (404 for anything else). */
export function ociRequestListener(store: OciStore): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://registry');
      const answer = store.handle(
        req.method ?? 'GET',
        url.pathname,
        url.search,
        Buffer.concat(chunks),
      ) ?? {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{"errors":[{"code":"NOT_FOUND"}]}'),
      };
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  };
}
