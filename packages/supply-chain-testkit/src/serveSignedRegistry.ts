import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { signImage } from './bundles';
import { LocalSigstore } from './LocalSigstore';
import { ociRequestListener } from './oci/InMemoryOciRegistry';
import { OciStore } from './oci/OciStore';
import { bundleReferrerManifest } from './oci/referrers';
import { OCI_IMAGE_CONFIG, OCI_MANIFEST } from './oci/types';

/** One image repository of the fleet and its tags. */
export interface FleetImage {
  /** The repository path in the registry, e.g. `acme/svc-0001`. */
  repository: string;
  tags: string[];
}

/** A running registry of signed images, with how many requests it answered. */
export interface SignedRegistry {
  url: string;
  host: string;
  /** The trusted root (with the signing key's log) and the key, for `gitops.supplyChain`. */
  trustedRootPath: string;
  keyName: string;
  keyPath: string;
  /** Requests answered so far (the benchmark counts them per view). */
  requests(): number;
  /** How long signing every tag took. */
  signingMs: number;
  stop(): Promise<void>;
}

/**
 * Serves every tag of every image with a cosign signature by a release key (referrers API),
 * from memory: the fleet benchmark's registry, so that views can be checked to ask it nothing
 * once the evidence is cached.
 */
export async function startSignedRegistry(options: {
  images: FleetImage[];
  dir: string;
  keyName?: string;
}): Promise<SignedRegistry> {
  const keyName = options.keyName ?? 'bench-release';
  const sigstore = await LocalSigstore.open(options.dir);
  const signer = sigstore.keyPairSigner(keyName);
  const store = new OciStore();
  const started = performance.now();
  for (const { repository, tags } of options.images) {
    for (const tag of tags) {
      const config = Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', tag }),
      );
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: {
            mediaType: OCI_IMAGE_CONFIG,
            digest: store.putBlob(config),
            size: config.length,
          },
          layers: [],
        }),
      );
      const subject = store.putManifest(repository, tag, manifest);
      const bundle = await signImage({
        sigstore,
        digest: subject.digest,
        signer,
      });
      const built = bundleReferrerManifest(subject, bundle);
      for (const blob of built.blobs) store.putBlob(blob);
      store.putManifest(repository, built.descriptor.digest, built.bytes);
    }
  }
  const signingMs = Math.round(performance.now() - started);
  let requests = 0;
  const listener = ociRequestListener(store);
  const server = http.createServer((req, res) => {
    requests += 1;
    listener(req, res);
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    trustedRootPath: sigstore.trustedRootPath!,
    keyName,
    keyPath: sigstore.publicKeyPath(keyName)!,
    requests: () => requests,
    signingMs,
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/*
 * As a process (the benchmark's): `node -r @backstage/cli/config/nodeTransform.cjs
 * serveSignedRegistry.ts <images.json> <dir>` prints one JSON line when it serves, then one
 * line `{"requests":N}` for each line it reads on stdin.
 */
if (require.main === module) {
  const [imagesFile, dir] = process.argv.slice(2);
  startSignedRegistry({
    images: JSON.parse(fs.readFileSync(imagesFile, 'utf8')),
    dir,
  }).then(
    registry => {
      const { stop: _stop, requests: _requests, ...shown } = registry;
      process.stdout.write(`${JSON.stringify(shown)}\n`);
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', () =>
        process.stdout.write(
          `${JSON.stringify({ requests: registry.requests() })}\n`,
        ),
      );
      process.stdin.on('end', () =>
        registry.stop().then(() => process.exit(0)),
      );
    },
    error => {
      process.stderr.write(`signed registry failed: ${error}\n`);
      process.exit(1);
    },
  );
}
