import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import {
  fullEvidence,
  insecureEvidence,
  PAYMENTS_DIGEST,
  RELEASE_WORKFLOW,
  signatureOnly,
  verifiedSignature,
} from '../../__fixtures__/evidence';
import { localTime } from '../Policy/policyFormat';
import { EvidenceDetails } from './EvidenceDetails';

const section = (name: string) => within(screen.getByRole('region', { name }));

describe('EvidenceDetails', () => {
  it('shows the signature, provenance, scan, policies and pod security of a version', async () => {
    await renderInTestApp(<EvidenceDetails evidence={fullEvidence} />);
    expect(screen.getByTestId('evidence-details')).toHaveTextContent(
      `ghcr.io/acme/payments@${PAYMENTS_DIGEST}`,
    );

    const signature = section('Signature');
    expect(signature.getByText('verified')).toBeInTheDocument();
    expect(signature.getByText(RELEASE_WORKFLOW)).toBeInTheDocument();
    expect(
      signature.getByText('https://token.actions.githubusercontent.com'),
    ).toBeInTheDocument();
    expect(signature.getByText('OCI referrers API')).toBeInTheDocument();

    const provenance = section('Provenance');
    expect(
      provenance.getByRole('link', { name: /^acme\/payments@4f3a2c1/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/payments/commit/4f3a2c1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b',
    );
    expect(
      provenance.getByText('https://github.com/actions/runner/github-hosted'),
    ).toBeInTheDocument();
    expect(provenance.getByText('attested')).toBeInTheDocument();

    const vulnerabilities = section('Vulnerabilities');
    expect(
      within(
        vulnerabilities.getByRole('group', {
          name: 'Vulnerabilities by severity',
        }),
      )
        .getAllByText(/^\d+ \w+$/)
        .map(c => c.textContent),
    ).toEqual(['0 critical', '3 high', '7 medium', '12 low', '1 unknown']);
    expect(vulnerabilities.getByText('trivy 0.58.1')).toBeInTheDocument();
    expect(
      vulnerabilities.getByText(localTime('2026-12-02T08:15:00.000Z')),
    ).toBeInTheDocument();
    const rows = within(
      vulnerabilities.getByRole('table', { name: 'Top vulnerabilities' }),
    ).getAllByRole('row');
    // (Backstage's external links add a hidden "Opens in a new window".)
    expect(
      rows.map(r => r.textContent?.replace(', Opens in a new window', '')),
    ).toEqual([
      'VulnerabilityPackageSeverityInstalledFixed in',
      'CVE-2024-45337golang.org/x/cryptoHIGHv0.21.00.31.0',
      'CVE-2024-6345setuptoolsHIGH65.5.070.0.0',
      'GHSA-9wx4-h78v-vm56requestsHIGH2.31.0no fix yet',
    ]);
    expect(
      vulnerabilities.getByRole('link', { name: /^CVE-2024-45337/ }),
    ).toHaveAttribute('href', 'https://avd.aquasec.com/nvd/cve-2024-45337');
    // Only CVE ids are linked.
    expect(
      vulnerabilities.queryByRole('link', { name: /^GHSA-9wx4-h78v-vm56/ }),
    ).not.toBeInTheDocument();

    expect(
      section('Policies').getByText('12 passed, 0 failed, 1 warned'),
    ).toBeInTheDocument();
    expect(
      section('Policies').queryByRole('table', { name: 'Policy failures' }),
    ).not.toBeInTheDocument();
    expect(section('Pod Security').getByText('restricted')).toBeInTheDocument();
    expect(
      section('Manifest checks').getByText('No manifest findings.'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'Notes' }),
    ).not.toBeInTheDocument();
  });

  it('lists failed policies, pod security findings, manifest findings and notes', async () => {
    await renderInTestApp(<EvidenceDetails evidence={insecureEvidence} />);
    expect(section('Signature').getByText('unsigned')).toBeInTheDocument();
    expect(
      section('Signature').getByText(
        'No signature found in the registry for this digest',
      ),
    ).toBeInTheDocument();
    expect(
      section('Vulnerabilities').getByText(
        'Trivy Operator VulnerabilityReport (VulnerabilityReport staging/replicaset-demo-flask-app-7d9f-app)',
      ),
    ).toBeInTheDocument();
    const failures = within(
      section('Policies').getByRole('table', { name: 'Policy failures' }),
    ).getAllByRole('row');
    expect(failures.map(r => r.textContent)).toEqual([
      'PolicyRuleMessageResource',
      'require-run-as-nonrootrun-as-non-rootRunning as root is not allowed.Deployment staging/demo-flask-app',
      'verify-image-signaturesverify-signatureimage ghcr.io/acme/demo-flask-app is not signedDeployment staging/demo-flask-app',
    ]);
    expect(section('Policies').getByText('10/12 passed')).toBeInTheDocument();
    expect(section('Pod Security').getByText('baseline')).toBeInTheDocument();
    expect(
      section('Pod Security').getByRole('list', {
        name: 'Pod Security findings',
      }),
    ).toHaveTextContent('container app: runAsNonRoot is not true');
    expect(
      section('Manifest checks').getByRole('list', {
        name: 'Manifest findings',
      }),
    ).toHaveTextContent(
      'warn digestPinned: image is pinned by tag 9f8e7d6-42, not by digest (container app)',
    );
    expect(section('Notes').getByText(/no referrers API/)).toBeInTheDocument();
    expect(
      section('Provenance').getByText(
        'No provenance attestation found for sha256:9f8e7d6c….',
      ),
    ).toBeInTheDocument();
    expect(
      section('Provenance').getByText('none attested'),
    ).toBeInTheDocument();
  });

  it('says what was not found, per section', async () => {
    await renderInTestApp(
      <EvidenceDetails
        evidence={signatureOnly({
          ...verifiedSignature,
          signers: [
            { identity: RELEASE_WORKFLOW, issuer: null },
            { identity: 'key:release', issuer: null },
          ],
        })}
      />,
    );
    expect(
      section('Vulnerabilities').getByText(
        'No vulnerability scan found for sha256:4f3a2c1d….',
      ),
    ).toBeInTheDocument();
    expect(
      section('Provenance').getByText(
        'No provenance attestation found for sha256:4f3a2c1d….',
      ),
    ).toBeInTheDocument();
    expect(
      section('Policies').getByText('No PolicyReport found for this workload.'),
    ).toBeInTheDocument();
    expect(
      section('Pod Security').getByText('Pod Security was not evaluated.'),
    ).toBeInTheDocument();
    expect(
      section('Manifest checks').getByText('The manifests were not checked.'),
    ).toBeInTheDocument();
    // Every signer when more than one signed.
    expect(section('Signature').getByText('key:release')).toBeInTheDocument();
    expect(
      screen.queryByText(/null|undefined/, { selector: '*' }),
    ).not.toBeInTheDocument();
  });
});
