import { ImageRepositoryRef } from '@gitops-backstage/plugin-gitops-node';
import {
  BUNDLE_MEDIA_TYPE,
  COSIGN_PREDICATE_ANNOTATION,
  DSSE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  SIGN_PREDICATE,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from './constants';
import {
  OciArtifactReader,
  OciDescriptor,
  OciManifest,
  ReadBudget,
} from './OciArtifactReader';
import { predicateKind } from './predicates';

/** A Sigstore bundle attached to the digest (cosign v3 and other bundle writers). */
export interface FoundBundle {
  format: 'bundle';
  /** Listed by the referrers API, or by the `sha256-<hex>` tag of the tag schema. */
  source: 'referrers' | 'tag';
  /** Digest of the referrer manifest holding the bundle. */
  reference: string;
  /** From the referrer's annotations; `null` for a message signature or when not said. */
  predicateType: string | null;
  /** The bundle's JSON. */
  json: unknown;
}

/** A layer of a legacy cosign `sha256-<hex>.sig` or `.att` manifest. */
export interface FoundLegacy {
  format: 'legacy';
  source: 'legacy';
  /** `sha256-<hex>.sig` and the layer's digest. */
  reference: string;
  /** An `.att` layer (a DSSE envelope) rather than a `.sig` one (a simple-signing payload). */
  attestation: boolean;
  payload: Buffer;
  /** The layer's annotations: signature, certificate, chain, Rekor bundle. */
  annotations: Record<string, string>;
}

export type FoundArtifact = FoundBundle | FoundLegacy;

/** What the registry holds about one digest. */
export interface FoundArtifacts {
  artifacts: FoundArtifact[];
  /** Whether the registry answered the referrers API (else the tag schema was read). */
  referrersApi: boolean;
  /** E.g. "2 attestations not read: the byte limit". */
  notes: string[];
  /** The image manifest, read only when a message-signature bundle signs its bytes. */
  subjectManifest: Buffer | null;
}

/** Options of {@link SupplyChainArtifactFinder}. */
export interface SupplyChainArtifactFinderOptions {
  reader: OciArtifactReader;
  /** Artifacts read per digest at most. */
  maxArtifacts: number;
  /** Bytes of bundles and layers read per digest at most. */
  maxBytes: number;
}

interface Candidate {
  priority: number;
  read(budget: ReadBudget): Promise<FoundArtifact[]>;
}

/**
 * Finds the signatures and attestations of an image digest in its repository: the OCI 1.1
 * referrers API, the referrers tag schema (`sha256-<hex>`) when the registry has no such API,
 * and cosign's legacy `sha256-<hex>.sig` and `.att` tags. Reads signatures first and SBOMs
 * last, so that the budget goes to what the gates need.
 */
export class SupplyChainArtifactFinder {
  constructor(private readonly options: SupplyChainArtifactFinderOptions) {}

  async findSupplyChainArtifacts(
    image: ImageRepositoryRef,
    digest: string,
    signal: AbortSignal,
  ): Promise<FoundArtifacts> {
    const { reader } = this.options;
    const tag = digest.replace(':', '-');
    const [referrers, sig, att] = await Promise.all([
      reader.referrers(image, digest, signal),
      reader.manifest(image, `${tag}.sig`, signal),
      reader.manifest(image, `${tag}.att`, signal),
    ]);
    let listed = referrers;
    if (!listed) {
      const index = await reader.manifest(image, tag, signal);
      listed = index?.isIndex ? index.manifests : [];
    }
    const source = referrers ? 'referrers' : 'tag';
    const candidates: Candidate[] = [
      ...listed
        .filter(d => BUNDLE_MEDIA_TYPE.test(d.artifactType ?? ''))
        .map(d => this.bundleCandidate(image, d, source, signal)),
      ...(sig ? this.legacyCandidates(image, sig, false, signal) : []),
      ...(att ? this.legacyCandidates(image, att, true, signal) : []),
    ].sort((a, b) => a.priority - b.priority);

    const budget = new ReadBudget(
      this.options.maxBytes,
      this.options.maxArtifacts,
    );
    const artifacts: FoundArtifact[] = [];
    for (const candidate of candidates) {
      if (budget.takeArtifact())
        artifacts.push(...(await candidate.read(budget)));
    }
    const notes = [...budget.skipped].map(
      ([limit, count]) =>
        `${count} signature or attestation artifact${
          count === 1 ? ' was' : 's were'
        } not read: more than the ${
          limit === 'bytes'
            ? `${this.options.maxBytes} bytes`
            : `${this.options.maxArtifacts} artifacts`
        } read per digest`,
    );
    const signsManifest = artifacts.some(
      a => a.format === 'bundle' && (a.json as any)?.messageSignature,
    );
    const subjectManifest = signsManifest
      ? (await reader.manifest(image, digest, signal))?.bytes ?? null
      : null;
    return {
      artifacts,
      referrersApi: referrers !== null,
      notes,
      subjectManifest,
    };
  }

  private bundleCandidate(
    image: ImageRepositoryRef,
    descriptor: OciDescriptor,
    source: 'referrers' | 'tag',
    signal: AbortSignal,
  ): Candidate {
    const predicateType =
      descriptor.annotations[PREDICATE_TYPE_ANNOTATION] ?? null;
    return {
      priority: priorityOf(predicateType),
      read: async budget => {
        const manifest = await this.options.reader.manifest(
          image,
          descriptor.digest,
          signal,
        );
        const layer = manifest?.layers.find(l =>
          BUNDLE_MEDIA_TYPE.test(l.mediaType ?? ''),
        );
        if (!manifest || !layer) return [];
        const bytes = await this.readLayer(image, layer, budget, signal);
        const json = bytes ? parseJson(bytes) : undefined;
        if (json === undefined) return [];
        return [
          {
            format: 'bundle',
            source,
            reference: descriptor.digest,
            predicateType:
              predicateType ??
              manifest.annotations[PREDICATE_TYPE_ANNOTATION] ??
              null,
            json,
          },
        ];
      },
    };
  }

  private legacyCandidates(
    image: ImageRepositoryRef,
    manifest: OciManifest,
    attestation: boolean,
    signal: AbortSignal,
  ): Candidate[] {
    const mediaType = attestation ? DSSE_MEDIA_TYPE : SIMPLE_SIGNING_MEDIA_TYPE;
    return manifest.layers
      .filter(layer => layer.mediaType === mediaType)
      .map(layer => ({
        priority: attestation
          ? priorityOf(layer.annotations[COSIGN_PREDICATE_ANNOTATION] ?? '')
          : 0,
        read: async budget => {
          const payload = await this.readLayer(image, layer, budget, signal);
          if (!payload) return [];
          return [
            {
              format: 'legacy',
              source: 'legacy',
              reference: `${manifest.digest} ${layer.digest}`,
              attestation,
              payload,
              annotations: layer.annotations,
            },
          ];
        },
      }));
  }

  /** A layer within the byte budget; `null` (and nothing read) when it does not fit. */
  private async readLayer(
    image: ImageRepositoryRef,
    layer: OciDescriptor,
    budget: ReadBudget,
    signal: AbortSignal,
  ): Promise<Buffer | null> {
    // A descriptor without a size would let the registry decide how much is read.
    const size = layer.size ?? Number.MAX_SAFE_INTEGER;
    if (!budget.takeBytes(size)) return null;
    const bytes = await this.options.reader.blob(
      image,
      layer.digest,
      size,
      signal,
    );
    if (bytes) budget.refund(size - bytes.length);
    return bytes;
  }
}

/** Signatures first, then provenance and scans, then the rest, SBOMs (large) last. */
function priorityOf(predicateType: string | null): number {
  if (!predicateType || predicateType === SIGN_PREDICATE) return 0;
  switch (predicateKind(predicateType)) {
    case 'provenance':
      return 1;
    case 'vulnerabilities':
      return 2;
    case 'sbom':
      return 4;
    default:
      return 3;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
