import {
  LocalRegistry as DockerRegistry,
  pushTestImage,
} from 'supply-chain-testkit';

/**
 * A real OCI registry (Debian's `docker-registry`, distribution 2.8) on 127.0.0.1, with helpers
 * that push tiny images through its HTTP API (the testkit's registry and push client).
 */
export class LocalRegistry {
  private constructor(private readonly registry: DockerRegistry) {}

  static async start(
    binary = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry',
  ) {
    return new LocalRegistry(await DockerRegistry.start(binary));
  }

  get host() {
    return this.registry.host;
  }

  get url() {
    return this.registry.url;
  }

  stop() {
    return this.registry.stop();
  }

  /** Pushes a one-layer image under each tag; `seed` makes its digest distinct. Returns the digest. */
  async push(
    repository: string,
    tags: string[],
    seed = 'base',
  ): Promise<string> {
    const pushed = await pushTestImage(
      this.registry.client(),
      repository,
      tags,
      seed,
    );
    return pushed.digest;
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
}
