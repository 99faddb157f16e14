import { Link } from '@backstage/core-components';
import {
  ProvenanceEvidence,
  SignatureEvidence,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { localTime } from '../Policy/policyFormat';
import {
  ChipTone,
  Empty,
  Facts,
  Section,
  StateChip,
  useEvidenceStyles,
} from './EvidenceDetailParts';
import {
  ManifestSection,
  PodSecuritySection,
  PoliciesSection,
  VulnerabilitiesSection,
} from './EvidenceFindings';
import {
  digestLabel,
  provenanceSource,
  provenanceSourceUrl,
} from './evidenceFormat';

const SIGNATURE_TONES: Record<SignatureEvidence['state'], ChipTone> = {
  verified: 'good',
  unsigned: 'poor',
  invalid: 'bad',
  unknown: 'plain',
};

const SIGNATURE_SOURCES: Record<
  NonNullable<SignatureEvidence['source']>,
  string
> = {
  referrers: 'OCI referrers API',
  tag: 'sigstore bundle tag (sha256-…)',
  legacy: 'cosign signature tag (sha256-….sig)',
};

function SignatureSection(props: { signature: SignatureEvidence }) {
  const { signature } = props;
  const classes = useEvidenceStyles();
  const signers = signature.signers ?? [];
  return (
    <Section
      name="signature"
      title="Signature"
      status={
        <StateChip
          label={signature.state}
          tone={SIGNATURE_TONES[signature.state]}
        />
      }
    >
      <Facts
        label="Signature"
        rows={[
          ['Identity', signature.identity],
          ['Issuer', signature.issuer],
          [
            'Found in',
            signature.source ? SIGNATURE_SOURCES[signature.source] : null,
          ],
          [
            'Signers',
            signers.length > 1 ? (
              <ul className={classes.list}>
                {signers.map(s => (
                  <li key={`${s.identity} ${s.issuer}`}>
                    {s.identity}
                    {s.issuer && ` (${s.issuer})`}
                  </li>
                ))}
              </ul>
            ) : null,
          ],
          ['Reason', signature.reason],
        ]}
      />
    </Section>
  );
}

function SourceLink(props: { provenance: ProvenanceEvidence }) {
  const text = provenanceSource(props.provenance);
  const url = provenanceSourceUrl(props.provenance);
  if (!text) return null;
  return url ? (
    <Link to={url} underline="always">
      {text}
    </Link>
  ) : (
    <>{text}</>
  );
}

function ProvenanceSection(props: {
  provenance: ProvenanceEvidence | null;
  sbom: boolean | null;
  digest: string | null;
}) {
  const { provenance, sbom, digest } = props;
  let sbomText: string | null = null;
  if (sbom === true) sbomText = 'attested';
  else if (sbom === false) sbomText = 'none attested';
  return (
    <Section name="provenance" title="Provenance">
      {provenance ? (
        <Facts
          label="Provenance"
          rows={[
            ['Builder', provenance.builder],
            ['Source', <SourceLink key="source" provenance={provenance} />],
            ['Predicate', provenance.predicateType],
            ['SBOM', sbomText],
          ]}
        />
      ) : (
        <>
          <Empty>
            {`No provenance attestation found for ${digestLabel(digest)}.`}
          </Empty>
          <Facts label="SBOM" rows={[['SBOM', sbomText]]} />
        </>
      )}
    </Section>
  );
}

/**
 * Everything known about a version's supply chain, a section each: the signature (state,
 * signer, issuer, where it was found, every signer, why not verified), provenance and SBOM,
 * the vulnerability scan with its worst findings, the policy reports with their failures,
 * Pod Security, the manifest checks and notes. A section without evidence says so.
 */
export function EvidenceDetails(props: { evidence: VersionEvidence }) {
  const { evidence } = props;
  const classes = useEvidenceStyles();
  const notes = evidence.notes ?? [];
  const subject = [evidence.image, evidence.digest].filter(Boolean).join('@');
  return (
    <div className={classes.details} data-testid="evidence-details">
      {(subject || evidence.checkedAt) && (
        <Typography variant="caption" color="textSecondary">
          {subject}
          {subject && evidence.checkedAt && ' · '}
          {evidence.checkedAt && `read ${localTime(evidence.checkedAt)}`}
        </Typography>
      )}
      <SignatureSection signature={evidence.signature} />
      <ProvenanceSection
        provenance={evidence.provenance}
        sbom={evidence.sbom}
        digest={evidence.digest}
      />
      <VulnerabilitiesSection
        vulnerabilities={evidence.vulnerabilities}
        digest={evidence.digest}
      />
      <PoliciesSection policies={evidence.policies} />
      <PodSecuritySection podSecurity={evidence.podSecurity} />
      <ManifestSection manifest={evidence.manifest} />
      {notes.length > 0 && (
        <Section name="notes" title="Notes">
          <ul className={classes.list}>
            {notes.map(n => (
              <li key={n}>
                <Typography variant="body2">{n}</Typography>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
