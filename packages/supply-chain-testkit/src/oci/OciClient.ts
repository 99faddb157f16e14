import { sha256Digest } from '../digest';
import { Descriptor, OCI_MANIFEST } from './types';

/**
 * A tiny client of the OCI distribution API for test registries on http://127.0.0.1 (no auth):
 * monolithic blob uploads (POST then PUT with `?digest=`), manifests by tag or digest. Works
 * against distribution 2.8 (Debian's `docker-registry`) and {@link InMemoryOciRegistry}.
 */
export class OciClient {
  constructor(
    /** e.g. `http://127.0.0.1:5000` */
    readonly baseUrl: string,
  ) {}

  /** Uploads a blob (skipped when the registry has it); returns its descriptor. */
  async pushBlob(
    repository: string,
    data: Buffer,
    mediaType = 'application/octet-stream',
  ): Promise<Descriptor> {
    const digest = sha256Digest(data);
    const descriptor = { mediaType, digest, size: data.length };
    const head = await fetch(
      `${this.baseUrl}/v2/${repository}/blobs/${digest}`,
      { method: 'HEAD' },
    );
    if (head.ok) return descriptor;
    const start = await fetch(
      `${this.baseUrl}/v2/${repository}/blobs/uploads/`,
      {
        method: 'POST',
      },
    );
    if (start.status !== 202) {
      throw new Error(
        `blob upload start: ${start.status} ${await start.text()}`,
      );
    }
    const location = new URL(start.headers.get('location')!, this.baseUrl);
    location.searchParams.set('digest', digest);
    const done = await fetch(location, {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(data.length),
      },
      body: data,
    });
    if (done.status !== 201) {
      throw new Error(`blob upload: ${done.status} ${await done.text()}`);
    }
    return descriptor;
  }

  /**
   * Puts a manifest under a tag or its digest; returns its descriptor (media type from the
   * manifest's own `mediaType`, else OCI image manifest) and the registry's `OCI-Subject`
   * answer (set when it took the manifest as a referrer of its subject).
   */
  async pushManifest(
    repository: string,
    reference: string,
    manifest: object | Buffer,
  ): Promise<Descriptor & { ociSubject?: string }> {
    const bytes = Buffer.isBuffer(manifest)
      ? manifest
      : Buffer.from(JSON.stringify(manifest));
    const mediaType: string =
      JSON.parse(bytes.toString('utf8')).mediaType ?? OCI_MANIFEST;
    const response = await fetch(
      `${this.baseUrl}/v2/${repository}/manifests/${reference}`,
      { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes },
    );
    if (response.status !== 201) {
      throw new Error(
        `push ${repository}:${reference}: ${
          response.status
        } ${await response.text()}`,
      );
    }
    const ociSubject = response.headers.get('oci-subject') ?? undefined;
    return {
      mediaType,
      digest: sha256Digest(bytes),
      size: bytes.length,
      ...(ociSubject ? { ociSubject } : {}),
    };
  }

  /** A manifest's descriptor (`HEAD`), or undefined when the registry does not have it. */
  async headManifest(
    repository: string,
    reference: string,
  ): Promise<Descriptor | undefined> {
    const response = await fetch(
      `${this.baseUrl}/v2/${repository}/manifests/${reference}`,
      { method: 'HEAD', headers: { accept: acceptManifests() } },
    );
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`HEAD ${reference}: ${response.status}`);
    return {
      mediaType: response.headers.get('content-type') ?? OCI_MANIFEST,
      digest: response.headers.get('docker-content-digest')!,
      size: Number(response.headers.get('content-length')),
    };
  }

  /** A manifest's JSON, or undefined when the registry does not have it. */
  async getManifest<T = any>(
    repository: string,
    reference: string,
  ): Promise<T | undefined> {
    const response = await fetch(
      `${this.baseUrl}/v2/${repository}/manifests/${reference}`,
      { headers: { accept: acceptManifests() } },
    );
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET ${reference}: ${response.status}`);
    return (await response.json()) as T;
  }

  /** A blob's bytes. */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const response = await fetch(
      `${this.baseUrl}/v2/${repository}/blobs/${digest}`,
    );
    if (!response.ok) throw new Error(`GET blob ${digest}: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** `GET /v2/<repository>/referrers/<digest>`: the index, or the status when there is none. */
  async referrers(
    repository: string,
    digest: string,
    artifactType?: string,
  ): Promise<{ status: number; index?: any; filtersApplied?: string }> {
    const query = artifactType
      ? `?artifactType=${encodeURIComponent(artifactType)}`
      : '';
    const response = await fetch(
      `${this.baseUrl}/v2/${repository}/referrers/${digest}${query}`,
    );
    if (!response.ok) return { status: response.status };
    return {
      status: response.status,
      index: await response.json(),
      filtersApplied: response.headers.get('oci-filters-applied') ?? undefined,
    };
  }
}

function acceptManifests() {
  return [
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
  ].join(', ');
}
