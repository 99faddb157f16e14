import { SignedEntity } from '@sigstore/verify';
import { createPublicKey, KeyObject } from 'node:crypto';
import { NamedKey } from './TrustSource';

/** The sentence for a signature over other bytes than those found. */
export const TAMPERED = 'signature does not match its payload';

/**
 * The configured key a keyed signature was made with, or an error whose message says why there
 * is none. A bundle's hint names the key (cosign: base64 SHA-256 of the public key); legacy
 * signatures have no hint, but their transparency-log entry records the key, which tells a
 * changed payload from a key that is not configured.
 */
export function selectKey(
  entity: SignedEntity,
  hint: string,
  keys: NamedKey[],
): NamedKey {
  if (keys.length === 0) {
    throw new Error(
      'signed with a key, and no keys are configured (gitops.supplyChain.keys)',
    );
  }
  const verifies = (key: KeyObject) => entity.signature.verifySignature(key);
  const named = hint ? keys.find(k => k.hints.includes(hint)) : undefined;
  if (named) {
    if (!verifies(named.key)) throw new Error(TAMPERED);
    return named;
  }
  const found = keys.find(k => verifies(k.key));
  if (found) return found;
  const logged = loggedKeys(entity);
  const notConfigured = `the signing key is not one of the configured keys (${keys
    .map(k => k.name)
    .join(', ')})`;
  if (logged.length > 0) {
    throw new Error(logged.some(verifies) ? notConfigured : TAMPERED);
  }
  // Without a hint or a log entry the two cannot be told apart: say both.
  throw new Error(
    hint
      ? notConfigured
      : `${TAMPERED}, or it was made with a key not configured`,
  );
}

/** The verifier keys a signature's Rekor entries record (hashedrekord, dsse, intoto bodies). */
function loggedKeys(entity: SignedEntity): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const entry of entity.tlogEntries) {
    try {
      const body = JSON.parse(entry.canonicalizedBody.toString('utf8'));
      const spec = body?.spec ?? {};
      const pem =
        spec.signature?.publicKey?.content ??
        spec.signatures?.[0]?.verifier ??
        spec.content?.envelope?.signatures?.[0]?.publicKey;
      // A certificate PEM works as well: its public key is taken.
      if (typeof pem === 'string') {
        keys.push(createPublicKey(Buffer.from(pem, 'base64').toString('utf8')));
      }
    } catch {
      // An entry that does not parse records no key; its verification fails later anyway.
    }
  }
  return keys;
}
