import { Entity } from '@backstage/catalog-model';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';

/** A token the child backend accepts as a static external-access key. */
export const BACKEND_PROCESS_TOKEN = 'gitops-process-test-token-0123456789';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A Backstage backend with the GitOps plugin in its own Node process (backendProcess.ts, run
 * through Backstage's TypeScript transform as `backstage-cli package start` runs a backend),
 * on PostgreSQL, so a test can kill it with SIGKILL at any moment and start it again on the
 * same database and Git cache.
 */
export class BackendProcess {
  private child?: ChildProcess;
  private output: string[] = [];
  /** Every line the processes wrote, for the test's failure message. */
  readonly log: string[] = [];
  readonly url: string;

  constructor(
    private readonly options: {
      workDir: string;
      port: number;
      /** `backend.database.prefix`: the plugin's database is `<prefix>gitops`. */
      databasePrefix: string;
      gitops: object;
      entities: Entity[];
    },
  ) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and waits until `/api/gitops/health` answers. @returns ms taken. */
  async start(timeoutMs = 60_000): Promise<number> {
    const { workDir, port, databasePrefix } = this.options;
    const configFile = path.join(workDir, 'backend-process.yaml');
    fs.writeFileSync(
      configFile,
      stringify({
        backend: {
          baseUrl: this.url,
          listen: { port, host: '127.0.0.1' },
          database: {
            client: 'pg',
            connection:
              process.env
                .BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
              'postgresql://postgres@127.0.0.1:5432',
            prefix: databasePrefix,
          },
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: {
                  token: BACKEND_PROCESS_TOKEN,
                  subject: 'restart-test',
                },
              },
            ],
          },
        },
        permission: { enabled: false },
        gitops: this.options.gitops,
      }),
    );
    const started = Date.now();
    this.output = [];
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        path.join(__dirname, 'backendProcess.ts'),
        '--config',
        configFile,
      ],
      {
        cwd: path.resolve(__dirname, '../..'),
        env: {
          ...process.env,
          GITOPS_TEST_ENTITIES: JSON.stringify(this.options.entities),
          NODE_ENV: 'development',
          NODE_OPTIONS: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) {
          this.output.push(line);
          this.log.push(line);
        }
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `The backend process exited while starting:\n${this.output
            .slice(-30)
            .join('\n')}`,
        );
      }
      const ok = await fetch(`${this.url}/api/gitops/health`)
        .then(res => res.status === 200)
        .catch(() => false);
      if (ok) return Date.now() - started;
      if (Date.now() - started > timeoutMs) {
        await this.kill();
        throw new Error(
          `The backend process did not answer within ${timeoutMs} ms:\n${this.output
            .slice(-30)
            .join('\n')}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  /** Waits for the process to end (a hook may have killed it). */
  async exited(timeoutMs = 20_000): Promise<string | number | null> {
    const child = this.child;
    if (!child) return null;
    if (child.exitCode !== null || child.signalCode !== null) {
      return child.signalCode ?? child.exitCode;
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the backend process did not exit')),
        timeoutMs,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve(signal ?? code);
      });
    });
  }

  /** SIGKILL: no shutdown hook runs, as when a node dies or the OOM killer strikes. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.exited();
  }

  /** Lines of the current process matching a pattern. */
  lines(pattern: RegExp): string[] {
    return this.output.filter(line => pattern.test(line));
  }

  /** An authenticated request to the plugin. */
  async request(
    method: 'GET' | 'POST',
    pathname: string,
    body?: object,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}/api/gitops${pathname}`, {
      method,
      headers: {
        authorization: `Bearer ${BACKEND_PROCESS_TOKEN}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  }
}
