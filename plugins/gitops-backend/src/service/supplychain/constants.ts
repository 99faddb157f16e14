/** Media types and annotations cosign and the OCI specs use for signatures and attestations. */

/** A Sigstore bundle as an OCI artifact (cosign v3, `--new-bundle-format`). */
export const BUNDLE_ARTIFACT_TYPE =
  'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Any Sigstore bundle media type (v0.1 to v0.3, old and new spellings). */
export const BUNDLE_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.bundle/;
/** Set on a referrer descriptor whose bundle holds a DSSE in-toto statement. */
export const PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
/** `message-signature` or `dsse-envelope`. */
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';

/** The predicate type of a cosign v3 image signature (a statement about the digest). */
export const SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

/** A legacy cosign `.sig` layer: the simple-signing payload. */
export const SIMPLE_SIGNING_MEDIA_TYPE =
  'application/vnd.dev.cosign.simplesigning.v1+json';
/** A legacy cosign `.att` layer: a DSSE envelope. */
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const COSIGN_CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const COSIGN_CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
/** Rekor's inclusion promise, as cosign 1 and 2 attach it. */
export const COSIGN_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const COSIGN_TIMESTAMP_ANNOTATION =
  'dev.sigstore.cosign/rfc3161timestamp';
/** Set by cosign on `.att` layers. */
export const COSIGN_PREDICATE_ANNOTATION = 'predicateType';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST =
  'application/vnd.docker.distribution.manifest.v2+json';
