import { Config } from '@backstage/config';

/** A public key keyed signatures may be made with: inline PEM, or a PEM file. */
export interface SupplyChainKeyConfig {
  /** Shown as the signer (`key:<name>`) and named by policies (`{ key: <name> }`). */
  name: string;
  publicKey?: string;
  path?: string;
}

/** `gitops.supplyChain`, defaults applied. */
export interface SupplyChainConfig {
  /** A Sigstore TrustedRoot JSON file; `null`: the public-good root, for keyless signatures. */
  trustedRootPath: string | null;
  keys: SupplyChainKeyConfig[];
  /** The longest one digest's registry evidence may take to read and verify. */
  timeoutMs: number;
  /** Digests read from registries at once. */
  concurrency: number;
  /** Digests whose evidence is kept in memory. */
  maxDigests: number;
  /** How long an `unknown` result (registry down) is kept before it is read again. */
  retryMs: number;
  /**
   * An `unsigned` or `invalid` result is read again after this long in views (CI signs after
   * it pushes, so a signature may come minutes later); changes always read it again.
   */
  recheckUnverifiedMs: number;
  /** Signature and attestation artifacts read per digest at most. */
  maxArtifacts: number;
  /** Bytes of bundles and layers read per digest at most. */
  maxBytes: number;
}

/** Reads `gitops.supplyChain` from the `gitops` block. */
export function readSupplyChainConfig(
  root: Config | undefined,
): SupplyChainConfig {
  const block = root?.getOptionalConfig('supplyChain');
  const keys = (block?.getOptionalConfigArray('keys') ?? []).map(
    (entry, index) => {
      const name = entry.getString('name');
      const publicKey = entry.getOptionalString('publicKey');
      const path = entry.getOptionalString('path');
      if (!publicKey === !path) {
        throw new Error(
          `gitops.supplyChain.keys[${index}] (${name}) needs exactly one of publicKey and path`,
        );
      }
      return { name, publicKey, path };
    },
  );
  const names = new Set<string>();
  for (const key of keys) {
    if (names.has(key.name)) {
      throw new Error(`gitops.supplyChain.keys names ${key.name} twice`);
    }
    names.add(key.name);
  }
  const number = (key: string, fallback: number, min: number, max: number) => {
    const value = block?.getOptionalNumber(key) ?? fallback;
    if (!(value >= min && value <= max)) {
      throw new Error(
        `gitops.supplyChain.${key} must be between ${min} and ${max}, not ${value}`,
      );
    }
    return value;
  };
  return {
    trustedRootPath: block?.getOptionalString('trustedRoot') ?? null,
    keys,
    timeoutMs: number('timeoutSeconds', 20, 1, 600) * 1000,
    concurrency: number('concurrency', 4, 1, 64),
    maxDigests: number('maxDigests', 50_000, 1, 1_000_000),
    retryMs: number('retrySeconds', 60, 1, 86_400) * 1000,
    recheckUnverifiedMs:
      number('recheckUnverifiedSeconds', 300, 1, 604_800) * 1000,
    maxArtifacts: number('maxArtifacts', 20, 1, 1000),
    maxBytes: number('maxBytes', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  };
}
