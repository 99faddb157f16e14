import { screen, waitFor, within } from '@testing-library/react';
import { renderFleet } from '../../__testUtils__/renderFleet';

// Its own file: the permission hook caches the (resource-less) freeze permission per file.
describe('GitopsFleetPage: freezes without gitops.freeze.manage', () => {
  it('shows the freezes but disables Declare and Lift with the reason', async () => {
    await renderFleet(permission =>
      permission === 'gitops.freeze.manage' ? 'deny' : 'allow',
    );
    const banner = await screen.findByRole('status', { name: 'Freeze' });
    const reason =
      'You may not declare or lift freezes (permission gitops.freeze.manage)';
    const declare = screen.getByRole('button', { name: 'Declare a freeze' });
    await waitFor(() => expect(declare).toHaveAccessibleDescription(reason));
    expect(declare).toBeDisabled();
    const lift = within(banner).getByRole('button', {
      name: 'Lift the freeze: year-end freeze',
    });
    expect(lift).toBeDisabled();
    expect(lift).toHaveAccessibleDescription(reason);
  });
});
