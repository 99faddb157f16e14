import { LoggerService } from '@backstage/backend-plugin-api';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { getTrustedRoot } from '@sigstore/tuf';
import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import { SupplyChainKeyConfig } from './supplyChainConfig';
import { WatchedFile } from './WatchedFile';

/** A configured public key, ready to verify with. */
export interface NamedKey {
  name: string;
  key: KeyObject;
  /** What a bundle's `publicKey.hint` may say of it: its name, or its SPKI SHA-256 (hex, base64). */
  hints: string[];
}

/** Trust material could not be had (a missing file, the public-good root offline): `unknown`. */
export class TrustUnavailableError extends Error {
  readonly name = 'TrustUnavailableError';
}

/** Options of {@link TrustSource}. */
export interface TrustSourceOptions {
  /** A TrustedRoot JSON file (`gitops.supplyChain.trustedRoot`). */
  trustedRootPath: string | null;
  keys: SupplyChainKeyConfig[];
  logger: LoggerService;
  /**
   * The Sigstore public-good trusted root, for keyless signatures when no root is configured.
   * Default: fetched with `@sigstore/tuf` (its TUF repository, cached on disk).
   */
  publicGoodRoot?: () => Promise<TrustedRoot>;
  /** How long a fetch of the public-good root may take. */
  timeoutMs: number;
  /** How long a failed fetch of the public-good root is not tried again. */
  retryMs: number;
  now?: () => number;
}

/** The public-good root is refreshed daily: keys rotate rarely and are announced ahead. */
const PUBLIC_GOOD_TTL_MS = 24 * 60 * 60_000;

/** No authorities: a keyed signature's log entries are then left out, not failed. */
const EMPTY_ROOT: TrustedRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

/**
 * The trust material verification needs: the configured trusted root (a file read lazily and
 * again whenever it changes, so a demo may write it after the backend started), the
 * configured public keys (inline or files, read the same way), and, only when a keyless
 * signature must be verified without a configured root, the public-good root over TUF.
 */
export class TrustSource {
  private readonly rootFile: WatchedFile<TrustedRoot> | null;
  private readonly keyFiles: Array<{
    name: string;
    file: WatchedFile<NamedKey> | null;
    inline: NamedKey | null;
  }>;
  private publicGood: { root: TrustedRoot; at: number } | null = null;
  private publicGoodFailure: { error: Error; at: number } | null = null;
  private publicGoodFetch: Promise<TrustedRoot> | null = null;

  constructor(private readonly options: TrustSourceOptions) {
    this.rootFile = options.trustedRootPath
      ? new WatchedFile(options.trustedRootPath, text =>
          TrustedRoot.fromJSON(JSON.parse(text)),
        )
      : null;
    this.keyFiles = options.keys.map(k => ({
      name: k.name,
      inline: k.publicKey ? namedKey(k.name, k.publicKey) : null,
      file:
        !k.publicKey && k.path
          ? new WatchedFile(k.path, text => namedKey(k.name, text))
          : null,
    }));
  }

  /** Whether any public key is configured (else keyed signatures cannot verify). */
  get hasKeys(): boolean {
    return this.keyFiles.length > 0;
  }

  /** The configured keys; one that cannot be read is left out and logged. */
  async keys(): Promise<NamedKey[]> {
    const keys: NamedKey[] = [];
    for (const entry of this.keyFiles) {
      if (entry.inline) keys.push(entry.inline);
      else if (entry.file) {
        try {
          keys.push(await entry.file.get());
        } catch (error) {
          this.options.logger.warn(
            `gitops.supplyChain.keys ${entry.name}: ${
              (error as Error).message
            }`,
          );
        }
      }
    }
    return keys;
  }

  /**
   * The root whose transparency logs (and time-stamp authorities) keyed signatures are checked
   * against: the configured one, else none — a configured key is trust enough, and asking the
   * public-good TUF repository for every keyed signature would make keyed setups depend on it.
   */
  async keyRoot(): Promise<TrustedRoot> {
    return this.rootFile ? this.configuredRoot() : EMPTY_ROOT;
  }

  /** The root certificates chain to: the configured one, else the public-good one. */
  async certificateRoot(): Promise<TrustedRoot> {
    return this.rootFile ? this.configuredRoot() : this.publicGoodRoot();
  }

  private async configuredRoot(): Promise<TrustedRoot> {
    try {
      return await this.rootFile!.get();
    } catch (error) {
      throw new TrustUnavailableError(
        `the trusted root ${this.options.trustedRootPath} cannot be read (${
          (error as Error).message
        })`,
      );
    }
  }

  private async publicGoodRoot(): Promise<TrustedRoot> {
    const now = (this.options.now ?? Date.now)();
    if (this.publicGood && now - this.publicGood.at < PUBLIC_GOOD_TTL_MS) {
      return this.publicGood.root;
    }
    if (
      this.publicGoodFailure &&
      now - this.publicGoodFailure.at < this.options.retryMs
    ) {
      throw this.publicGoodFailure.error;
    }
    this.publicGoodFetch ??= this.fetchPublicGood().finally(() => {
      this.publicGoodFetch = null;
    });
    return this.publicGoodFetch;
  }

  private async fetchPublicGood(): Promise<TrustedRoot> {
    const { timeoutMs } = this.options;
    const fetchRoot =
      this.options.publicGoodRoot ??
      (() => getTrustedRoot({ timeout: timeoutMs, retry: { retries: 0 } }));
    let timer: NodeJS.Timeout | undefined;
    try {
      // The TUF client takes a time-out per request, not a signal: bound the whole update.
      const root = await Promise.race([
        fetchRoot(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      this.publicGood = { root, at: (this.options.now ?? Date.now)() };
      this.publicGoodFailure = null;
      return root;
    } catch (error) {
      const failure = new TrustUnavailableError(
        `the Sigstore public-good trusted root cannot be fetched (${
          (error as Error).message
        }); configure gitops.supplyChain.trustedRoot to verify offline`,
      );
      this.publicGoodFailure = {
        error: failure,
        at: (this.options.now ?? Date.now)(),
      };
      this.options.logger.warn(failure.message);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }
}

function namedKey(name: string, pem: string): NamedKey {
  const key = createPublicKey(pem);
  const spki = createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest();
  return {
    name,
    key,
    hints: [name, spki.toString('hex'), spki.toString('base64')],
  };
}
