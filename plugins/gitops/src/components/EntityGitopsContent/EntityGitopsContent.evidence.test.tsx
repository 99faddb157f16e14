import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  fullEvidence,
  insecureEvidence,
  prodSupplyChain,
} from '../../__fixtures__/evidence';
import { guestbookEnvironmentsWithPolicy } from '../../__fixtures__/guestbook';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';

const [dev, staging, prod] = guestbookEnvironmentsWithPolicy.environments;

/** staging runs a signed, scanned version; prod an unsigned one its policy would refuse. */
const withEvidence: EnvironmentsResponse = {
  ...guestbookEnvironmentsWithPolicy,
  environments: [
    dev,
    { ...staging, evidence: fullEvidence },
    {
      ...prod,
      evidence: insecureEvidence,
      policy: { ...prod.policy!, supplyChain: prodSupplyChain },
    },
  ],
};

describe('the supply chain in the lanes', () => {
  it("shows each lane's evidence line, what its policy requires, and the details on demand", async () => {
    await renderWithApi(
      <EntityGitopsContent />,
      mockGitopsApi(async () => withEvidence),
    );
    const lane = (name: string) =>
      within(screen.getByRole('region', { name: `Environment ${name}` }));
    await screen.findAllByRole('region', { name: /^Environment / });

    expect(lane('staging').getByTestId('evidence-line')).toHaveTextContent(
      'signed by acme/guestbook release.yml · 0 critical, 3 high · policies 12/12 · built from acme/payments@4f3a2c1 · restricted',
    );
    expect(lane('prod').getByTestId('evidence-line')).toHaveTextContent(
      'unsigned · 1 critical, 2 high · policies 10/12 · baseline',
    );
    expect(
      lane('prod').getByTestId('lane-supply-chain-policy'),
    ).toHaveTextContent(
      'requires: signature by acme/{service} release.yml · 0 critical · restricted',
    );
    // dev: no evidence and no requirement in the answer, so no section.
    expect(
      lane('dev').queryByRole('region', { name: 'Supply chain of dev' }),
    ).toBeNull();

    await userEvent.click(lane('prod').getByTestId('evidence-line'));
    const dialog = await screen.findByRole('dialog', {
      name: 'Supply chain in prod',
    });
    expect(
      within(dialog).getByRole('link', { name: /^CVE-2023-44487/ }),
    ).toHaveAttribute('href', 'https://avd.aquasec.com/nvd/cve-2023-44487');
  });
});
