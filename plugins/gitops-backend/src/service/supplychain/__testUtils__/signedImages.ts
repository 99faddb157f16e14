import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  KeyPairSigner,
  LocalSigstore,
  OciClient,
  pushTestImage,
} from 'supply-chain-testkit';
import { OciRegistryClient } from '../../registry/OciRegistryClient';
import { DigestEvidenceService } from '../DigestEvidenceService';
import { SupplyChainConfig } from '../supplyChainConfig';

export const GITHUB = 'https://token.actions.githubusercontent.com';
export const WORKFLOW =
  'https://github.com/acme/payments/.github/workflows/release.yml@refs/heads/main';
export const OTHER_WORKFLOW =
  'https://github.com/mallory/payments/.github/workflows/release.yml@refs/heads/main';
/** The policy of the acceptance table: the release workflow of the service's repository. */
export const RELEASE_POLICY = [
  {
    issuer: GITHUB,
    subject:
      'https://github\\.com/acme/{service}/\\.github/workflows/release\\.yml@refs/heads/main',
  },
];

/** A local Sigstore, its trusted root in a file, and a release key, for one test file. */
export class SigningWorld {
  private constructor(
    readonly sigstore: LocalSigstore,
    /** Another Sigstore nobody trusts. */
    readonly stranger: LocalSigstore,
    readonly dir: string,
    readonly key: KeyPairSigner,
  ) {}

  static async create(): Promise<SigningWorld> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-supplychain-'));
    const sigstore = await LocalSigstore.create();
    const stranger = await LocalSigstore.create();
    fs.writeFileSync(
      path.join(dir, 'trusted_root.json'),
      JSON.stringify(sigstore.trustedRoot()),
    );
    return new SigningWorld(
      sigstore,
      stranger,
      dir,
      sigstore.keyPairSigner('release'),
    );
  }

  get trustedRootPath(): string {
    return path.join(this.dir, 'trusted_root.json');
  }

  config(overrides: Partial<SupplyChainConfig> = {}): SupplyChainConfig {
    return {
      trustedRootPath: this.trustedRootPath,
      keys: [{ name: 'release', publicKey: this.key.publicKeyPem }],
      timeoutMs: 10_000,
      concurrency: 4,
      maxDigests: 100,
      retryMs: 60_000,
      recheckUnverifiedMs: 300_000,
      maxArtifacts: 20,
      maxBytes: 4 * 1024 * 1024,
      ...overrides,
    };
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The evidence service over a registry host, offline: the public-good root is never fetched. */
export function evidenceService(
  host: string,
  config: SupplyChainConfig,
  now?: () => number,
): DigestEvidenceService {
  const logger = mockServices.logger.mock();
  return new DigestEvidenceService({
    registry: new OciRegistryClient({
      hosts: [{ host }],
      logger,
      timeoutMs: 5000,
      cacheTtlMs: 60_000,
    }),
    config,
    logger,
    publicGoodRoot: () =>
      Promise.reject(new Error('tests do not reach the public-good TUF')),
    now,
  });
}

let seeds = 0;

/** A fresh image (its own digest) in a repository. */
export async function pushImage(
  client: OciClient,
  repository: string,
): Promise<string> {
  seeds++;
  const pushed = await pushTestImage(
    client,
    repository,
    [`v${seeds}`],
    `image ${seeds} ${Math.random()}`,
  );
  return pushed.digest;
}
