import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real OCI registry (Debian's `docker-registry`, distribution 2.8) on 127.0.0.1, with helpers
 * that push tiny images through its HTTP API.
 */
export class LocalRegistry {
  private constructor(
    readonly host: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(
    binary = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry',
  ) {
    if (!fs.existsSync(binary)) {
      throw new Error(
        `${binary} not found: install the Debian package docker-registry (.ci/run does)`,
      );
    }
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-registry-'));
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

  get url() {
    return `http://${this.host}`;
  }

  async stop() {
    this.child.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Pushes a one-layer image under each tag; `seed` makes its digest distinct. Returns the digest. */
  async push(
    repository: string,
    tags: string[],
    seed = 'base',
  ): Promise<string> {
    const configBlob = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', seed }),
    );
    const layer = Buffer.from(`layer of ${seed}`);
    await this.uploadBlob(repository, configBlob);
    await this.uploadBlob(repository, layer);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: digestOf(configBlob),
          size: configBlob.length,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: digestOf(layer),
            size: layer.length,
          },
        ],
      }),
    );
    for (const tag of tags) {
      const response = await fetch(
        `${this.url}/v2/${repository}/manifests/${tag}`,
        {
          method: 'PUT',
          headers: {
            'content-type': 'application/vnd.oci.image.manifest.v1+json',
          },
          body: manifest,
        },
      );
      if (response.status !== 201)
        throw new Error(
          `push ${repository}:${tag}: ${
            response.status
          } ${await response.text()}`,
        );
    }
    return digestOf(manifest);
  }

  /** Deletes a manifest, and with it every tag pointing at it. */
  async deleteManifest(repository: string, digest: string) {
    const response = await fetch(
      `${this.url}/v2/${repository}/manifests/${digest}`,
      { method: 'DELETE' },
    );
    if (response.status !== 202)
      throw new Error(`delete ${digest}: ${response.status}`);
  }

  private async uploadBlob(repository: string, blob: Buffer) {
    const start = await fetch(`${this.url}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
    });
    const location = new URL(start.headers.get('location')!, this.url);
    location.searchParams.set('digest', digestOf(blob));
    const done = await fetch(location, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: blob,
    });
    if (done.status !== 201)
      throw new Error(`blob upload: ${done.status} ${await done.text()}`);
  }
}

function digestOf(data: Buffer) {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
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
