import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ImageRepositoryRef } from '@gitops-backstage/plugin-gitops-node';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { LRUCache } from 'lru-cache';
import {
  internedCopy,
  shareParts,
} from '@gitops-backstage/plugin-gitops-repository';
import { parseImageRepository } from '../registry/imageRepository';
import { ArtifactVerifier } from './ArtifactVerifier';
import {
  assembleEvidence,
  DigestEvidence,
  unknownEvidence,
} from './digestEvidence';
import { OciArtifactReader, RepositoryPathClient } from './OciArtifactReader';
import { SupplyChainArtifactFinder } from './SupplyChainArtifactFinder';
import { SupplyChainConfig } from './supplyChainConfig';
import { TrustSource } from './TrustSource';

/** Options of {@link DigestEvidenceService}. */
export interface DigestEvidenceServiceOptions {
  /** The registry client (`OciRegistryClient`): its hosts, credentials and time-outs. */
  registry: RepositoryPathClient;
  config: SupplyChainConfig;
  logger: LoggerService;
  /** The public-good trusted root; default: `@sigstore/tuf`. Tests pass one that is offline. */
  publicGoodRoot?: () => Promise<TrustedRoot>;
  now?: () => number;
}

interface Entry {
  evidence: DigestEvidence;
  /**
   * When the result is read again: `unknown` after the back-off, `unsigned`/`invalid` after
   * the recheck delay; `null` for verified evidence, kept for good (the digest is immutable).
   */
  retryAt: number | null;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Signatures and attestations of image digests, found in their registries and verified with
 * sigstore-js, cached per digest for good (a digest's content never changes; what is attached
 * to it rarely does, and a re-signed image gets a new digest in practice). A page view only
 * `peek`s: it gets what is cached, or `null` while a background read (bounded concurrency,
 * one per digest) fills the cache. Dry runs and promotions `read` and wait.
 */
export class DigestEvidenceService {
  private readonly cache: LRUCache<string, Entry>;
  /** Reads stored so far (see {@link DigestEvidenceService.version}). */
  private stored = 0;

  /** Moves whenever a read stored evidence in the cache. */
  version(): number {
    return this.stored;
  }
  private readonly inFlight = new Map<string, Promise<DigestEvidence>>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;
  private readonly finder: SupplyChainArtifactFinder;
  private readonly verifier: ArtifactVerifier;
  private readonly now: () => number;

  constructor(private readonly options: DigestEvidenceServiceOptions) {
    const { config } = options;
    this.now = options.now ?? Date.now;
    this.cache = new LRUCache({ max: config.maxDigests });
    this.finder = new SupplyChainArtifactFinder({
      reader: new OciArtifactReader(options.registry),
      maxArtifacts: config.maxArtifacts,
      maxBytes: config.maxBytes,
    });
    this.verifier = new ArtifactVerifier(
      new TrustSource({
        trustedRootPath: config.trustedRootPath,
        keys: config.keys,
        logger: options.logger,
        publicGoodRoot: options.publicGoodRoot,
        timeoutMs: config.timeoutMs,
        retryMs: config.retryMs,
        now: this.now,
      }),
    );
  }

  /** Whether the image's registry is one of `gitops.registries` (only those are asked). */
  covers(image: string): boolean {
    const { registry } = this.options;
    return registry.serves
      ? registry.serves(parseImageRepository(image))
      : true;
  }

  /**
   * The cached evidence of a digest, or `null` when it was not read yet; never waits and never
   * touches the network. A miss (or an `unknown` result whose back-off is over) schedules a
   * background read.
   */
  peek(image: string, digest: string): DigestEvidence | null {
    if (!DIGEST.test(digest)) return null;
    const ref = parseImageRepository(image);
    const key = cacheKey(ref, digest);
    const entry = this.cache.get(key);
    if (entry && !this.isDue(entry)) return entry.evidence;
    this.schedule(key, ref, digest).catch(() => {
      // Failures become `unknown` evidence inside; nothing is left to report here.
    });
    return entry?.evidence ?? null;
  }

  /**
   * The evidence of a digest, read now when not cached (or when an `unknown` result's back-off
   * is over). The caller's signal stops its wait, not the shared read, which runs under
   * `timeoutSeconds` and fills the cache for the next caller.
   */
  async read(
    image: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<DigestEvidence> {
    if (!DIGEST.test(digest)) {
      throw new InputError(`not an image digest: ${digest}`);
    }
    const ref = parseImageRepository(image);
    const key = cacheKey(ref, digest);
    const entry = this.cache.get(key);
    // A change reads `unsigned` and `invalid` again: a signature pushed a minute ago counts.
    // `unknown` waits for its back-off (the registry was down), `verified` is kept.
    const { state } = entry?.evidence.signature ?? {};
    if (
      entry &&
      !this.isDue(entry) &&
      state !== 'unsigned' &&
      state !== 'invalid'
    ) {
      return entry.evidence;
    }
    const pending = this.schedule(key, ref, digest);
    if (!signal) return pending;
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      pending
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private isDue(entry: Entry): boolean {
    return entry.retryAt !== null && this.now() >= entry.retryAt;
  }

  /** One read per digest at a time, at most `concurrency` reads at once. */
  private schedule(
    key: string,
    ref: ImageRepositoryRef,
    digest: string,
  ): Promise<DigestEvidence> {
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.limited(() => this.readNow(ref, digest))
        .then(read => {
          // Kept for each digest of the fleet, where the same signer, issuer, note and reason
          // strings and signature parts repeat: one shared copy of each (1.2 KiB per digest
          // in a heap snapshot with the strings alone shared), frozen below the top level.
          const evidence = shareParts(internedCopy(read));
          const { state } = evidence.signature;
          const { retryMs, recheckUnverifiedMs } = this.options.config;
          let retryAt: number | null = null;
          if (state === 'unknown') retryAt = this.now() + retryMs;
          else if (state !== 'verified') {
            retryAt = this.now() + recheckUnverifiedMs;
          }
          this.cache.set(key, { evidence, retryAt });
          this.stored += 1;
          return evidence;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.config.concurrency) {
      // The finishing read hands its slot over: `running` already counts this one.
      await new Promise<void>(resolve => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Finds and verifies; every failure becomes `unknown` evidence with its reason. */
  private async readNow(
    ref: ImageRepositoryRef,
    digest: string,
  ): Promise<DigestEvidence> {
    const image = `${ref.host}/${ref.repository}`;
    const checkedAt = new Date(this.now()).toISOString();
    const { timeoutMs } = this.options.config;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const found = await this.finder.findSupplyChainArtifacts(
        ref,
        digest,
        signal,
      );
      const verdicts = [];
      for (const artifact of found.artifacts) {
        verdicts.push(
          await this.verifier.verify(artifact, digest, found.subjectManifest),
        );
      }
      const evidence = assembleEvidence(
        image,
        digest,
        verdicts,
        found.notes,
        checkedAt,
      );
      this.options.logger.debug(
        `supply chain ${image}@${digest}: ${evidence.signature.state}${
          evidence.signature.reason ? ` (${evidence.signature.reason})` : ''
        }`,
      );
      return evidence;
    } catch (error) {
      const reason = signal.aborted
        ? `registry: no answer within ${timeoutMs / 1000} s`
        : `registry: ${(error as Error).message}`;
      this.options.logger.info(
        `supply chain ${image}@${digest}: unknown, ${reason}`,
      );
      return unknownEvidence(image, digest, reason, checkedAt);
    }
  }
}

function cacheKey(ref: ImageRepositoryRef, digest: string): string {
  return `${ref.host}/${ref.repository}@${digest}`;
}
