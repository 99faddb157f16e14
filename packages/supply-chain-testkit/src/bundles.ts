import type { SerializedBundle } from '@sigstore/bundle';
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder } from '@sigstore/sign';
import { digestHex } from './digest';
import type { LocalSigstore } from './LocalSigstore';
import type { ImageSigner, SigningIdentity } from './signers';

/** The predicate type of a cosign v3 image signature (`cosign sign`, new bundle format). */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/** Media type of a Sigstore bundle v0.3: a referrer's `artifactType` and its layer's type. */
export const SIGSTORE_BUNDLE_MEDIA_TYPE =
  'application/vnd.dev.sigstore.bundle.v0.3+json';

/** An in-toto Statement v1. */
export interface InTotoStatement {
  _type: string;
  subject: Array<{
    name?: string;
    digest: Record<string, string>;
    annotations?: Record<string, unknown>;
  }>;
  predicateType: string;
  predicate: unknown;
}

/** A signed Sigstore bundle about an image digest, ready to attach to it in a registry. */
export interface ImageBundle {
  /** The bundle JSON (the layer a referrer carries). */
  bundle: SerializedBundle;
  /** The exact bytes pushed as the referrer's layer. */
  bytes: Buffer;
  /** The signed statement's predicate type (the referrer's `dev.sigstore.bundle.predicateType`). */
  predicateType: string;
  /** The digest the statement is about (`sha256:<hex>`). */
  subjectDigest: string;
  statement: InTotoStatement;
  signer: SigningIdentity;
}

/**
 * The Sigstore bundle v0.3 `cosign sign` writes with the new bundle format (cosign ≥ 2.6, the
 * default of v3): a DSSE envelope over an in-toto Statement v1 whose one subject is the image
 * digest (no name, empty annotations) with predicate type `https://sigstore.dev/cosign/sign/v1`
 * and an empty predicate, logged as a `dsse` entry in the transparency log.
 */
export function signImage(options: {
  sigstore: LocalSigstore;
  digest: string;
  signer: ImageSigner;
}): Promise<ImageBundle> {
  return signStatement(options.sigstore, options.signer, {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [
      { digest: { sha256: digestHex(options.digest) }, annotations: {} },
    ],
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    predicate: {},
  });
}

/**
 * An attestation as `cosign attest --new-bundle-format` writes it: a DSSE envelope over an
 * in-toto Statement v1 whose subject is the image (`repository` as name, its digest).
 */
export function attestImage(options: {
  sigstore: LocalSigstore;
  repository: string;
  digest: string;
  signer: ImageSigner;
  predicateType: string;
  predicate: unknown;
}): Promise<ImageBundle> {
  return signStatement(options.sigstore, options.signer, {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [
      {
        name: options.repository,
        digest: { sha256: digestHex(options.digest) },
      },
    ],
    predicateType: options.predicateType,
    predicate: options.predicate,
  });
}

/** Signs any in-toto statement into a bundle v0.3 (a DSSE envelope with one tlog entry). */
export async function signStatement(
  sigstore: LocalSigstore,
  signer: ImageSigner,
  statement: InTotoStatement,
): Promise<ImageBundle> {
  const builder = new DSSEBundleBuilder({
    signer,
    witnesses: [sigstore.tlog],
  });
  const bundle = bundleToJSON(
    await builder.create({
      data: Buffer.from(JSON.stringify(statement)),
      type: IN_TOTO_PAYLOAD_TYPE,
    }),
  );
  return imageBundle(bundle, statement, signer.identity);
}

/** An {@link ImageBundle} of a bundle JSON (its bytes are the JSON as serialized here). */
export function imageBundle(
  bundle: SerializedBundle,
  statement: InTotoStatement,
  signer: SigningIdentity,
): ImageBundle {
  const sha256 = statement.subject[0]?.digest.sha256 ?? '';
  return {
    bundle,
    bytes: Buffer.from(JSON.stringify(bundle)),
    predicateType: statement.predicateType,
    subjectDigest: `sha256:${sha256}`,
    statement,
    signer,
  };
}
