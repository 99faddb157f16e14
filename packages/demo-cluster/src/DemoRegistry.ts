import { DemoCharts } from './DemoCharts';
import { createHash } from 'node:crypto';
import type { OciStore } from 'supply-chain-testkit';

/** One image repository of the demo registry, from a `DemoImage` seed. */
export interface DemoImage {
  /** Image repository as written in manifests, e.g. `ghcr.io/acme/guestbook`. */
  image: string;
  tags: string[];
  /** Tags whose containers exit right after start (a bad build). */
  crashing: string[];
  /** Digests to serve instead of the computed ones, e.g. a digest pinned in Git. */
  digests: Record<string, string>;
  /**
   * Share of the requests a tag answers with a 5xx when it runs (the demo's traffic, `/metrics`);
   * tags not listed answer {@link DEFAULT_ERROR_RATIO} of them with one.
   */
  errorRatio?: Record<string, number>;
  /**
   * The source repository the images are built from, served as the manifests'
   * `org.opencontainers.image.source`, e.g. `https://github.com/acme/guestbook`.
   */
  source?: string;
  /** The commit each tag was built from (`org.opencontainers.image.revision`). */
  revisions?: Record<string, string>;
  /**
   * Who signs the image's tags (as cosign would in CI): a keyless identity, certified by the
   * demo's local certificate authority, or the demo's signing key. `null`: nothing is signed.
   */
  signedBy?: DemoSigner | null;
  /** Tags left unsigned although the image has a signer (a build that skipped signing). */
  unsigned?: string[];
  /** The vulnerabilities a scan finds in each tag (attested, and in the cluster's reports). */
  vulnerabilities?: Record<string, DemoVulnerability[]>;
}

/** A signer of the demo's images. */
export type DemoSigner = { subject: string; issuer: string } | { key: string };

/** One finding of the demo's vulnerability scans, as Trivy reports it. */
export interface DemoVulnerability {
  id: string;
  package: string;
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';
  installedVersion: string;
  fixedVersion: string | null;
  title?: string;
}

/** The error share of a running tag the seeds give none: 0.3 %. */
export const DEFAULT_ERROR_RATIO = 0.003;

/** What happens when a container runs an image reference. */
export type ImageOutcome = 'runs' | 'crashes' | 'missing';

/**
 * The demo's image registry: serves the example images' tags over the OCI distribution API
 * (`/v2/<repository>/tags/list`, manifest `HEAD`/`GET`) and tells the reconciler whether an
 * image reference exists and whether it crashes.
 */
export class DemoRegistry {
  private readonly images = new Map<string, DemoImage>();
  /** Signatures and attestations of the images (`supplyChain/signDemoImages.ts`). */
  private supplyChain?: OciStore;

  constructor(
    images: DemoImage[],
    /** Helm repositories served beside the images (`/helm/…/index.yaml`). */
    readonly charts: DemoCharts = new DemoCharts([]),
  ) {
    for (const image of images) this.images.set(image.image, image);
  }

  /** `ghcr.io/acme/guestbook` from the `acme/guestbook` path of a `/v2/` request. */
  private byRepository(repository: string): DemoImage | undefined {
    return [...this.images.values()].find(
      i => i.image.split('/').slice(1).join('/') === repository,
    );
  }

  digestOf(image: DemoImage, tag: string): string {
    return (
      image.digests[tag] ??
      `sha256:${createHash('sha256')
        .update(`${image.image}:${tag}`)
        .digest('hex')}`
    );
  }

  /**
   * The image and tag of `image:tag`, `image@digest` or `image:tag@digest` (a digest's tag as
   * the registry lists it), or `undefined` when the registry does not have it.
   */
  private resolve(
    reference: string,
  ): { image: DemoImage; tag: string } | undefined {
    const [name, digest] = reference.split('@');
    const match = /^(.*?)(?::([^/:]+))?$/.exec(name)!;
    const image = this.images.get(match[1]);
    if (!image) return undefined;
    const tag = digest
      ? image.tags.find(t => this.digestOf(image, t) === digest)
      : match[2] ?? 'latest';
    if (!tag || !image.tags.includes(tag)) return undefined;
    return { image, tag };
  }

  /** The images, as the seeds give them. */
  list(): DemoImage[] {
    return [...this.images.values()];
  }

  /**
   * Serves these signatures and attestations too: the referrers API for the images' digests,
   * and the referrer manifests and blobs by digest.
   */
  serveSupplyChain(store: OciStore) {
    this.supplyChain = store;
  }

  /** The manifest served for a tag (its digest is {@link digestOf}, not this body's hash). */
  manifestOf(image: DemoImage, tag: string): string {
    return JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: this.digestOf(image, `${tag}-config`),
        size: 2,
      },
      layers: [],
      annotations: {
        'org.opencontainers.image.version': tag,
        // As CI stamps them (docker/metadata-action): where and from what it was built.
        ...(image.source
          ? { 'org.opencontainers.image.source': image.source }
          : {}),
        ...(image.revisions?.[tag]
          ? { 'org.opencontainers.image.revision': image.revisions[tag] }
          : {}),
      },
    });
  }

  /** The outcome of running `image:tag`, `image@digest` or `image:tag@digest`. */
  outcome(reference: string): ImageOutcome {
    const found = this.resolve(reference);
    if (!found) return 'missing';
    return found.image.crashing.includes(found.tag) ? 'crashes' : 'runs';
  }

  /** The tags of an image repository (`ghcr.io/acme/podinfo`); undefined when it has none. */
  tagsOf(image: string): string[] | undefined {
    const found = this.images.get(image);
    return found && [...found.tags];
  }

  /** The tag an image reference runs (a pinned digest's tag), when the registry has it. */
  tagOf(reference: string): string | undefined {
    return this.resolve(reference)?.tag;
  }

  /** The share of requests a running image reference answers with a 5xx. */
  errorRatioOf(reference: string): number {
    const found = this.resolve(reference);
    return (
      (found && found.image.errorRatio?.[found.tag]) ?? DEFAULT_ERROR_RATIO
    );
  }

  /** Answers a `/v2/…` request, or `undefined` when the path is not the registry's. */
  handle(
    method: string,
    path: string,
  ):
    | { status: number; headers: Record<string, string>; body: string }
    | undefined {
    const chartIndex = this.charts.handle(method, path);
    if (chartIndex) return chartIndex;
    if (path === '/v2/' || path === '/v2') {
      return { status: 200, headers: json(), body: '{}' };
    }
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(path);
    if (tags && method === 'GET') {
      const image = this.byRepository(tags[1]);
      if (!image) return notFound('NAME_UNKNOWN', tags[1]);
      return {
        status: 200,
        headers: json(),
        body: JSON.stringify({ name: tags[1], tags: image.tags }),
      };
    }
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (manifest && (method === 'GET' || method === 'HEAD')) {
      const image = this.byRepository(manifest[1]);
      const reference = decodeURIComponent(manifest[2]);
      const tag = reference.startsWith('sha256:')
        ? image?.tags.find(t => this.digestOf(image, t) === reference)
        : reference;
      if (!image || !tag || !image.tags.includes(tag)) {
        return (
          this.fromSupplyChain(method, path) ??
          notFound('MANIFEST_UNKNOWN', `${manifest[1]}:${reference}`)
        );
      }
      const body = this.manifestOf(image, tag);
      return {
        status: 200,
        headers: {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': this.digestOf(image, tag),
        },
        body: method === 'HEAD' ? '' : body,
      };
    }
    return this.fromSupplyChain(method, path);
  }

  /** Referrers, and referrer manifests and blobs by digest, from the signed supply chain. */
  private fromSupplyChain(method: string, path: string) {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const answer = this.supplyChain?.handle(method, path);
    if (!answer) return undefined;
    // Everything the store holds is JSON (manifests, bundles, the empty config).
    return { ...answer, body: answer.body.toString('utf8') };
  }
}

function json() {
  return { 'content-type': 'application/json' };
}

function notFound(code: string, what: string) {
  return {
    status: 404,
    headers: json(),
    body: JSON.stringify({
      errors: [{ code, message: `${what} is not in the demo registry` }],
    }),
  };
}
