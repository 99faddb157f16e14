import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { plannedAction } from '../../__fixtures__/guestbook';
import {
  abortedCanary,
  guestbookEnvironmentsProgressive,
  withProdRollout,
} from '../../__fixtures__/progressive';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';

const lane = (name: string) =>
  within(screen.getByRole('region', { name: `Environment ${name}` }));

describe('progressive rollouts in the lanes', () => {
  it("shows prod's rollout in its lane only, and reads the lanes again after a request", async () => {
    const api = mockGitopsApi(async () => guestbookEnvironmentsProgressive);
    api.requestRollout.mockResolvedValue(
      plannedAction({
        id: '6f1c2f8e-0000-4000-8000-000000000004',
        action: 'rollout',
        status: 'Requested',
        from: null,
        to: 'prod',
        message: 'Argo Rollouts was asked to abort rollout guestbook',
      }),
    );
    await renderWithApi(<EntityGitopsContent />, api);
    await screen.findAllByRole('region', { name: /^Environment / });

    expect(
      lane('dev').queryByRole('region', { name: /^Progressive rollout/ }),
    ).toBeNull();
    const rollout = within(
      lane('prod').getByRole('region', { name: 'Progressive rollout of prod' }),
    );
    expect(rollout.getByTestId('rollout-summary')).toHaveTextContent(
      'step 2 of 6 · weight 20 %',
    );

    api.getEnvironments.mockResolvedValue(withProdRollout(abortedCanary));
    await waitFor(() =>
      expect(
        rollout.getByRole('button', { name: 'Abort the rollout in prod' }),
      ).toBeEnabled(),
    );
    await userEvent.click(
      rollout.getByRole('button', { name: 'Abort the rollout in prod' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Abort' }),
    );
    expect(await within(dialog).findByRole('status')).toHaveTextContent(
      'Argo Rollouts was asked to abort rollout guestbook',
    );
    expect(api.requestRollout).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { environment: 'prod', action: 'abort' },
    );
    expect(api.getEnvironments.mock.calls.length).toBeGreaterThan(1);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    // The lane was read again and shows the aborted rollout.
    expect(
      await lane('prod').findByTestId('rollout-aborted'),
    ).toHaveTextContent('failed metric success-rate');
  });
});
