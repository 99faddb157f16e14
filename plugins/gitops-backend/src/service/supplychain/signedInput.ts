import {
  assertBundle,
  Bundle,
  bundleFromJSON,
  envelopeFromJSON,
  TransparencyLogEntry,
} from '@sigstore/bundle';
import { pem } from '@sigstore/core';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { createHash } from 'node:crypto';
import {
  COSIGN_BUNDLE_ANNOTATION,
  COSIGN_CERTIFICATE_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  COSIGN_TIMESTAMP_ANNOTATION,
} from './constants';
import { FoundArtifact, FoundLegacy } from './SupplyChainArtifactFinder';

/** A signature in the shape `@sigstore/verify` verifies. */
export interface SignedInput {
  bundle: Bundle;
  /** The bytes a message signature signs: a legacy payload, or the image manifest. */
  artifact?: Buffer;
}

/** Why an artifact cannot be verified at all (malformed): one sentence. */
export interface Unreadable {
  reason: string;
}

/**
 * A found artifact as a Sigstore bundle. Legacy cosign layers are converted the way cosign
 * itself reads them: the simple-signing payload becomes a message signature over its SHA-256,
 * an `.att` layer's DSSE envelope the bundle's envelope; the certificate annotation the
 * verification material; the Rekor bundle annotation a transparency-log entry with its
 * inclusion promise (a signed entry timestamp, as bundle v0.1 carries it).
 */
export function toSignedInput(
  found: FoundArtifact,
  subjectManifest: Buffer | null,
): SignedInput | Unreadable {
  if (found.format === 'legacy') return fromLegacy(found);
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(found.json);
  } catch (error) {
    return { reason: `the signature bundle is malformed (${message(error)})` };
  }
  if (bundle.content.$case === 'messageSignature') {
    // A message signature attached to an image signs the image manifest's bytes.
    return { bundle, artifact: subjectManifest ?? undefined };
  }
  return { bundle };
}

function fromLegacy(found: FoundLegacy): SignedInput | Unreadable {
  const annotations = found.annotations;
  try {
    const certificate = annotations[COSIGN_CERTIFICATE_ANNOTATION];
    const verificationMaterial: Bundle['verificationMaterial'] = {
      content: certificate
        ? {
            $case: 'x509CertificateChain',
            x509CertificateChain: {
              certificates: [{ rawBytes: pem.toDER(certificate) }],
            },
          }
        : { $case: 'publicKey', publicKey: { hint: '' } },
      tlogEntries: tlogEntries(annotations[COSIGN_BUNDLE_ANNOTATION]),
      timestampVerificationData: {
        rfc3161Timestamps: timestamps(annotations[COSIGN_TIMESTAMP_ANNOTATION]),
      },
    };
    let bundle: Bundle;
    if (found.attestation) {
      bundle = {
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
        verificationMaterial,
        content: {
          $case: 'dsseEnvelope',
          dsseEnvelope: envelopeFromJSON(
            JSON.parse(found.payload.toString('utf8')),
          ),
        },
      };
    } else {
      const signature = annotations[COSIGN_SIGNATURE_ANNOTATION];
      if (!signature) {
        return {
          reason: `the legacy signature has no ${COSIGN_SIGNATURE_ANNOTATION} annotation`,
        };
      }
      bundle = {
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
        verificationMaterial,
        content: {
          $case: 'messageSignature',
          messageSignature: {
            messageDigest: {
              algorithm: HashAlgorithm.SHA2_256,
              digest: createHash('sha256').update(found.payload).digest(),
            },
            signature: Buffer.from(signature, 'base64'),
          },
        },
      };
    }
    assertBundle(bundle);
    return {
      bundle,
      artifact: found.attestation ? undefined : found.payload,
    };
  } catch (error) {
    return {
      reason: `the legacy ${
        found.attestation ? 'attestation' : 'signature'
      } is malformed (${message(error)})`,
    };
  }
}

/**
 * cosign's Rekor bundle annotation:
 * `{"SignedEntryTimestamp": b64, "Payload": {"body": b64, "integratedTime", "logIndex", "logID": hex}}`.
 */
function tlogEntries(annotation: string | undefined): TransparencyLogEntry[] {
  if (!annotation) return [];
  const rekor = JSON.parse(annotation);
  const payload = rekor?.Payload;
  if (!payload?.body || !rekor.SignedEntryTimestamp) {
    throw new Error(
      `${COSIGN_BUNDLE_ANNOTATION} has no Payload or SignedEntryTimestamp`,
    );
  }
  const body = Buffer.from(String(payload.body), 'base64');
  const parsed = JSON.parse(body.toString('utf8'));
  return [
    {
      logIndex: String(payload.logIndex),
      logId: { keyId: Buffer.from(String(payload.logID), 'hex') },
      kindVersion: {
        kind: String(parsed.kind),
        version: String(parsed.apiVersion),
      },
      integratedTime: String(payload.integratedTime),
      inclusionPromise: {
        signedEntryTimestamp: Buffer.from(
          String(rekor.SignedEntryTimestamp),
          'base64',
        ),
      },
      inclusionProof: undefined,
      canonicalizedBody: body,
    },
  ];
}

/** cosign's RFC 3161 annotation: `{"SignedRFC3161Timestamp": b64}`. */
function timestamps(annotation: string | undefined) {
  if (!annotation) return [];
  const value = JSON.parse(annotation)?.SignedRFC3161Timestamp;
  return value
    ? [{ signedTimestamp: Buffer.from(String(value), 'base64') }]
    : [];
}

function message(error: unknown): string {
  const details = (error as { fields?: string[] }).fields;
  return details?.length
    ? `${(error as Error).message}: ${details.join(', ')}`
    : (error as Error).message;
}
