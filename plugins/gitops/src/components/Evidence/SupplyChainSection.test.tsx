import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fullEvidence, insecureEvidence } from '../../__fixtures__/evidence';
import { gate, plannedAction } from '../../__fixtures__/guestbook';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { responseError } from '../../__testUtils__/responseError';
import { PromoteDialog } from '../EnvironmentActions/EnvironmentActions';

const SIGNATURE_REFUSAL =
  'demo-flask-app 9f8e7d6-42 is not signed; prod requires a signature from acme/{service} release.yml';

const toProd = plannedAction({
  from: 'staging',
  to: 'prod',
  version: { tag: '9f8e7d6-42', digest: null },
  previousVersion: { tag: '1a2b3c4-41', digest: null },
  diff: '-    newTag: 1a2b3c4-41\n+    newTag: 9f8e7d6-42\n',
  gates: [
    gate('allowedSource', 'pass', 'prod takes promotions from staging'),
    gate('signature', 'fail', SIGNATURE_REFUSAL, {
      evidence: { state: 'unsigned' },
    }),
    gate(
      'vulnerabilities',
      'fail',
      '1 critical vulnerability (CVE-2023-44487 in h2); prod allows 0',
    ),
  ],
  evidence: insecureEvidence,
});

async function openPromotion(
  entity: string,
  api = mockGitopsApi(async () => ({} as any)),
) {
  await renderWithApi(
    <PromoteDialog
      entityRef={{ kind: 'component', namespace: 'default', name: entity }}
      from="staging"
      to="prod"
      onClose={() => {}}
      onDone={() => {}}
    />,
    api,
  );
  return within(await screen.findByRole('dialog'));
}

describe('the supply chain in the promotion dialog', () => {
  it("shows the proposed version's evidence and its refused gates before anything is written", async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.promote.mockResolvedValue(toProd);
    const dialog = await openPromotion('guestbook', api);

    const supplyChain = within(
      await dialog.findByRole('region', { name: 'Supply chain' }),
    );
    expect(dialog.getByTestId('promote-supply-chain')).toBeInTheDocument();
    const line = supplyChain.getByTestId('evidence-line');
    expect(line).toHaveTextContent(
      'unsigned · 1 critical, 2 high · policies 10/12 · baseline',
    );
    // The supply chain's gates are with its evidence, not twice.
    const gates = supplyChain.getByRole('list', { name: 'Supply-chain gates' });
    expect(
      within(gates)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      `✗Signature: ${SIGNATURE_REFUSAL}`,
      '✗Vulnerabilities: 1 critical vulnerability (CVE-2023-44487 in h2); prod allows 0',
    ]);
    expect(
      within(dialog.getByRole('list', { name: 'Gates' })).getAllByRole(
        'listitem',
      ),
    ).toHaveLength(1);
    expect(dialog.getByRole('button', { name: 'Promote' })).toBeDisabled();
    expect(api.promote).toHaveBeenCalledTimes(1);
    expect(api.promote).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { from: 'staging', to: 'prod', dryRun: true },
    );

    // The details expand in place.
    expect(line).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(line);
    expect(line).toHaveAttribute('aria-expanded', 'true');
    expect(
      await supplyChain.findByTestId('evidence-details'),
    ).toHaveTextContent('CVE-2023-44487');
    await userEvent.click(line);
    await waitFor(() =>
      expect(
        supplyChain.queryByTestId('evidence-details'),
      ).not.toBeInTheDocument(),
    );
  });

  it('says when no evidence was read for the version yet', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.promote.mockResolvedValueOnce({ ...toProd, gates: [], evidence: null });
    const dialog = await openPromotion('guestbook-none', api);
    expect(
      await dialog.findByText(
        'No supply-chain evidence was read for 9f8e7d6-42 yet.',
      ),
    ).toBeInTheDocument();
  });

  it('shows no supply chain for a backend without evidence', async () => {
    const older = mockGitopsApi(async () => ({} as any));
    const { evidence: _evidence, ...withoutEvidence } = toProd;
    older.promote.mockResolvedValueOnce({
      ...withoutEvidence,
      gates: [
        gate('allowedSource', 'pass', 'prod takes promotions from staging'),
      ],
    });
    const dialog = await openPromotion('guestbook-older', older);
    await dialog.findByRole('list', { name: 'Gates' });
    expect(
      dialog.queryByTestId('promote-supply-chain'),
    ).not.toBeInTheDocument();
  });

  it('shows a passing supply chain with its gates', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.promote.mockResolvedValue({
      ...toProd,
      gates: [gate('signature', 'pass', 'signed by acme/payments release.yml')],
      evidence: fullEvidence,
    });
    const dialog = await openPromotion('guestbook-passing', api);
    const supplyChain = within(
      await dialog.findByRole('region', { name: 'Supply chain' }),
    );
    expect(supplyChain.getByTestId('evidence-line')).toHaveTextContent(
      /^signed by acme\/guestbook release\.yml · 0 critical, 3 high/,
    );
    expect(
      within(
        supplyChain.getByRole('list', { name: 'Supply-chain gates' }),
      ).getByRole('img'),
    ).toHaveAccessibleName('passed');
    expect(
      dialog.queryByRole('list', { name: 'Gates' }),
    ).not.toBeInTheDocument();
  });

  it("shows the evidence a dry run's refusal carries", async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.promote.mockRejectedValue(
      await responseError(409, {
        error: {
          name: 'ConflictError',
          message: `Promotion staging → prod refused: signature: ${SIGNATURE_REFUSAL}`,
        },
        gates: toProd.gates,
        retryAt: null,
        evidence: insecureEvidence,
      }),
    );
    const dialog = await openPromotion('guestbook-refused', api);
    const refusal = await dialog.findByRole('alert', { name: 'Refusal' });
    expect(refusal).toHaveTextContent(
      `Promotion staging → prod refused: signature: ${SIGNATURE_REFUSAL}`,
    );
    expect(
      within(dialog.getByRole('region', { name: 'Supply chain' })).getByTestId(
        'evidence-line',
      ),
    ).toHaveTextContent(/^unsigned/);
  });
});
