import { act, screen, waitFor, within } from '@testing-library/react';
import { guestbookDeliveryMetrics } from '../../__fixtures__/deliveryMetrics';
import { guestbookEnvironmentsLive } from '../../__fixtures__/guestbook';
import {
  fakePermissionApi,
  fakeSignalApi,
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';

describe('EntityGitopsContent: the Delivery section', () => {
  it('shows the delivery metrics of the service below the comparison', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironmentsLive);
    api.getEntityDeliveryMetrics.mockResolvedValue(guestbookDeliveryMetrics);
    await renderWithApi(<EntityGitopsContent />, api);

    const delivery = await screen.findByRole('region', { name: 'Delivery' });
    expect(
      await within(delivery).findByRole('group', { name: 'Lead time' }),
    ).toHaveTextContent('26.5 h');
    expect(api.getEntityDeliveryMetrics).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      '30d',
    );
    const compare = screen.getByText('Compare environments');
    expect(
      // eslint-disable-next-line no-bitwise
      compare.compareDocumentPosition(delivery) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it('does not read the metrics again when the lanes are read again', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironmentsLive);
    api.getEntityDeliveryMetrics.mockResolvedValue(guestbookDeliveryMetrics);
    const signals = fakeSignalApi();
    await renderWithApi(
      <EntityGitopsContent />,
      api,
      undefined,
      fakePermissionApi(),
      signals.signalApi,
    );
    await screen.findByRole('group', { name: 'Lead time' });

    act(() =>
      signals.send('gitops:component:default/guestbook', {
        kind: 'state',
        entityRef: 'component:default/guestbook',
      }),
    );

    await waitFor(() => expect(api.getEnvironments).toHaveBeenCalledTimes(2));
    expect(
      screen.getByRole('region', { name: 'Delivery' }),
    ).toBeInTheDocument();
    expect(api.getEntityDeliveryMetrics).toHaveBeenCalledTimes(1);
  });
});
