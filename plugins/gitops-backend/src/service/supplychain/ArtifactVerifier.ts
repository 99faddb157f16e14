import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  SignedEntity,
  toSignedEntity,
  toTrustMaterial,
  VerificationError,
  Verifier,
} from '@sigstore/verify';
import { createPublicKey } from 'node:crypto';
import { SIGN_PREDICATE } from './constants';
import { selectKey, TAMPERED } from './keySelection';
import {
  InTotoStatement,
  parseStatement,
  simpleSigningDigest,
} from './predicates';
import { SignedInput, toSignedInput } from './signedInput';
import { FoundArtifact } from './SupplyChainArtifactFinder';
import { TrustSource, TrustUnavailableError } from './TrustSource';

/** Who made a valid signature: a certificate's identity and issuer, or `key:<name>`. */
export interface VerifiedSigner {
  identity: string;
  issuer: string | null;
}

/** How one found artifact verified. */
export type ArtifactVerdict = {
  /** A signature of the image, or an attestation (an in-toto statement about it). */
  kind: 'signature' | 'attestation';
  source: FoundArtifact['source'];
  reference: string;
} & (
  | { valid: true; signer: VerifiedSigner; statement: InTotoStatement | null }
  | {
      valid: false;
      /** One sentence: why it does not count. */
      reason: string;
      /** Trust material could not be had: neither valid nor invalid. */
      unknown: boolean;
      predicateType: string | null;
    }
);

/**
 * Verifies signatures and attestations with `@sigstore/verify`: the signature over its payload,
 * the key or certificate against the trust material, transparency-log entries and
 * timestamps, and last that the signed subject is the image digest. No identity policy here:
 * every valid signer is kept, so that one verification serves every environment's policy.
 */
export class ArtifactVerifier {
  constructor(private readonly trust: TrustSource) {}

  async verify(
    found: FoundArtifact,
    digest: string,
    subjectManifest: Buffer | null,
  ): Promise<ArtifactVerdict> {
    const described = describe(found);
    const base = {
      kind: described.kind,
      source: found.source,
      reference: found.reference,
    };
    const fail = (reason: string, unknown = false): ArtifactVerdict => ({
      ...base,
      valid: false,
      reason,
      unknown,
      predicateType: described.predicateType,
    });
    const input = toSignedInput(found, subjectManifest);
    if ('reason' in input) return fail(input.reason);
    const content = contentOf(input, found);
    if ('reason' in content) return fail(content.reason);
    const kind = content.kind;
    const verdict = { ...base, kind };
    // A message-signature bundle signs a manifest by its digest: another one's needs no more
    // checks (and this image's manifest is not the artifact it signed).
    if (
      found.format === 'bundle' &&
      content.signedDigest &&
      content.signedDigest !== digest
    ) {
      return {
        ...fail(wrongDigest(content.signedDigest, digest, kind)),
        kind,
      };
    }
    if (input.bundle.content.$case === 'messageSignature' && !input.artifact) {
      return { ...fail('the signed image manifest could not be read'), kind };
    }
    let entity: SignedEntity;
    try {
      entity = toSignedEntity(input.bundle, input.artifact);
    } catch (error) {
      return { ...fail(`the signature is malformed (${detail(error)})`), kind };
    }
    let signer: VerifiedSigner;
    try {
      signer =
        entity.key.$case === 'certificate'
          ? await this.verifyKeyless(entity)
          : await this.verifyKeyed(entity, entity.key.hint);
    } catch (error) {
      if (error instanceof TrustUnavailableError) {
        return { ...fail(error.message, true), kind };
      }
      return { ...fail(reasonOf(error)), kind };
    }
    const signed = content.statement?.subjects ?? [content.signedDigest];
    if (!signed.includes(digest)) {
      return {
        ...fail(wrongDigest(signed.find(Boolean) ?? 'nothing', digest, kind)),
        kind,
      };
    }
    return { ...verdict, valid: true, signer, statement: content.statement };
  }

  private async verifyKeyless(entity: SignedEntity): Promise<VerifiedSigner> {
    if (entity.key.$case !== 'certificate') throw new Error('not keyless');
    const leafKey = createPublicKey({
      key: entity.key.certificate.publicKey,
      format: 'der',
      type: 'spki',
    });
    // Before trust: a payload changed after signing says so, whatever signed it.
    if (!entity.signature.verifySignature(leafKey)) throw new Error(TAMPERED);
    const root = await this.trust.certificateRoot();
    const verifier = new Verifier(toTrustMaterial(root), {
      // A private root without transparency or CT logs (bring-your-own PKI) cannot give
      // their proofs; the public-good root and the demo's have both, and then they are required.
      tlogThreshold: root.tlogs.length > 0 ? 1 : 0,
      ctlogThreshold: root.ctlogs.length > 0 ? 1 : 0,
      // A certificate lives ten minutes: it is checked at a trusted time, never "now".
      timestampThreshold: 1,
    });
    const identity = verifier.verify(entity).identity;
    return {
      identity: identity?.subjectAlternativeName ?? 'unknown identity',
      issuer: identity?.extensions?.issuer ?? null,
    };
  }

  private async verifyKeyed(
    entity: SignedEntity,
    hint: string,
  ): Promise<VerifiedSigner> {
    const key = selectKey(entity, hint, await this.trust.keys());
    const root = await this.trust.keyRoot();
    const publicKey = key.key;
    const verifier = new Verifier(
      toTrustMaterial(root, () => ({ publicKey, validFor: () => true })),
      // The configured key is the trust anchor: log entries and timestamps are verified when
      // the trusted root knows their log or authority, and not required.
      { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 },
    );
    verifier.verify(knownLogsOnly(entity, root));
    return { identity: `key:${key.name}`, issuer: null };
  }
}

function describe(found: FoundArtifact): {
  kind: 'signature' | 'attestation';
  predicateType: string | null;
} {
  if (found.format === 'legacy') {
    return {
      kind: found.attestation ? 'attestation' : 'signature',
      predicateType: found.annotations.predicateType ?? null,
    };
  }
  const predicateType = found.predicateType;
  return {
    kind:
      !predicateType || predicateType === SIGN_PREDICATE
        ? 'signature'
        : 'attestation',
    predicateType,
  };
}

/** What the signature says it is about: a statement's subjects, or a signed digest. */
function contentOf(
  input: SignedInput,
  found: FoundArtifact,
):
  | {
      kind: 'signature' | 'attestation';
      statement: InTotoStatement | null;
      signedDigest: string | null;
    }
  | { reason: string } {
  const content = input.bundle.content;
  if (content.$case === 'dsseEnvelope') {
    const envelope = content.dsseEnvelope;
    const statement = parseStatement(envelope.payloadType, envelope.payload);
    if (!statement) {
      return { reason: 'the signed envelope holds no in-toto statement' };
    }
    const isSignature =
      statement.predicateType === SIGN_PREDICATE &&
      !(found.format === 'legacy' && found.attestation);
    return {
      kind: isSignature ? 'signature' : 'attestation',
      statement,
      signedDigest: null,
    };
  }
  if (found.format === 'legacy') {
    const signedDigest = simpleSigningDigest(found.payload);
    if (!signedDigest) {
      return { reason: 'the legacy signature payload is not simple signing' };
    }
    return { kind: 'signature', statement: null, signedDigest };
  }
  return {
    kind: 'signature',
    statement: null,
    signedDigest: `sha256:${Buffer.from(
      content.messageSignature.messageDigest.digest,
    ).toString('hex')}`,
  };
}

/** Entries of logs and authorities the root does not list are left out, not failed. */
function knownLogsOnly(entity: SignedEntity, root: TrustedRoot): SignedEntity {
  const known = (logId: Buffer) =>
    root.tlogs.some(t =>
      Buffer.from(t.logId?.keyId ?? []).equals(Buffer.from(logId)),
    );
  return {
    ...entity,
    tlogEntries: entity.tlogEntries.filter(
      e => e.logId && known(e.logId.keyId),
    ),
    timestamps: entity.timestamps.filter(t =>
      t.$case === 'transparency-log'
        ? known(t.tlogEntry.logId.keyId)
        : root.timestampAuthorities.length > 0,
    ),
  };
}

export function wrongDigest(
  signed: string,
  digest: string,
  kind: 'signature' | 'attestation' = 'signature',
): string {
  return `${kind} is for ${signed} not ${digest}`;
}

/** One sentence from a verification failure. */
function reasonOf(error: unknown): string {
  if (!(error instanceof VerificationError)) return detail(error);
  const message = detail(error);
  switch (error.code) {
    case 'SIGNATURE_ERROR':
      return TAMPERED;
    case 'CERTIFICATE_ERROR':
      return /SCT/.test(message)
        ? `the certificate has no valid certificate-transparency proof (${message})`
        : `the certificate is not issued by a trusted authority (${message})`;
    case 'PUBLIC_KEY_ERROR':
      return `the signing key is not trusted (${message})`;
    case 'TIMESTAMP_ERROR':
      return `the signature has no trusted timestamp (${message})`;
    default:
      return `the transparency log entry does not verify (${message})`;
  }
}

function detail(error: unknown): string {
  const cause = (error as { cause?: Error }).cause;
  const own = (error as Error)?.message ?? String(error);
  return cause?.message && cause.message !== own
    ? `${own}: ${cause.message}`
    : own;
}
