import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OciClient } from './OciClient';

/**
 * TESTS ONLY. A real OCI registry (Debian's `docker-registry`, distribution 2.8: no referrers
 * API, so signatures go to the referrers tag schema) on 127.0.0.1.
 */
export class LocalRegistry {
  private constructor(
    readonly host: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  /** Whether the binary is installed (tests skip without it). */
  static available(
    binary = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry',
  ): boolean {
    return fs.existsSync(binary);
  }

  static async start(
    binary = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry',
  ): Promise<LocalRegistry> {
    if (!fs.existsSync(binary)) {
      throw new Error(
        `${binary} not found: install the Debian package docker-registry`,
      );
    }
    const port = await freePort();
    const dir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'supply-chain-registry-'),
    );
    const config = path.join(dir, 'config.yml');
    fs.writeFileSync(
      config,
      [
        'version: 0.1',
        'log: { level: error }',
        `storage: { filesystem: { rootdirectory: ${path.join(
          dir,
          'data',
        )} }, delete: { enabled: true } }`,
        `http: { addr: 127.0.0.1:${port} }`,
      ].join('\n'),
    );
    const child = spawn(binary, ['serve', config], { stdio: 'ignore' });
    const registry = new LocalRegistry(`127.0.0.1:${port}`, child, dir);
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${registry.url}/v2/`).then(
        r => r.ok,
        () => false,
      );
      if (ok) return registry;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    await registry.stop();
    throw new Error('docker-registry did not start');
  }

  get url(): string {
    return `http://${this.host}`;
  }

  client(): OciClient {
    return new OciClient(this.url);
  }

  async stop(): Promise<void> {
    this.child.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
