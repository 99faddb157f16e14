import {
  ProvenanceEvidence,
  SignatureEvidence,
  VulnerabilityEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { ArtifactVerdict, VerifiedSigner } from './ArtifactVerifier';
import { predicateKind } from './predicates';
import { parseProvenance } from './provenance';
import { parseVulnerabilityScan } from './vulnerabilities';

/**
 * What the registry says about one image digest, verified, before any environment's identity
 * policy: immutable, so cached for good (except `unknown`, which is read again).
 */
export interface DigestEvidence {
  /** `host/repository`. */
  image: string;
  digest: string;
  /**
   * `verified` when any signature is valid (identity: the first valid signer), `unknown`
   * when the registry or the trust material could not be read, `invalid` when signatures were
   * found and none verified (the first one's reason), `unsigned` when none was found.
   */
  signature: SignatureEvidence;
  /** Every valid signer, in the order found: identity policies pick from these. */
  signers: Array<VerifiedSigner & { source: SignatureEvidence['source'] }>;
  provenance: ProvenanceEvidence | null;
  vulnerabilities: VulnerabilityEvidence | null;
  /** A verified SBOM attestation is attached; `null` when the registry was not read. */
  sbom: boolean | null;
  /** Attestations ignored and why, artifacts left unread, registry errors. */
  notes: string[];
  checkedAt: string;
}

/** The evidence of a digest whose registry could not be read. */
export function unknownEvidence(
  image: string,
  digest: string,
  reason: string,
  checkedAt: string,
): DigestEvidence {
  return {
    image,
    digest,
    signature: {
      state: 'unknown',
      identity: null,
      issuer: null,
      reason,
      source: null,
      signers: [],
    },
    signers: [],
    provenance: null,
    vulnerabilities: null,
    sbom: null,
    notes: [reason],
    checkedAt,
  };
}

/** The evidence of a digest from how each found artifact verified. */
export function assembleEvidence(
  image: string,
  digest: string,
  verdicts: ArtifactVerdict[],
  notes: string[],
  checkedAt: string,
): DigestEvidence {
  const signatures = verdicts.filter(v => v.kind === 'signature');
  const signers: DigestEvidence['signers'] = [];
  for (const v of signatures) {
    if (
      v.valid &&
      !signers.some(
        s => s.identity === v.signer.identity && s.issuer === v.signer.issuer,
      )
    ) {
      signers.push({ ...v.signer, source: v.source });
    }
  }
  const failed = signatures.flatMap(v => (v.valid ? [] : [v]));
  // An unverifiable signature (trust material missing) might be the valid one: not `invalid`.
  const undecided = failed.find(v => v.unknown);
  const first = undecided ?? failed[0];
  let signature: SignatureEvidence;
  if (signers.length > 0) {
    signature = {
      state: 'verified',
      identity: signers[0].identity,
      issuer: signers[0].issuer,
      reason: null,
      source: signers[0].source,
      signers: signers.map(({ identity, issuer }) => ({ identity, issuer })),
    };
  } else if (first) {
    signature = {
      state: undecided ? 'unknown' : 'invalid',
      identity: null,
      issuer: null,
      reason: first.reason,
      source: first.source,
      signers: [],
    };
  } else {
    signature = {
      state: 'unsigned',
      identity: null,
      issuer: null,
      reason: 'no signature found in the registry',
      source: null,
      signers: [],
    };
  }

  const attestations = verdicts.filter(v => v.kind === 'attestation');
  let provenance: ProvenanceEvidence | null = null;
  let vulnerabilities: VulnerabilityEvidence | null = null;
  let sbom = false;
  const allNotes = [...notes];
  for (const v of attestations) {
    if (!v.valid) {
      allNotes.push(
        `attestation ${v.predicateType ?? 'of unknown type'} ignored: ${
          v.reason
        }`,
      );
      continue;
    }
    const statement = v.statement;
    if (!statement) continue;
    const { predicateType, predicate } = statement;
    switch (predicateKind(predicateType)) {
      case 'provenance':
        provenance ??= parseProvenance(predicateType, predicate);
        break;
      case 'vulnerabilities': {
        const scan = parseVulnerabilityScan(
          predicateType,
          predicate,
          `attestation ${v.reference}`,
        );
        if (scan && isNewer(scan, vulnerabilities)) vulnerabilities = scan;
        break;
      }
      case 'sbom':
        sbom = true;
        break;
      default:
        break;
    }
  }
  return {
    image,
    digest,
    signature,
    signers,
    provenance,
    vulnerabilities,
    sbom,
    notes: allNotes,
    checkedAt,
  };
}

/** The latest scan counts; a scan without a time counts as oldest. */
function isNewer(
  scan: VulnerabilityEvidence,
  current: VulnerabilityEvidence | null,
): boolean {
  if (!current) return true;
  return (scan.scannedAt ?? '') > (current.scannedAt ?? '');
}
