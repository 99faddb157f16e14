import { ImageRepositoryRef } from '@gitops-backstage/plugin-gitops-node';
import { createHash } from 'node:crypto';
import { RegistryError } from '../registry/OciRegistryClient';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from './constants';

/** What the reader needs of the registry client (see `OciRegistryClient`). */
export interface RepositoryPathClient {
  /** Whether the image's host is a configured registry; absent: every host is. */
  serves?(image: ImageRepositoryRef): boolean;
  getRepositoryPath(
    image: ImageRepositoryRef,
    path: string,
    options: { accept: string; signal?: AbortSignal },
  ): Promise<Response>;
}

/** An OCI descriptor as manifests and indexes list them. */
export interface OciDescriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  artifactType?: string;
  annotations: Record<string, string>;
}

/** A manifest or index, parsed, with the descriptors that matter here. */
export interface OciManifest {
  digest: string;
  mediaType: string | null;
  artifactType: string | null;
  annotations: Record<string, string>;
  /** `layers` of a manifest. */
  layers: OciDescriptor[];
  /** `manifests` of an index (the referrers list). */
  manifests: OciDescriptor[];
  /** Whether the document is an index (a `manifests` array). */
  isIndex: boolean;
  bytes: Buffer;
}

/**
 * How much of the registry one digest's evidence may read: a repository can hold any number
 * of referrers (a CI that signs on every run), and an SBOM attestation can be many megabytes.
 * What did not fit is counted, so that the evidence can say so.
 */
export class ReadBudget {
  private bytesLeft: number;
  private artifactsLeft: number;
  /** Artifacts left unread, by the limit that stopped them. */
  readonly skipped = new Map<'artifacts' | 'bytes', number>();

  constructor(maxBytes: number, maxArtifacts: number) {
    this.bytesLeft = maxBytes;
    this.artifactsLeft = maxArtifacts;
  }

  /** Takes one more artifact, or counts it as skipped. */
  takeArtifact(): boolean {
    if (this.artifactsLeft <= 0) return this.skip('artifacts');
    this.artifactsLeft--;
    return true;
  }

  /** Takes `size` bytes for an artifact's content, or counts the artifact as skipped. */
  takeBytes(size: number): boolean {
    if (size > this.bytesLeft) return this.skip('bytes');
    this.bytesLeft -= size;
    return true;
  }

  /** Gives back bytes taken but not read (the content was smaller than announced). */
  refund(bytes: number) {
    this.bytesLeft += Math.max(0, bytes);
  }

  private skip(limit: 'artifacts' | 'bytes') {
    this.skipped.set(limit, (this.skipped.get(limit) ?? 0) + 1);
    return false;
  }
}

const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST].join(', ');
/** A manifest or referrers page is a few KiB; more is not a manifest worth reading. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Reads signature and attestation artifacts from a registry through the registry client's
 * authenticated request path: manifests, the referrers API and blobs, each bounded in size
 * and checked against its digest (a registry or proxy must not hand over other bytes).
 */
export class OciArtifactReader {
  constructor(private readonly client: RepositoryPathClient) {}

  /**
   * The referrers index of a digest (OCI 1.1 referrers API), or `null` when the registry has
   * no such API: a 404, 400 or 405, or an answer that is not an index (distribution 2.8 and
   * many proxies answer 404 to the unknown route).
   */
  async referrers(
    image: ImageRepositoryRef,
    digest: string,
    signal: AbortSignal,
  ): Promise<OciDescriptor[] | null> {
    let response: Response;
    try {
      response = await this.client.getRepositoryPath(
        image,
        `referrers/${digest}`,
        { accept: OCI_INDEX, signal },
      );
    } catch (error) {
      if (
        error instanceof RegistryError &&
        (error.status === 400 || error.status === 405)
      ) {
        return null;
      }
      throw error;
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    const bytes = await readBounded(response, MAX_MANIFEST_BYTES);
    const parsed = bytes ? parseManifest(bytes, digest) : null;
    // Only the first page is read: the per-digest budget is smaller than a page.
    return parsed?.isIndex ? parsed.manifests : null;
  }

  /** A manifest or index by tag or digest; `null` when the registry does not have it. */
  async manifest(
    image: ImageRepositoryRef,
    reference: string,
    signal: AbortSignal,
  ): Promise<OciManifest | null> {
    const response = await this.client.getRepositoryPath(
      image,
      `manifests/${encodeURIComponent(reference)}`,
      { accept: MANIFEST_ACCEPT, signal },
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    const where = `${image.host}/${image.repository}@${reference}`;
    const bytes = await readBounded(response, MAX_MANIFEST_BYTES);
    if (!bytes) {
      throw new RegistryError(`${where}: the manifest is larger than 1 MiB`);
    }
    const digest = digestOf(bytes);
    if (DIGEST.test(reference) && digest !== reference) {
      throw new RegistryError(
        `${where}: the registry answered a manifest with digest ${digest}`,
        502,
      );
    }
    const parsed = parseManifest(bytes, digest);
    if (!parsed) {
      throw new RegistryError(`${where}: the manifest is not JSON`, 502);
    }
    return parsed;
  }

  /**
   * A blob of at most `maxBytes`, checked against its digest; `null` when it is larger. A
   * missing blob is an error: the manifest that names it says it exists.
   */
  async blob(
    image: ImageRepositoryRef,
    digest: string,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<Buffer | null> {
    const where = `${image.host}/${image.repository}@${digest}`;
    if (!DIGEST.test(digest)) {
      throw new RegistryError(`${where}: not a sha256 digest`, 502);
    }
    const response = await this.client.getRepositoryPath(
      image,
      `blobs/${digest}`,
      { accept: '*/*', signal },
    );
    if (response.status === 404) {
      await response.body?.cancel();
      throw new RegistryError(`${where}: blob not found`, 404);
    }
    const bytes = await readBounded(response, maxBytes);
    if (bytes && digestOf(bytes) !== digest) {
      throw new RegistryError(
        `${where}: the registry answered other bytes than the digest names`,
        502,
      );
    }
    return bytes;
  }
}

/** The body, or `null` (and the rest left unread) once it grows beyond `maxBytes`. */
async function readBounded(
  response: Response,
  maxBytes: number,
): Promise<Buffer | null> {
  const announced = Number(response.headers.get('content-length'));
  if (announced > maxBytes || !response.body) {
    await response.body?.cancel();
    return response.body ? null : Buffer.alloc(0);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function parseManifest(bytes: Buffer, digest: string): OciManifest | null {
  let json: any;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null;
  return {
    digest,
    mediaType: typeof json.mediaType === 'string' ? json.mediaType : null,
    artifactType:
      typeof json.artifactType === 'string' ? json.artifactType : null,
    annotations: stringMap(json.annotations),
    layers: descriptors(json.layers),
    manifests: descriptors(json.manifests),
    isIndex: Array.isArray(json.manifests),
    bytes,
  };
}

function descriptors(value: unknown): OciDescriptor[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(d => d && typeof d === 'object' && typeof d.digest === 'string')
    .map(d => ({
      mediaType: typeof d.mediaType === 'string' ? d.mediaType : undefined,
      digest: d.digest,
      size: typeof d.size === 'number' ? d.size : undefined,
      artifactType:
        typeof d.artifactType === 'string' ? d.artifactType : undefined,
      annotations: stringMap(d.annotations),
    }));
}

export function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
