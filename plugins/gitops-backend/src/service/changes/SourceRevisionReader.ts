import {
  OCI_REVISION_ANNOTATION,
  OCI_SOURCE_ANNOTATION,
  OciRegistryClient,
  OciVersionAnnotations,
  RegistryError,
} from '../registry/OciRegistryClient';
import { parseImageRepository } from '../registry/imageRepository';
import { UpstreamError } from '../errors';
import { normalizeSourceUrl } from './sourceUrl';

/** Where a version was built from, or why that is not known. */
export type SourceRevision =
  | { source: string; revision: string }
  | { unknown: string };

/** A version to look up: an image at a tag or digest, or a chart from an OCI repository. */
export interface VersionRef {
  /** Image repository (`ghcr.io/acme/guestbook`); for a chart, its image, when known. */
  image: string | null;
  /** Tag or `sha256:` digest of the image, or the chart version. */
  reference: string;
  /** Set when `reference` is a chart version. */
  chart?: {
    name: string;
    source: { kind: string; url: string | null } | null;
  } | null;
}

const SHA = /^[0-9a-f]{7,40}$/;

/**
 * Source and revision from what a version says about itself: the manifest's annotations, else
 * the config's labels, else a chart's own annotations and `sources`. The reason names what is
 * missing, so whoever builds the image knows what to add.
 */
export function sourceRevisionOf(
  found: Pick<OciVersionAnnotations, 'annotations' | 'labels' | 'chart'>,
  what: string,
): SourceRevision {
  const pick = (key: string) =>
    found.annotations[key] ??
    found.labels[key] ??
    found.chart?.annotations[key];
  const sourceText = pick(OCI_SOURCE_ANNOTATION) ?? found.chart?.sources[0];
  const revisionText = pick(OCI_REVISION_ANNOTATION);
  if (!sourceText && !revisionText) {
    return {
      unknown: `${what} has no ${OCI_SOURCE_ANNOTATION} or ${OCI_REVISION_ANNOTATION} annotation or label`,
    };
  }
  if (!sourceText) {
    return {
      unknown: `${what} has no ${OCI_SOURCE_ANNOTATION} annotation or label`,
    };
  }
  if (!revisionText) {
    return {
      unknown: `${what} names its source but has no ${OCI_REVISION_ANNOTATION} annotation or label`,
    };
  }
  const source = normalizeSourceUrl(sourceText);
  if (!source) {
    return {
      unknown: `${what}: source "${sourceText}" is not an http(s), ssh or git@ repository URL`,
    };
  }
  // Flux writes `main@sha1:<sha>`; a build system, the plain sha.
  const revision = (
    /@sha1:([0-9a-f]{40})$/.exec(revisionText)?.[1] ?? revisionText
  ).toLowerCase();
  if (!SHA.test(revision)) {
    return {
      unknown: `${what}: revision "${revisionText}" is not a commit sha`,
    };
  }
  return { source, revision };
}

/**
 * Reads a version's source and revision from the registry (only hosts of `gitops.registries`):
 * an image's annotations, or a chart's from its OCI repository, falling back to the image at
 * the chart's `appVersion` when the chart names no revision.
 */
export class SourceRevisionReader {
  constructor(private readonly registry: OciRegistryClient) {}

  async read(
    version: VersionRef,
    signal?: AbortSignal,
  ): Promise<SourceRevision> {
    if (version.chart) {
      const chart = await this.readChart(version, signal);
      if ('unknown' in chart && chart.appVersion && version.image) {
        const image = await this.readImage(
          version.image,
          chart.appVersion,
          signal,
        );
        return 'unknown' in image
          ? { unknown: `${chart.unknown}; ${image.unknown}` }
          : image;
      }
      return 'unknown' in chart ? { unknown: chart.unknown } : chart;
    }
    if (!version.image) return { unknown: 'the image repository is not known' };
    return this.readImage(version.image, version.reference, signal);
  }

  private async readImage(
    image: string,
    reference: string,
    signal?: AbortSignal,
  ) {
    const ref = parseImageRepository(image);
    const what = `${image}${
      reference.startsWith('sha256:') ? '@' : ':'
    }${reference}`;
    if (!this.registry.serves(ref)) {
      return {
        unknown: `${what}: registry ${ref.host} is not in gitops.registries`,
      };
    }
    const found = await this.annotations(ref, reference, what, signal);
    return found
      ? sourceRevisionOf(found, what)
      : { unknown: `${what} is not in the registry` };
  }

  private async readChart(
    version: VersionRef,
    signal?: AbortSignal,
  ): Promise<SourceRevision & { appVersion?: string | null }> {
    const { name, source } = version.chart!;
    const what = `chart ${name} ${version.reference}`;
    if (!source?.url?.startsWith('oci://')) {
      return {
        unknown: `${what}: annotations are read from OCI chart repositories only`,
      };
    }
    const path = source.url.slice('oci://'.length).replace(/\/+$/, '');
    // An OCIRepository names the chart itself; a HelmRepository of type oci, its folder.
    const [host, ...rest] = (
      source.kind === 'OCIRepository' ? path : `${path}/${name}`
    ).split('/');
    const ref = { host, repository: rest.join('/') };
    if (!this.registry.serves(ref)) {
      return {
        unknown: `${what}: registry ${host} is not in gitops.registries`,
      };
    }
    // Helm writes build metadata's `+` as `_` in tags.
    const found = await this.annotations(
      ref,
      version.reference.replace(/\+/g, '_'),
      what,
      signal,
    );
    if (!found) return { unknown: `${what} is not in the registry` };
    return {
      ...sourceRevisionOf(found, what),
      appVersion: found.chart?.appVersion,
    };
  }

  private async annotations(
    ref: { host: string; repository: string },
    reference: string,
    what: string,
    signal?: AbortSignal,
  ) {
    try {
      return await this.registry.getAnnotations(ref, reference, { signal });
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      throw new UpstreamError(
        `Reading ${what}: ${error.message}`,
        undefined,
        error.status === 504 ? 504 : 502,
      );
    }
  }
}
