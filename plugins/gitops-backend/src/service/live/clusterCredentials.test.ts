import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ClusterRequestError,
  ClusterRequests,
} from '../rollouts/clusterRequests';
import { EngineActionError, applyEngineAction } from '../sync/engineActions';
import { readClusters } from './clusterConfig';
import { ClusterWatch } from './ClusterWatch';
import { WATCHED_KINDS } from './kinds';
import { LivenessWatch } from './LivenessWatch';
import { listKind } from './listKind';

/**
 * An API server on 127.0.0.1 that records the Authorization header of every request and
 * answers 401 to the tokens it is told to refuse: lists, watches (opened and ended at once),
 * reads and patches of one object.
 */
class RecordingApiServer {
  readonly seen: Array<{
    method: string;
    path: string;
    auth: string;
    watch: boolean;
  }> = [];
  readonly refused = new Set<string>();
  refuseAll = false;
  /** Watches stay open (an informer's steady state) instead of ending at once. */
  holdWatches = false;
  openWatches = 0;
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const auth = String(req.headers.authorization ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      this.seen.push({
        method: req.method ?? '',
        path: url.pathname,
        auth,
        watch: url.searchParams.get('watch') === 'true',
      });
      req.resume();
      req.on('end', () => this.answer(auth, url, res));
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  private answer(auth: string, url: URL, res: http.ServerResponse) {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.refuseAll || this.refused.has(auth.replace(/^Bearer /, ''))) {
      json(401, { kind: 'Status', code: 401, message: 'Unauthorized' });
    } else if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (!this.holdWatches) {
        res.end(); // the server-side time-out, at once
        return;
      }
      res.flushHeaders();
      this.openWatches += 1;
      res.on('close', () => {
        this.openWatches -= 1;
      });
    } else if (url.pathname === '/api/v1/pods' || this.holdWatches) {
      json(200, {
        apiVersion: 'v1',
        kind: 'PodList',
        metadata: { resourceVersion: '7' },
        items: [],
      });
    } else {
      json(200, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'shop-dev', namespace: 'argocd' },
      });
    }
  }

  /** Ends every open connection, as an API server restart or a load balancer does. */
  dropConnections() {
    this.server?.closeAllConnections();
  }

  tokens() {
    return this.seen.map(r => r.auth.replace(/^Bearer /, ''));
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise(resolve => this.server?.close(resolve));
  }
}

async function eventually(check: () => void, timeoutMs = 5000) {
  const started = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }
}

describe('cluster credentials that rotate', () => {
  let api: RecordingApiServer;
  let url: string;
  let dir: string;

  beforeEach(async () => {
    api = new RecordingApiServer();
    url = await api.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-token-'));
  });
  afterEach(async () => {
    await api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function cluster(fields: Record<string, unknown>) {
    const [read] = readClusters(
      new ConfigReader({
        gitops: {
          clusters: [{ name: 'prod-eu', url, skipTLSVerify: true, ...fields }],
        },
      }),
    );
    return read;
  }

  const list = (kubeConfig: any) =>
    listKind({ kubeConfig, kind: 'pods', timeoutMs: 5000 });
  const watchOnce = (kubeConfig: any) =>
    new Promise<unknown>(resolve => {
      void new LivenessWatch({
        kubeConfig,
        connectTimeoutMs: 5000,
        serverTimeoutSeconds: 5,
        idleTimeoutMs: 10_000,
        onConfirmed: () => {},
        onConnected: () => {},
      }).watch('/api/v1/pods', {}, () => {}, resolve);
    });
  const readObject = (kubeConfig: any) =>
    new ClusterRequests(kubeConfig, { timeoutMs: 5000 }).read({
      method: 'GET',
      path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop-dev',
      object: 'Application argocd/shop-dev',
      grant: {
        verb: 'get',
        resource: 'applications',
        group: 'argoproj.io',
        namespace: 'argocd',
      },
    });
  const refreshApp = (kubeConfig: any) =>
    applyEngineAction({
      kubeConfig,
      object: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        name: 'shop-dev',
        namespace: 'argocd',
      },
      action: 'refresh',
      actor: 'user:default/jane',
    });

  /** Rewrites the file in place with the same size and mtime: a stat cannot see the change. */
  function rewriteUnseen(file: string, token: string) {
    fs.writeFileSync(file, `${token}\n`);
    fs.utimesSync(file, 1_000_000, 1_000_000);
  }

  it('sends the new token on every kind of request once the token file changes', async () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'token-one\n');
    const { kubeConfig, authProvider } = cluster({
      serviceAccountTokenFile: file,
    });
    expect(authProvider).toBe('serviceAccount');

    await list(kubeConfig);
    fs.writeFileSync(file, 'token-two-rotated\n');
    await list(kubeConfig);
    await watchOnce(kubeConfig);
    // The kubelet's way: a new file renamed over the old one.
    fs.writeFileSync(path.join(dir, 'next'), 'token-three\n');
    fs.renameSync(path.join(dir, 'next'), file);
    await watchOnce(kubeConfig);
    await readObject(kubeConfig);
    fs.writeFileSync(file, 'token-four-rotated-again');
    await refreshApp(kubeConfig);

    expect(api.seen.map(r => [r.method, r.path, r.auth])).toEqual([
      ['GET', '/api/v1/pods', 'Bearer token-one'],
      ['GET', '/api/v1/pods', 'Bearer token-two-rotated'],
      ['GET', '/api/v1/pods', 'Bearer token-two-rotated'],
      ['GET', '/api/v1/pods', 'Bearer token-three'],
      [
        'GET',
        '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop-dev',
        'Bearer token-three',
      ],
      [
        'PATCH',
        '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop-dev',
        'Bearer token-four-rotated-again',
      ],
    ]);
  });

  it('re-reads the token file after a 401 and retries once, for lists, watches and actions', async () => {
    const file = path.join(dir, 'token');
    rewriteUnseen(file, 'token-aaaa');
    const { kubeConfig } = cluster({ serviceAccountTokenFile: file });
    await list(kubeConfig);
    // The file changes where a stat cannot tell; the server now refuses the old token.
    rewriteUnseen(file, 'token-bbbb');
    api.refused.add('token-aaaa');
    await list(kubeConfig);
    expect(api.tokens()).toEqual(['token-aaaa', 'token-aaaa', 'token-bbbb']);

    for (const [send, next] of [
      [watchOnce, 'token-cccc'],
      [readObject, 'token-dddd'],
      [refreshApp, 'token-eeee'],
    ] as const) {
      api.seen.length = 0;
      const old = fs.readFileSync(file, 'utf8').trim();
      rewriteUnseen(file, next);
      api.refused.add(old);
      await expect(send(kubeConfig)).resolves.not.toBeInstanceOf(Error);
      expect(api.tokens()).toEqual([old, next]);
    }
  });

  it('fails cleanly, naming the cluster, when the re-read credentials are refused too', async () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'revoked');
    const { kubeConfig } = cluster({ serviceAccountTokenFile: file });
    api.refuseAll = true;

    await expect(list(kubeConfig)).rejects.toMatchObject({
      statusCode: 401,
      message: expect.stringContaining(
        "cluster prod-eu refused the backend's credentials (401) listing /api/v1/pods",
      ),
    });
    expect(api.seen).toHaveLength(2);

    api.seen.length = 0;
    const watchError: any = await watchOnce(kubeConfig);
    expect(watchError.statusCode).toBe(401);
    expect(watchError.message).toContain('cluster prod-eu refused');
    expect(api.seen).toHaveLength(2);

    api.seen.length = 0;
    const readError = await readObject(kubeConfig).catch(e => e);
    expect(readError).toBeInstanceOf(ClusterRequestError);
    expect(readError.message).toContain(
      "cluster prod-eu refused the backend's credentials (401) to the read of Application argocd/shop-dev",
    );
    expect(api.seen).toHaveLength(2);

    api.seen.length = 0;
    const actionError = await refreshApp(kubeConfig).catch(e => e);
    expect(actionError).toBeInstanceOf(EngineActionError);
    expect(actionError.message).toContain(
      'cluster prod-eu refused the backend',
    );
    expect(api.seen).toHaveLength(2);
    // No credential in any message.
    for (const error of [watchError, readError, actionError]) {
      expect(error.message).not.toContain('revoked');
    }
  });

  it('names the cluster and the file when the token file is missing', async () => {
    const { kubeConfig } = cluster({
      serviceAccountTokenFile: path.join(dir, 'absent'),
    });
    await expect(list(kubeConfig)).rejects.toThrow(
      /cluster prod-eu: cannot read the token file .*absent \(ENOENT\)/,
    );
    await expect(readObject(kubeConfig)).rejects.toThrow(
      /cluster prod-eu: cannot read the token file/,
    );
    expect(api.seen).toHaveLength(0);
  });

  it("reconnects an informer's watches with the rotated token", async () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'token-before\n');
    const { kubeConfig } = cluster({ serviceAccountTokenFile: file });
    api.holdWatches = true;
    const watch = new ClusterWatch({
      name: 'prod-eu',
      kubeConfig,
      logger: mockServices.logger.mock(),
      timeoutMs: 5000,
      backoffMs: 50,
      maxBackoffMs: 200,
    });
    const kinds = Object.keys(WATCHED_KINDS).length;
    try {
      watch.start();
      await watch.whenReady(5000);
      await eventually(() => expect(api.openWatches).toBe(kinds));
      expect(new Set(api.tokens())).toEqual(new Set(['token-before']));

      fs.writeFileSync(file, 'token-after-rotation\n');
      const mark = api.seen.length;
      api.dropConnections();
      // Every kind's watch opened again (after a relist where the informer does one).
      await eventually(() =>
        expect(
          api.seen.slice(mark).filter(r => r.watch).length,
        ).toBeGreaterThanOrEqual(kinds),
      );
      const after = api.seen.slice(mark);
      expect(after.length).toBeGreaterThanOrEqual(kinds);
      expect(new Set(after.map(r => r.auth))).toEqual(
        new Set(['Bearer token-after-rotation']),
      );
    } finally {
      await watch.stop();
    }
  });

  /** An exec credential plugin printing `exec-<n>`, n counting its runs; cached for an hour. */
  function execPlugin() {
    const script = path.join(dir, 'credential.js');
    const counter = path.join(dir, 'runs');
    fs.writeFileSync(
      script,
      `const fs = require('fs');
const n = (Number(fs.existsSync(${JSON.stringify(
        counter,
      )}) ? fs.readFileSync(${JSON.stringify(counter)}, 'utf8') : 0) + 1);
fs.writeFileSync(${JSON.stringify(counter)}, String(n));
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1beta1',
  kind: 'ExecCredential',
  status: { token: 'exec-' + n, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() },
}));
`,
    );
    return { command: process.execPath, args: [script] };
  }

  it('sends the token of an exec credential plugin, and runs it again after a 401', async () => {
    const { kubeConfig, authProvider } = cluster({ exec: execPlugin() });
    expect(authProvider).toBe('exec');
    await list(kubeConfig);
    await readObject(kubeConfig); // cached until its expiration
    api.refused.add('exec-1');
    await list(kubeConfig);
    expect(api.tokens()).toEqual(['exec-1', 'exec-1', 'exec-1', 'exec-2']);
  });

  it('runs the exec plugin once for requests that start together', async () => {
    const { kubeConfig } = cluster({ exec: execPlugin() });
    await Promise.all([1, 2, 3, 4, 5].map(() => list(kubeConfig)));
    expect(api.tokens()).toEqual(Array(5).fill('exec-1'));
  });

  it('runs the exec plugin of a kubeconfig user', async () => {
    const exec = execPlugin();
    const file = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: { server: url, 'insecure-skip-tls-verify': true },
          },
        ],
        users: [
          {
            name: 'u',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1beta1',
                ...exec,
              },
            },
          },
        ],
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'ctx',
      }),
    );
    const [read] = readClusters(
      new ConfigReader({
        gitops: { clusters: [{ name: 'prod-eu', kubeconfig: { path: file } }] },
      }),
    );
    await list(read.kubeConfig);
    expect(api.tokens()).toEqual(['exec-1']);
  });
});
