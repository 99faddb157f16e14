import net from 'node:net';

/** A connection the proxy accepted: when, and the first line of its request once read. */
export interface ProxiedAttempt {
  at: number;
  /** `GET /apis/apps/v1/deployments?watch=true…`; undefined until the line has arrived. */
  request?: string;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a test API server, to break the way real outages do
 * what the server itself keeps answering: `refuse` closes the port (connection refused, as a
 * stopped API server), `fail` answers every request 503 (as an API server without etcd), and
 * `forward` passes bytes through. Both faults cut the connections already open.
 */
export class OutageProxy {
  private server?: net.Server;
  private port = 0;
  private mode: 'forward' | 'fail' = 'forward';
  private readonly open = new Set<net.Socket>();
  /** Every connection accepted since start. */
  readonly attempts: ProxiedAttempt[] = [];

  constructor(private readonly target: { host: string; port: number }) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    await this.listen();
    return this;
  }

  /** Closes the port: connections are refused until {@link restore}. */
  async refuse() {
    const server = this.server;
    this.server = undefined;
    this.cut();
    await new Promise(resolve => server?.close(resolve));
  }

  /** Answers every request 503 until {@link restore}. */
  fail() {
    this.mode = 'fail';
    this.cut();
  }

  /** Passes requests to the server again, on the same port. */
  async restore() {
    this.mode = 'forward';
    if (!this.server) await this.listen();
  }

  async stop() {
    this.cut();
    await new Promise(resolve =>
      this.server ? this.server.close(resolve) : resolve(undefined),
    );
  }

  /** Request lines of the accepted connections whose path starts with `prefix`, with times. */
  attemptsOf(prefix: string) {
    return this.attempts.filter(a => a.request?.startsWith(prefix));
  }

  private cut() {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  private async listen() {
    const server = net.createServer(client => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // The same port each time: a restored API server is where the clients expect it.
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  private accept(client: net.Socket) {
    const attempt: ProxiedAttempt = { at: Date.now() };
    this.attempts.push(attempt);
    this.open.add(client);
    client.on('close', () => this.open.delete(client));
    client.on('error', () => client.destroy());
    // The request head, up to its end (the body, if any, is not needed).
    let head = '';
    const readHead = (chunk: Buffer | string) => {
      if (head.includes('\r\n\r\n')) return;
      head += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
      const end = head.indexOf('\r\n');
      if (end >= 0) attempt.request ??= head.slice(0, end);
    };
    if (this.mode === 'fail') {
      client.on('data', chunk => {
        if (head.includes('\r\n\r\n')) return;
        readHead(chunk);
        if (!head.includes('\r\n\r\n')) return;
        client.end(
          'HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
        );
      });
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    this.open.add(upstream);
    upstream.on('close', () => {
      this.open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', readHead);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
