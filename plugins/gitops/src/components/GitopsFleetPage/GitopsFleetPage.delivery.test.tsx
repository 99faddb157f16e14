import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { guestbookDeliveryMetrics } from '../../__fixtures__/deliveryMetrics';
import { gitopsApiRef } from '../../api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  fakePermissionApi,
  mockGitopsApi,
} from '../../__testUtils__/renderWithApi';
import { GitopsFleetPage } from './GitopsFleetPage';

function fleetApi() {
  const api = mockGitopsApi(async () => ({} as any));
  api.getOverview.mockResolvedValue({
    items: [],
    totalCount: 0,
    nextCursor: null,
  });
  api.getDeliveryMetrics.mockResolvedValue({
    ...guestbookDeliveryMetrics,
    entities: 12,
  });
  return api;
}

async function renderPage(api: ReturnType<typeof fleetApi>, url: string) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [gitopsApiRef, api],
        [permissionApiRef, fakePermissionApi()],
      ]}
    >
      <GitopsFleetPage />
    </TestApiProvider>,
    { routeEntries: [url] },
  );
  return screen.findByRole('region', { name: 'Delivery' });
}

describe('GitopsFleetPage: the Delivery section', () => {
  it('shows the metrics of the services the owner and environment filters of the URL select', async () => {
    const api = fleetApi();
    const delivery = await renderPage(
      api,
      '/?owner=group:default/team-a&environment=prod&status=problems',
    );
    expect(
      await within(delivery).findByText(
        'DORA metrics over 12 services of group:default/team-a',
      ),
    ).toBeInTheDocument();
    expect(
      within(delivery).getByRole('group', { name: 'Change failure rate' }),
    ).toHaveTextContent('50 %');
    expect(api.getDeliveryMetrics).toHaveBeenCalledTimes(1);
    expect(api.getDeliveryMetrics).toHaveBeenCalledWith({
      owner: 'group:default/team-a',
      environment: 'prod',
      window: '30d',
    });
  });

  it('asks again for another window or owner, not for another state filter', async () => {
    const api = fleetApi();
    const delivery = await renderPage(api, '/');
    await within(delivery).findByRole('group', { name: 'Lead time' });
    expect(api.getDeliveryMetrics).toHaveBeenLastCalledWith({
      owner: undefined,
      environment: undefined,
      window: '30d',
    });

    await userEvent.click(screen.getByLabelText('State'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Only problems' }),
    );
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith(
        expect.objectContaining({ status: 'problems' }),
      ),
    );
    expect(api.getDeliveryMetrics).toHaveBeenCalledTimes(1);

    await userEvent.click(screen.getByLabelText('Delivery window'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 90 days' }),
    );
    await waitFor(() =>
      expect(api.getDeliveryMetrics).toHaveBeenLastCalledWith({
        owner: undefined,
        environment: undefined,
        window: '90d',
      }),
    );

    const owner = screen.getByRole('textbox', { name: 'Owner' });
    await userEvent.type(owner, 'team-b');
    await userEvent.tab();
    await waitFor(() =>
      expect(api.getDeliveryMetrics).toHaveBeenLastCalledWith({
        owner: 'team-b',
        environment: undefined,
        window: '90d',
      }),
    );
    expect(api.getDeliveryMetrics).toHaveBeenCalledTimes(3);
  });
});
