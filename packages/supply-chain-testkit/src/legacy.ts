import { createHash } from 'node:crypto';
import {
  IN_TOTO_PAYLOAD_TYPE,
  InTotoStatement,
  IN_TOTO_STATEMENT_V1,
} from './bundles';
import { digestHex } from './digest';
import type { LocalSigstore } from './LocalSigstore';
import type { RekorEntry } from './localRekor';
import type { ImageSigner } from './signers';

export const SIMPLE_SIGNING_MEDIA_TYPE =
  'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const COSIGN_CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const COSIGN_CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const COSIGN_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/** One layer of a legacy cosign `.sig` or `.att` image: its bytes, media type and annotations. */
export interface LegacyLayer {
  mediaType: string;
  content: Buffer;
  annotations: Record<string, string>;
}

/**
 * A legacy cosign signature layer (`cosign sign` before v3, the `sha256-<hex>.sig` tag): the
 * simple-signing payload naming the repository and digest, signed, with the signature (base64),
 * the certificate and chain (keyless) and the Rekor bundle in the layer's annotations. Rekor logs
 * it as a `hashedrekord` of the payload's SHA-256.
 */
export async function legacySignature(options: {
  sigstore: LocalSigstore;
  /** The docker reference the payload names, e.g. `ghcr.io/acme/guestbook`. */
  repository: string;
  digest: string;
  signer: ImageSigner;
}): Promise<LegacyLayer> {
  digestHex(options.digest);
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': options.repository },
        image: { 'docker-manifest-digest': options.digest },
        type: SIMPLE_SIGNING_TYPE,
      },
      optional: null,
    }),
  );
  const { signature } = await options.signer.sign(payload);
  const verifierPem = await options.signer.verifierPem();
  const entry = await options.sigstore.tlog.logHashedRekord(
    createHash('sha256').update(payload).digest('hex'),
    signature,
    verifierPem,
  );
  return {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    content: payload,
    annotations: {
      [COSIGN_SIGNATURE_ANNOTATION]: signature.toString('base64'),
      ...certificateAnnotations(options.signer, verifierPem),
      [COSIGN_BUNDLE_ANNOTATION]: rekorBundleAnnotation(entry),
    },
  };
}

/**
 * A legacy cosign attestation layer (`cosign attest` before v3, the `sha256-<hex>.att` tag): a
 * DSSE envelope (in-toto Statement v1 about the image) with `predicateType`, the certificate and
 * the Rekor bundle (a `dsse` entry) as annotations; the signature annotation is empty, as cosign
 * writes it for attestations.
 */
export async function legacyAttestation(options: {
  sigstore: LocalSigstore;
  repository: string;
  digest: string;
  signer: ImageSigner;
  predicateType: string;
  predicate: unknown;
}): Promise<LegacyLayer> {
  const statement: InTotoStatement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [
      {
        name: options.repository,
        digest: { sha256: digestHex(options.digest) },
      },
    ],
    predicateType: options.predicateType,
    predicate: options.predicate,
  };
  const payload = Buffer.from(JSON.stringify(statement));
  const { signature } = await options.signer.sign(
    preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload),
  );
  const envelope = JSON.stringify({
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: payload.toString('base64'),
    signatures: [{ keyid: '', sig: signature.toString('base64') }],
  });
  const verifierPem = await options.signer.verifierPem();
  const entry = await options.sigstore.tlog.logDsse(
    envelope,
    payload,
    signature,
    verifierPem,
  );
  return {
    mediaType: DSSE_ENVELOPE_MEDIA_TYPE,
    content: Buffer.from(envelope),
    annotations: {
      [COSIGN_SIGNATURE_ANNOTATION]: '',
      predicateType: options.predicateType,
      ...certificateAnnotations(options.signer, verifierPem),
      [COSIGN_BUNDLE_ANNOTATION]: rekorBundleAnnotation(entry),
    },
  };
}

/** DSSE's pre-authentication encoding, what an envelope's signature is over. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

/** cosign's `bundle` annotation: Rekor's signed entry timestamp and the payload it covers. */
export function rekorBundleAnnotation(entry: RekorEntry): string {
  return JSON.stringify({
    SignedEntryTimestamp: entry.verification.signedEntryTimestamp,
    Payload: {
      body: entry.body,
      integratedTime: entry.integratedTime,
      logIndex: entry.logIndex,
      logID: entry.logID,
    },
  });
}

function certificateAnnotations(
  signer: ImageSigner,
  verifierPem: string,
): Record<string, string> {
  if (signer.identity.kind !== 'keyless') return {};
  return {
    [COSIGN_CERTIFICATE_ANNOTATION]: verifierPem,
    [COSIGN_CHAIN_ANNOTATION]: signer.chainPem,
  };
}
