import { randomUUID } from 'node:crypto';
import { sha256Digest } from '../digest';
import { Descriptor, OCI_INDEX, OCI_MANIFEST } from './types';

/** What {@link OciStore.handle} answers. */
export interface OciResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

/**
 * Storage and request handling of an in-memory OCI registry (distribution spec 1.1): blobs,
 * manifests by tag or digest, tag lists and the referrers API. Synchronous, so the demo
 * registry can answer from it inside its own handler; {@link InMemoryOciRegistry} serves it
 * over HTTP. With `referrers: false` it behaves as a registry without the referrers API
 * (`/referrers/` answers 404, pushes get no `OCI-Subject`), as distribution 2.8 does.
 */
export class OciStore {
  private readonly blobs = new Map<string, Buffer>();
  private readonly manifests = new Map<string, Map<string, StoredManifest>>();
  private readonly tags = new Map<string, Map<string, string>>();
  private readonly uploads = new Map<string, string>();

  constructor(readonly options: { referrers?: boolean } = {}) {}

  get servesReferrers(): boolean {
    return this.options.referrers !== false;
  }

  /** Stores a blob (blobs are shared by all repositories here); returns its digest. */
  putBlob(data: Buffer): string {
    const digest = sha256Digest(data);
    this.blobs.set(digest, data);
    return digest;
  }

  /** Stores a manifest under its digest, and under `reference` when that is a tag. */
  putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType?: string,
  ): Descriptor {
    const digest = sha256Digest(bytes);
    const type =
      mediaType ?? JSON.parse(bytes.toString('utf8')).mediaType ?? OCI_MANIFEST;
    mapOf(this.manifests, repository).set(digest, { bytes, mediaType: type });
    if (!reference.startsWith('sha256:')) {
      mapOf(this.tags, repository).set(reference, digest);
    }
    return { mediaType: type, digest, size: bytes.length };
  }

  /** The tags of a repository. */
  tagsOf(repository: string): string[] {
    return [...(this.tags.get(repository)?.keys() ?? [])].sort();
  }

  /** The descriptors of the manifests whose `subject` is `digest`, as the referrers API lists them. */
  referrersOf(
    repository: string,
    digest: string,
    artifactType?: string,
  ): Descriptor[] {
    const found: Descriptor[] = [];
    for (const [manifestDigest, stored] of this.manifests.get(repository) ??
      []) {
      const manifest = JSON.parse(stored.bytes.toString('utf8'));
      if (manifest.subject?.digest !== digest) continue;
      const type: string | undefined =
        manifest.artifactType ?? manifest.config?.mediaType;
      if (artifactType && type !== artifactType) continue;
      found.push({
        mediaType: stored.mediaType,
        digest: manifestDigest,
        size: stored.bytes.length,
        ...(type ? { artifactType: type } : {}),
        ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
      });
    }
    return found;
  }

  /**
   * Answers a `/v2/` request; `undefined` when the path is not the distribution API's.
   * `search` is the query string (`?digest=…`, `?artifactType=…`).
   */
  handle(
    method: string,
    pathname: string,
    search = '',
    body: Buffer = Buffer.alloc(0),
  ): OciResponse | undefined {
    const query = new URLSearchParams(search);
    if (pathname === '/v2/' || pathname === '/v2') return json(200, {});
    let m = /^\/v2\/(.+)\/blobs\/uploads\/?([^/]*)$/.exec(pathname);
    if (m) return this.upload(method, m[1], m[2], query, body);
    m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(pathname);
    if (m && (method === 'GET' || method === 'HEAD')) {
      const blob = this.blobs.get(m[2]);
      if (!blob) return error(404, 'BLOB_UNKNOWN', m[2]);
      return content(method, blob, 'application/octet-stream', m[2]);
    }
    m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname);
    if (m) return this.manifest(method, m[1], decodeURIComponent(m[2]), body);
    m = /^\/v2\/(.+)\/tags\/list$/.exec(pathname);
    if (m && method === 'GET') {
      if (!this.manifests.has(m[1])) return error(404, 'NAME_UNKNOWN', m[1]);
      return json(200, { name: m[1], tags: this.tagsOf(m[1]) });
    }
    m = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(pathname);
    if (m && method === 'GET') {
      if (!this.servesReferrers) return error(404, 'NOT_FOUND', pathname);
      const artifactType = query.get('artifactType') ?? undefined;
      const response = json(200, {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: this.referrersOf(m[1], m[2], artifactType),
      });
      response.headers['content-type'] = OCI_INDEX;
      if (artifactType)
        response.headers['oci-filters-applied'] = 'artifactType';
      return response;
    }
    return undefined;
  }

  private upload(
    method: string,
    repository: string,
    id: string,
    query: URLSearchParams,
    body: Buffer,
  ): OciResponse {
    const digest = query.get('digest');
    if (method === 'POST' && !id && !digest) {
      const uuid = randomUUID();
      this.uploads.set(uuid, repository);
      return {
        status: 202,
        headers: {
          location: `/v2/${repository}/blobs/uploads/${uuid}`,
          'docker-upload-uuid': uuid,
          'content-length': '0',
        },
        body: Buffer.alloc(0),
      };
    }
    // A monolithic POST with `?digest=`, or the PUT closing an upload session.
    if (
      (method === 'POST' && !id) ||
      (method === 'PUT' && this.uploads.has(id))
    ) {
      if (!digest || sha256Digest(body) !== digest) {
        return error(400, 'DIGEST_INVALID', digest ?? 'no digest');
      }
      this.uploads.delete(id);
      this.putBlob(body);
      return {
        status: 201,
        headers: {
          location: `/v2/${repository}/blobs/${digest}`,
          'docker-content-digest': digest,
          'content-length': '0',
        },
        body: Buffer.alloc(0),
      };
    }
    return error(404, 'BLOB_UPLOAD_UNKNOWN', id);
  }

  private manifest(
    method: string,
    repository: string,
    reference: string,
    body: Buffer,
  ): OciResponse | undefined {
    if (method === 'PUT') {
      const descriptor = this.putManifest(repository, reference, body);
      if (reference.startsWith('sha256:') && reference !== descriptor.digest) {
        return error(400, 'DIGEST_INVALID', reference);
      }
      const subject = JSON.parse(body.toString('utf8')).subject?.digest;
      return {
        status: 201,
        headers: {
          location: `/v2/${repository}/manifests/${descriptor.digest}`,
          'docker-content-digest': descriptor.digest,
          'content-length': '0',
          ...(subject && this.servesReferrers
            ? { 'oci-subject': subject }
            : {}),
        },
        body: Buffer.alloc(0),
      };
    }
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const digest = reference.startsWith('sha256:')
      ? reference
      : this.tags.get(repository)?.get(reference);
    const stored = digest && this.manifests.get(repository)?.get(digest);
    if (!digest || !stored) {
      return error(404, 'MANIFEST_UNKNOWN', `${repository}:${reference}`);
    }
    return content(method, stored.bytes, stored.mediaType, digest);
  }
}

function mapOf<V>(maps: Map<string, Map<string, V>>, key: string) {
  let map = maps.get(key);
  if (!map) {
    map = new Map();
    maps.set(key, map);
  }
  return map;
}

function content(
  method: string,
  bytes: Buffer,
  mediaType: string,
  digest: string,
): OciResponse {
  return {
    status: 200,
    headers: {
      'content-type': mediaType,
      'content-length': String(bytes.length),
      'docker-content-digest': digest,
    },
    body: method === 'HEAD' ? Buffer.alloc(0) : bytes,
  };
}

function json(status: number, value: unknown): OciResponse {
  const body = Buffer.from(JSON.stringify(value));
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
    },
    body,
  };
}

function error(status: number, code: string, what: string): OciResponse {
  return json(status, { errors: [{ code, message: `${code}: ${what}` }] });
}
