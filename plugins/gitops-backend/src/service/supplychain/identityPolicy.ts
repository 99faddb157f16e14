import { SignatureEvidence } from '@gitops-backstage/plugin-gitops-common';
import { DigestEvidence } from './digestEvidence';

/**
 * A signer an environment accepts (`policy.supplyChain.requireSignature.identities[]`): a
 * certificate identity (`subject` a regular expression matched against the whole identity,
 * `{service}` standing for the entity's name, absent: any; `issuer` exact, absent or `null`:
 * any), or a configured key by name.
 */
export type AllowedIdentity =
  | { issuer?: string | null; subject?: string }
  | { key: string };

/**
 * The signature evidence of a digest under an identity policy: `verified` by the first valid
 * signer the policy allows; `invalid` ("identity not allowed") when every valid signer is
 * someone else. Without a policy (or without valid signers) the evidence is as verified.
 * Applied to the cached signers, so one registry read serves every environment's policy.
 */
export function signatureUnderPolicy(
  evidence: Pick<DigestEvidence, 'signature' | 'signers'>,
  allowed: AllowedIdentity[] | null | undefined,
  context: { service?: string } = {},
): SignatureEvidence {
  if (!allowed?.length || evidence.signers.length === 0) {
    return evidence.signature;
  }
  const accepted = evidence.signers.filter(signer =>
    allowed.some(identity => allowsSigner(identity, signer, context.service)),
  );
  const signers = evidence.signers.map(({ identity, issuer }) => ({
    identity,
    issuer,
  }));
  if (accepted.length > 0) {
    return {
      state: 'verified',
      identity: accepted[0].identity,
      issuer: accepted[0].issuer,
      reason: null,
      source: accepted[0].source,
      signers,
    };
  }
  const found = evidence.signers.map(describeSigner).join(', ');
  const expected = allowed
    .map(identity => describeAllowed(identity, context.service))
    .join(' or ');
  return {
    state: 'invalid',
    identity: evidence.signers[0].identity,
    issuer: evidence.signers[0].issuer,
    reason: `identity not allowed: signed by ${found}, expected ${expected}`,
    source: evidence.signers[0].source,
    signers,
  };
}

/** Whether an accepted signer is this one: a key by name, or a certificate identity. */
export function allowsSigner(
  identity: AllowedIdentity,
  signer: { identity: string; issuer: string | null },
  service: string | undefined,
): boolean {
  if ('key' in identity) return signer.identity === `key:${identity.key}`;
  if (signer.identity.startsWith('key:')) return false;
  if (identity.issuer && identity.issuer !== signer.issuer) return false;
  return (
    identity.subject === undefined ||
    subjectPattern(identity.subject, service).test(signer.identity)
  );
}

/** The subject as an anchored expression; one that does not compile matches only itself. */
export function subjectPattern(
  subject: string,
  service: string | undefined,
): RegExp {
  const source = service
    ? subject.split('{service}').join(escapeRegExp(service))
    : subject;
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return new RegExp(`^${escapeRegExp(source)}$`);
  }
}

function describeSigner(signer: {
  identity: string;
  issuer: string | null;
}): string {
  return signer.issuer
    ? `${signer.identity} (${signer.issuer})`
    : signer.identity;
}

function describeAllowed(
  identity: AllowedIdentity,
  service: string | undefined,
): string {
  if ('key' in identity) return `key:${identity.key}`;
  const subject =
    identity.subject === undefined
      ? 'any identity'
      : identity.subject.split('{service}').join(service ?? '{service}');
  return identity.issuer ? `${subject} (${identity.issuer})` : subject;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
