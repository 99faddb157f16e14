import {
  ManifestCheckFinding,
  PodSecurityEvidence,
  PolicyEvidence,
  VulnerabilityEvidence,
  VulnerabilityItem,
} from '@gitops-backstage/plugin-gitops-common';
import { Link } from '@backstage/core-components';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';
import { localTime } from '../Policy/policyFormat';
import {
  ChipTone,
  Empty,
  Facts,
  Section,
  StateChip,
  useEvidenceStyles,
} from './EvidenceDetailParts';
import { digestLabel, vulnerabilityUrl } from './evidenceFormat';

/* The findings sections of the evidence details: vulnerabilities, policies, pod security,
 * manifest checks. */

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
  const classes = useEvidenceStyles();
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

export function VulnerabilitiesSection(props: {
  vulnerabilities: VulnerabilityEvidence | null;
  digest: string | null;
}) {
  const { vulnerabilities: v, digest } = props;
  const classes = useEvidenceStyles();
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

export function PoliciesSection(props: { policies: PolicyEvidence | null }) {
  const { policies } = props;
  const classes = useEvidenceStyles();
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

export function PodSecuritySection(props: {
  podSecurity: PodSecurityEvidence | null;
}) {
  const { podSecurity } = props;
  const classes = useEvidenceStyles();
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

export function ManifestSection(props: { manifest?: ManifestCheckFinding[] }) {
  const { manifest } = props;
  const classes = useEvidenceStyles();
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
