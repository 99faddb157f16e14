import { OciClient } from './OciClient';
import { Descriptor, OCI_IMAGE_CONFIG, OCI_MANIFEST } from './types';

/**
 * Pushes a tiny one-layer image under each tag (`seed` makes its digest distinct) and returns
 * its descriptor: the subject to sign in a test registry.
 */
export async function pushTestImage(
  client: OciClient,
  repository: string,
  tags: string[],
  seed = 'base',
): Promise<Descriptor> {
  const config = await client.pushBlob(
    repository,
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed })),
    OCI_IMAGE_CONFIG,
  );
  const layer = await client.pushBlob(
    repository,
    Buffer.from(`layer of ${seed}`),
    'application/vnd.oci.image.layer.v1.tar+gzip',
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: [layer],
    }),
  );
  let descriptor: Descriptor | undefined;
  for (const tag of tags) {
    const { ociSubject, ...pushed } = await client.pushManifest(
      repository,
      tag,
      manifest,
    );
    descriptor = pushed;
  }
  return descriptor ?? client.pushManifest(repository, 'latest', manifest);
}
