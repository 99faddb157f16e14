/**
 * TESTS AND DEMO ONLY. Signs and attests images as cosign does — keyed, and keyless with a local
 * certificate authority and transparency log in place of Fulcio and Rekor — and puts the
 * signatures and attestations into OCI registries (referrers API, referrers tag schema, legacy
 * `.sig`/`.att` tags); an in-memory registry that serves the OCI 1.1 referrers API.
 *
 * @packageDocumentation
 */
export {
  LocalSigstore,
  publicKeyForTrust,
  TRUSTED_ROOT_MEDIA_TYPE,
} from './LocalSigstore';
export type { TrustedRootJson } from './LocalSigstore';
export {
  KeylessSigner,
  KeyPairSigner,
  keyHint,
  OID_FULCIO_ISSUER_V1,
  OID_FULCIO_ISSUER_V2,
} from './signers';
export type { ImageSigner, SigningIdentity } from './signers';
export { LocalTransparencyLog, toTransparencyLogEntry } from './localRekor';
export type { RekorEntry } from './localRekor';
export {
  attestImage,
  COSIGN_SIGN_PREDICATE_TYPE,
  imageBundle,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_V1,
  signImage,
  signStatement,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
} from './bundles';
export type { ImageBundle, InTotoStatement } from './bundles';
export {
  COSIGN_VULN_V1,
  cosignVulnPredicate,
  GITHUB_HOSTED_BUILDER,
  SARIF_V2_1_0,
  sarifPredicate,
  SLSA_PROVENANCE_V1,
  slsaProvenance,
  SPDX_DOCUMENT,
  spdxSbom,
  trivyReport,
} from './predicates';
export type { TrivyVulnerability } from './predicates';
export {
  COSIGN_BUNDLE_ANNOTATION,
  COSIGN_CERTIFICATE_ANNOTATION,
  COSIGN_CHAIN_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  DSSE_ENVELOPE_MEDIA_TYPE,
  legacyAttestation,
  legacySignature,
  preAuthEncoding,
  rekorBundleAnnotation,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SIMPLE_SIGNING_TYPE,
} from './legacy';
export type { LegacyLayer } from './legacy';
export { tamperedBundle, tamperedLegacyLayer } from './tamper';
export { digestHex, sha256Digest } from './digest';
export * from './oci/types';
export { OciClient } from './oci/OciClient';
export { OciStore } from './oci/OciStore';
export type { OciResponse } from './oci/OciStore';
export {
  InMemoryOciRegistry,
  ociRequestListener,
} from './oci/InMemoryOciRegistry';
export {
  addToReferrersTag,
  attachLegacy,
  attachReferrer,
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  bundleReferrerManifest,
  CREATED_ANNOTATION,
  legacyManifest,
} from './oci/referrers';
export type { BuiltManifest } from './oci/referrers';
export { pushTestImage } from './oci/testImage';
export { LocalRegistry } from './oci/LocalRegistry';
export { crdValidator } from './crdSchema';
