import { Link } from '@backstage/core-components';
import {
  ManifestCheckFinding,
  PolicyEvidence,
  PodSecurityEvidence,
  ProvenanceEvidence,
  SignatureEvidence,
  VersionEvidence,
  VulnerabilityEvidence,
  VulnerabilityItem,
} from '@gitops-backstage/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
import { localTime } from '../Policy/policyFormat';
import {
  digestLabel,
  provenanceSource,
  provenanceSourceUrl,
  vulnerabilityUrl,
} from './evidenceFormat';

const useStyles = makeStyles(theme => ({
  details: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    overflowWrap: 'anywhere',
  },
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  },
  heading: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    margin: 0,
    fontSize: theme.typography.body2.fontSize,
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0 },
  },
  pair: { display: 'contents' },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  list: { margin: 0, paddingLeft: theme.spacing(2.5) },
  table: { '& td, & th': { padding: theme.spacing(0.5, 1) } },
  good: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  bad: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  poor: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  plain: {},
  error: { color: theme.palette.error.main },
  warning: { color: theme.palette.warning.main },
}));

type ChipTone = 'good' | 'bad' | 'poor' | 'plain';

function Section(props: {
  name: string;
  title: string;
  status?: ReactNode;
  children: ReactNode;
}) {
  const classes = useStyles();
  return (
    <section
      aria-label={props.title}
      className={classes.section}
      data-testid={`evidence-details-${props.name}`}
    >
      <div className={classes.heading}>
        <Typography variant="subtitle2" component="h3">
          {props.title}
        </Typography>
        {props.status}
      </div>
      {props.children}
    </section>
  );
}

/** Nothing of a kind was found: one line in the secondary colour. */
function Empty(props: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {props.children}
    </Typography>
  );
}

function StateChip(props: { label: string; tone: ChipTone }) {
  const classes = useStyles();
  return (
    <Chip size="small" label={props.label} className={classes[props.tone]} />
  );
}

/** Label–value rows; rows without a value are left out. */
function Facts(props: { label: string; rows: Array<[string, ReactNode]> }) {
  const classes = useStyles();
  const rows = props.rows.filter(
    ([, value]) => value !== null && value !== undefined && value !== '',
  );
  if (rows.length === 0) return null;
  return (
    <dl className={classes.facts} aria-label={props.label}>
      {rows.map(([label, value]) => (
        <div key={label} className={classes.pair}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

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
  const classes = useStyles();
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
  return url ? <Link to={url}>{text}</Link> : <>{text}</>;
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

const SEVERITY_CHIPS: Array<{
  key: 'critical' | 'high' | 'medium' | 'low' | 'unknown';
  tone: ChipTone;
}> = [
  { key: 'critical', tone: 'bad' },
  { key: 'high', tone: 'poor' },
  { key: 'medium', tone: 'plain' },
  { key: 'low', tone: 'plain' },
  { key: 'unknown', tone: 'plain' },
];

function VulnerabilityRow(props: { item: VulnerabilityItem }) {
  const { item } = props;
  const classes = useStyles();
  const url = vulnerabilityUrl(item.id);
  let severityClass: string | undefined;
  if (item.severity === 'CRITICAL') severityClass = classes.error;
  else if (item.severity === 'HIGH') severityClass = classes.warning;
  return (
    <TableRow>
      <TableCell>{url ? <Link to={url}>{item.id}</Link> : item.id}</TableCell>
      <TableCell>{item.package ?? '—'}</TableCell>
      <TableCell className={severityClass}>{item.severity}</TableCell>
      <TableCell>{item.installedVersion ?? '—'}</TableCell>
      <TableCell>{item.fixedVersion ?? 'no fix yet'}</TableCell>
    </TableRow>
  );
}

const VULNERABILITY_SOURCES: Record<VulnerabilityEvidence['source'], string> = {
  attestation: 'signed scan attestation',
  VulnerabilityReport: 'Trivy Operator VulnerabilityReport',
};

function VulnerabilitiesSection(props: {
  vulnerabilities: VulnerabilityEvidence | null;
  digest: string | null;
}) {
  const { vulnerabilities: v, digest } = props;
  const classes = useStyles();
  if (!v) {
    return (
      <Section name="vulnerabilities" title="Vulnerabilities">
        <Empty>{`No vulnerability scan found for ${digestLabel(
          digest,
        )}.`}</Empty>
      </Section>
    );
  }
  return (
    <Section name="vulnerabilities" title="Vulnerabilities">
      <div
        className={classes.chips}
        role="group"
        aria-label="Vulnerabilities by severity"
      >
        {SEVERITY_CHIPS.filter(
          s => s.key !== 'unknown' || (v.unknown ?? 0) > 0,
        ).map(s => {
          const count = v[s.key] ?? 0;
          return (
            <StateChip
              key={s.key}
              label={`${count} ${s.key}`}
              tone={count > 0 ? s.tone : 'plain'}
            />
          );
        })}
      </div>
      <Facts
        label="Scan"
        rows={[
          ['Scanner', v.scanner],
          ['Scanned', v.scannedAt ? localTime(v.scannedAt) : null],
          [
            'Source',
            `${VULNERABILITY_SOURCES[v.source]}${
              v.object ? ` (${v.object})` : ''
            }`,
          ],
        ]}
      />
      {v.top.length > 0 ? (
        <Table
          size="small"
          aria-label="Top vulnerabilities"
          className={classes.table}
        >
          <TableHead>
            <TableRow>
              <TableCell>Vulnerability</TableCell>
              <TableCell>Package</TableCell>
              <TableCell>Severity</TableCell>
              <TableCell>Installed</TableCell>
              <TableCell>Fixed in</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {v.top.map(item => (
              <VulnerabilityRow
                key={`${item.id} ${item.package}`}
                item={item}
              />
            ))}
          </TableBody>
        </Table>
      ) : (
        <Empty>No findings are listed.</Empty>
      )}
    </Section>
  );
}

function PoliciesSection(props: { policies: PolicyEvidence | null }) {
  const { policies } = props;
  const classes = useStyles();
  if (!policies) {
    return (
      <Section name="policies" title="Policies">
        <Empty>No PolicyReport found for this workload.</Empty>
      </Section>
    );
  }
  const { passed, failed, warned, failures } = policies;
  return (
    <Section
      name="policies"
      title="Policies"
      status={
        <StateChip
          label={`${passed}/${passed + failed} passed`}
          tone={failed > 0 ? 'bad' : 'good'}
        />
      }
    >
      <Typography variant="body2">
        {`${passed} passed, ${failed} failed`}
        {warned ? `, ${warned} warned` : ''}
      </Typography>
      {failures.length > 0 && (
        <Table
          size="small"
          aria-label="Policy failures"
          className={classes.table}
        >
          <TableHead>
            <TableRow>
              <TableCell>Policy</TableCell>
              <TableCell>Rule</TableCell>
              <TableCell>Message</TableCell>
              <TableCell>Resource</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {failures.map(f => (
              <TableRow key={`${f.policy} ${f.rule} ${f.resource}`}>
                <TableCell>{f.policy}</TableCell>
                <TableCell>{f.rule ?? '—'}</TableCell>
                <TableCell>{f.message}</TableCell>
                <TableCell>{f.resource ?? '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Section>
  );
}

function PodSecuritySection(props: {
  podSecurity: PodSecurityEvidence | null;
}) {
  const { podSecurity } = props;
  const classes = useStyles();
  if (!podSecurity) {
    return (
      <Section name="pod-security" title="Pod Security">
        <Empty>Pod Security was not evaluated.</Empty>
      </Section>
    );
  }
  return (
    <Section
      name="pod-security"
      title="Pod Security"
      status={
        <StateChip
          label={podSecurity.level}
          tone={podSecurity.level === 'restricted' ? 'good' : 'poor'}
        />
      }
    >
      {podSecurity.findings.length > 0 ? (
        <ul className={classes.list} aria-label="Pod Security findings">
          {podSecurity.findings.map(f => (
            <li key={f}>
              <Typography variant="body2">{f}</Typography>
            </li>
          ))}
        </ul>
      ) : (
        <Empty>{`Meets the ${podSecurity.level} level.`}</Empty>
      )}
    </Section>
  );
}

function ManifestSection(props: { manifest?: ManifestCheckFinding[] }) {
  const { manifest } = props;
  const classes = useStyles();
  let body: ReactNode;
  if (!manifest) body = <Empty>The manifests were not checked.</Empty>;
  else if (manifest.length === 0) body = <Empty>No manifest findings.</Empty>;
  else {
    body = (
      <ul className={classes.list} aria-label="Manifest findings">
        {manifest.map(f => (
          <li key={`${f.check} ${f.container} ${f.message}`}>
            <Typography variant="body2">
              <strong
                className={
                  f.severity === 'fail' ? classes.error : classes.warning
                }
              >
                {f.severity}
              </strong>
              {` ${f.check}: ${f.message}`}
              {f.container ? ` (container ${f.container})` : ''}
            </Typography>
          </li>
        ))}
      </ul>
    );
  }
  return (
    <Section name="manifest" title="Manifest checks">
      {body}
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
  const classes = useStyles();
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
