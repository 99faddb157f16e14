import { ImageBundle, SIGSTORE_BUNDLE_MEDIA_TYPE } from '../bundles';
import { digestHex, sha256Digest } from '../digest';
import type { LegacyLayer } from '../legacy';
import { OciClient } from './OciClient';
import {
  Descriptor,
  OCI_EMPTY,
  OCI_IMAGE_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  referrersTag,
} from './types';

/** A manifest ready to push: its bytes, the blobs it needs, its descriptor for an index. */
export interface BuiltManifest {
  bytes: Buffer;
  /** Descriptor with `artifactType` and `annotations`, as a referrers index lists it. */
  descriptor: Descriptor;
  blobs: Buffer[];
}

export const BUNDLE_PREDICATE_TYPE_ANNOTATION =
  'dev.sigstore.bundle.predicateType';
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
const EMPTY_CONFIG = Buffer.from('{}');

/**
 * The OCI 1.1 artifact manifest cosign v3 pushes for a bundle (`WriteAttestationNewBundleFormat`
 * in cosign's pkg/oci/remote/write.go): empty config, one bundle layer, the signed image as
 * `subject`, artifactType the bundle media type, and its three annotations.
 */
export function bundleReferrerManifest(
  subject: Descriptor,
  bundle: ImageBundle,
  createdAt = new Date(),
): BuiltManifest {
  const annotations = {
    [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
    [BUNDLE_PREDICATE_TYPE_ANNOTATION]: bundle.predicateType,
    [CREATED_ANNOTATION]: createdAt.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: OCI_EMPTY,
      // cosign sets it on the config descriptor too.
      artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
      digest: sha256Digest(EMPTY_CONFIG),
      size: EMPTY_CONFIG.length,
    },
    layers: [
      {
        mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE,
        digest: sha256Digest(bundle.bytes),
        size: bundle.bytes.length,
      },
    ],
    annotations,
    subject: {
      mediaType: subject.mediaType,
      digest: subject.digest,
      size: subject.size,
    },
    artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return {
    bytes,
    descriptor: {
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(bytes),
      size: bytes.length,
      artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
      annotations,
    },
    blobs: [EMPTY_CONFIG, bundle.bytes],
  };
}

/**
 * The image cosign (before v3) pushes under `sha256-<hex>.sig` or `.att`: an OCI image whose
 * layers are the signatures (simple-signing payloads) or attestations (DSSE envelopes), each
 * with its annotations, and a config listing the layers as its rootfs.
 */
export function legacyManifest(layers: LegacyLayer[]): BuiltManifest {
  const layerDescriptors = layers.map(layer => ({
    mediaType: layer.mediaType,
    digest: sha256Digest(layer.content),
    size: layer.content.length,
    annotations: layer.annotations,
  }));
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
      os: '',
      rootfs: {
        type: 'layers',
        diff_ids: layerDescriptors.map(d => d.digest),
      },
      config: {},
    }),
  );
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: OCI_IMAGE_CONFIG,
        size: config.length,
        digest: sha256Digest(config),
      },
      layers: layerDescriptors,
    }),
  );
  return {
    bytes,
    descriptor: {
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(bytes),
      size: bytes.length,
    },
    blobs: [config, ...layers.map(l => l.content)],
  };
}

/**
 * Pushes a bundle as a referrer of an image: the blobs, then the manifest by digest. When the
 * registry does not take it as a referrer (no `OCI-Subject` on the push, e.g. distribution
 * 2.8), or `tagSchema` is true, it is also listed in the `sha256-<hex>` index of the referrers
 * tag schema, as the OCI distribution spec 1.1 asks clients to do.
 */
export async function attachReferrer(
  client: OciClient,
  options: {
    repository: string;
    /** The image: a descriptor, or a digest to `HEAD` it by. */
    subject: Descriptor | string;
    bundle: ImageBundle;
    createdAt?: Date;
    tagSchema?: boolean;
  },
): Promise<Descriptor> {
  const { repository } = options;
  const subject =
    typeof options.subject === 'string'
      ? await client.headManifest(repository, options.subject)
      : options.subject;
  if (!subject) throw new Error(`${repository}@${options.subject} not found`);
  const built = bundleReferrerManifest(
    subject,
    options.bundle,
    options.createdAt,
  );
  await pushBuilt(client, repository, built);
  const pushed = await client.pushManifest(
    repository,
    built.descriptor.digest,
    built.bytes,
  );
  if (options.tagSchema ?? !pushed.ociSubject) {
    await addToReferrersTag(
      client,
      repository,
      subject.digest,
      built.descriptor,
    );
  }
  return built.descriptor;
}

/** Adds a descriptor to the referrers tag schema's index of a digest (`sha256-<hex>`). */
export async function addToReferrersTag(
  client: OciClient,
  repository: string,
  subjectDigest: string,
  descriptor: Descriptor,
): Promise<void> {
  const tag = referrersTag(subjectDigest);
  const existing = await client.getManifest<{ manifests: Descriptor[] }>(
    repository,
    tag,
  );
  const manifests = (existing?.manifests ?? []).filter(
    d => d.digest !== descriptor.digest,
  );
  await client.pushManifest(repository, tag, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...manifests, descriptor],
  });
}

/**
 * Pushes legacy cosign layers under `sha256-<hex>.sig` (or `.att`), after the ones already
 * there (cosign appends a new signature to the image's signature manifest).
 */
export async function attachLegacy(
  client: OciClient,
  options: {
    repository: string;
    subjectDigest: string;
    layers: LegacyLayer[];
    kind?: 'sig' | 'att';
  },
): Promise<Descriptor> {
  const { repository } = options;
  digestHex(options.subjectDigest);
  const tag = `${referrersTag(options.subjectDigest)}.${options.kind ?? 'sig'}`;
  const existing = await client.getManifest<{
    layers: Array<Descriptor & { annotations: Record<string, string> }>;
  }>(repository, tag);
  const previous: LegacyLayer[] = await Promise.all(
    (existing?.layers ?? []).map(async d => ({
      mediaType: d.mediaType,
      annotations: d.annotations ?? {},
      content: await client.getBlob(repository, d.digest),
    })),
  );
  const built = legacyManifest([...previous, ...options.layers]);
  await pushBuilt(client, repository, built);
  return client.pushManifest(repository, tag, built.bytes);
}

async function pushBuilt(
  client: OciClient,
  repository: string,
  built: BuiltManifest,
) {
  for (const blob of built.blobs) await client.pushBlob(repository, blob);
}
