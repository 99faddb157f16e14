import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { insecureEvidence, prodSupplyChain } from '../../__fixtures__/evidence';
import {
  guestbookEnvironmentsWithPolicy,
  guestbookProd,
} from '../../__fixtures__/guestbook';
import { LaneEvidence } from './LaneEvidence';

const prodWithPolicy = guestbookEnvironmentsWithPolicy.environments[2];

const prod: EnvironmentStatus = {
  ...prodWithPolicy,
  evidence: insecureEvidence,
  policy: { ...prodWithPolicy.policy!, supplyChain: prodSupplyChain },
};

describe('LaneEvidence', () => {
  it("shows the running version's evidence and what the policy requires, the details in a dialog", async () => {
    await renderInTestApp(<LaneEvidence environment={prod} />);
    const lane = within(
      screen.getByRole('region', { name: 'Supply chain of prod' }),
    );
    expect(lane.getByTestId('evidence-line')).toHaveTextContent(
      'unsigned · 1 critical, 2 high · policies 10/12 · baseline',
    );
    expect(lane.getByTestId('lane-supply-chain-policy')).toHaveTextContent(
      'requires: signature by acme/{service} release.yml · 0 critical · restricted',
    );
    expect(screen.queryByTestId('evidence-details')).not.toBeInTheDocument();

    await userEvent.click(lane.getByTestId('evidence-line'));
    const dialog = await screen.findByRole('dialog', {
      name: 'Supply chain in prod',
    });
    expect(within(dialog).getByTestId('evidence-details')).toHaveTextContent(
      'Running as root is not allowed.',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('says when no evidence was read yet for an environment whose policy requires some', async () => {
    await renderInTestApp(
      <LaneEvidence environment={{ ...prod, evidence: null }} />,
    );
    expect(screen.getByTestId('evidence-line-empty')).toHaveTextContent(
      'No supply-chain evidence read yet',
    );
    expect(screen.queryByTestId('evidence-line')).not.toBeInTheDocument();
  });

  it('shows nothing when the backend says nothing of the supply chain', async () => {
    await renderInTestApp(
      <div data-testid="lane">
        <LaneEvidence environment={guestbookProd} />
      </div>,
    );
    expect(screen.getByTestId('lane')).toBeEmptyDOMElement();
  });
});
