import { SIGN_PREDICATE } from './constants';

/** What an in-toto predicate type is about, as far as the evidence goes. */
export type PredicateKind =
  | 'signature'
  | 'provenance'
  | 'vulnerabilities'
  | 'sbom'
  | 'other';

/** cosign's vulnerability scan predicate (`cosign attest --type vuln`). */
export const COSIGN_VULN_PREDICATE =
  'https://cosign.sigstore.dev/attestation/vuln/v1';

const PROVENANCE = /^https:\/\/slsa\.dev\/provenance\/v(1|0\.[12])$/;
/** SPDX and CycloneDX, with or without a version (`https://spdx.dev/Document/v2.3`). */
const SBOM =
  /^https:\/\/(spdx\.dev\/Document|cyclonedx\.org\/bom)(\/v?[\d.]+)?$/;
/**
 * SARIF under any of the names attestation tools give it
 * (`https://docs.oasis-open.org/sarif/sarif/2.1.0`, `https://json.schemastore.org/sarif-2.1.0.json`).
 */
const SARIF = /^https?:\/\/\S*sarif/i;

export function predicateKind(predicateType: string): PredicateKind {
  if (predicateType === SIGN_PREDICATE) return 'signature';
  if (PROVENANCE.test(predicateType)) return 'provenance';
  if (predicateType === COSIGN_VULN_PREDICATE || SARIF.test(predicateType))
    return 'vulnerabilities';
  if (SBOM.test(predicateType)) return 'sbom';
  return 'other';
}

export function isSarifPredicate(predicateType: string): boolean {
  return SARIF.test(predicateType);
}

/** An in-toto statement, as far as it is read here. */
export interface InTotoStatement {
  predicateType: string;
  /** sha256 digests of the subjects, as `sha256:<hex>`. */
  subjects: string[];
  predicate: unknown;
}

/**
 * The in-toto statement of a DSSE payload (`_type` Statement v0.1 or v1); `null` when the
 * payload is not one.
 */
export function parseStatement(
  payloadType: string,
  payload: Buffer,
): InTotoStatement | null {
  if (payloadType !== 'application/vnd.in-toto+json') return null;
  let json: any;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (
    !json ||
    typeof json.predicateType !== 'string' ||
    !/^https:\/\/in-toto\.io\/Statement\/v(1|0\.1)$/.test(json._type ?? '')
  ) {
    return null;
  }
  const subjects = (Array.isArray(json.subject) ? json.subject : [])
    .map((s: any) => s?.digest?.sha256)
    .filter((hex: unknown): hex is string => typeof hex === 'string')
    .map((hex: string) => `sha256:${hex.toLowerCase()}`);
  return {
    predicateType: json.predicateType,
    subjects,
    predicate: json.predicate ?? null,
  };
}

/**
 * The digest a cosign simple-signing payload signs
 * (`critical.image.docker-manifest-digest`); `null` when the payload is not one.
 */
export function simpleSigningDigest(payload: Buffer): string | null {
  try {
    const json = JSON.parse(payload.toString('utf8'));
    const digest = json?.critical?.image?.['docker-manifest-digest'];
    return typeof digest === 'string' ? digest : null;
  } catch {
    return null;
  }
}
