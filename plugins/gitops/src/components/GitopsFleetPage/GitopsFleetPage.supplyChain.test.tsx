import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  OverviewEnvironment,
  OverviewResponse,
} from '@gitops-backstage/plugin-gitops-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef } from '../../api';
import {
  fakePermissionApi,
  mockGitopsApi,
} from '../../__testUtils__/renderWithApi';
import { GitopsFleetPage, PAGE_SIZE } from './GitopsFleetPage';

function env(
  name: string,
  tag: string,
  supplyChain?: OverviewEnvironment['supplyChain'],
): OverviewEnvironment {
  return {
    name,
    tag,
    digest: null,
    chartVersion: null,
    sync: 'Synced',
    health: 'Healthy',
    problems: 0,
    error: null,
    stale: false,
    ...(supplyChain !== undefined ? { supplyChain } : {}),
  };
}

const fleet: OverviewResponse = {
  items: [
    {
      entityRef: 'component:default/demo-flask-app',
      title: null,
      owner: 'group:default/team-a',
      environments: [
        env('dev', '9f8e7d6-42', {
          signature: 'unsigned',
          critical: 0,
          high: 0,
        }),
        env('staging', '1a2b3c4-41', {
          signature: 'invalid',
          critical: null,
          high: null,
        }),
        env('prod', '1a2b3c4-41', {
          signature: 'verified',
          critical: 1,
          high: 3,
        }),
      ],
    },
    {
      entityRef: 'component:default/guestbook',
      title: null,
      owner: 'group:default/team-a',
      environments: [
        env('dev', 'v1.0.5', { signature: 'verified', critical: 0, high: 0 }),
        env('staging', 'v1.0.4', null),
        env('prod', 'v1.0.3'),
      ],
    },
  ],
  totalCount: 2,
  nextCursor: null,
  counts: {
    total: 2,
    problems: 0,
    OutOfSync: 0,
    Degraded: 0,
    Progressing: 0,
    stale: 0,
    error: 0,
    insecure: 1,
  },
};

async function renderPage(api: ReturnType<typeof mockGitopsApi>, url = '/') {
  return renderInTestApp(
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
}

describe('the fleet page and the supply chain', () => {
  it('filters to the unsigned or vulnerable services in an environment from their count', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue(fleet);
    await renderPage(api, '/?environment=prod');
    const chip = await screen.findByTestId('fleet-count-insecure');
    expect(chip).toHaveTextContent('1 unsigned or vulnerable in prod');
    expect(chip).toHaveAttribute('aria-pressed', 'false');

    await userEvent.click(chip);
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        environment: 'prod',
        status: 'insecure',
        limit: PAGE_SIZE,
      }),
    );
    expect(screen.getByTestId('fleet-count-insecure')).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(screen.getByLabelText('State')).toHaveTextContent(
      'Unsigned or vulnerable',
    );
  });

  it('offers the filter in the state menu too', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue(fleet);
    await renderPage(api);
    await screen.findByRole('table', { name: 'GitOps fleet' });
    expect(screen.getByTestId('fleet-count-insecure')).toHaveTextContent(
      /^1 unsigned or vulnerable$/,
    );
    await userEvent.click(screen.getByLabelText('State'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Unsigned or vulnerable' }),
    );
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        status: 'insecure',
        limit: PAGE_SIZE,
      }),
    );
  });

  it("marks each environment's signature and critical and high vulnerabilities", async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue(fleet);
    await renderPage(api);
    const table = within(
      await screen.findByRole('table', { name: 'GitOps fleet' }),
    );
    const [flask, guestbook] = table.getAllByRole('row').slice(1);

    const dev = within(flask).getByTestId('fleet-supply-chain-dev');
    expect(dev).toHaveAccessibleName('Supply chain: unsigned');
    expect(dev).toHaveAttribute('data-insecure', 'true');
    expect(
      within(flask).getByTestId('fleet-supply-chain-staging'),
    ).toHaveAccessibleName('Supply chain: invalid signature');
    const prod = within(flask).getByTestId('fleet-supply-chain-prod');
    expect(prod).toHaveAccessibleName(
      'Supply chain: signed, 1 critical, 3 high',
    );
    expect(prod).toHaveTextContent('1C3H');
    // The cell's name says it too.
    expect(
      table.getByRole('cell', {
        name: 'prod: 1a2b3c4-41, Synced · Healthy, signed, 1 critical, 3 high',
      }),
    ).toBeInTheDocument();
    await userEvent.hover(prod);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Supply chain: signed, 1 critical, 3 high',
    );

    // Signed and clean: a quiet shield, no badge; no evidence yet: nothing.
    const clean = within(guestbook).getByTestId('fleet-supply-chain-dev');
    expect(clean).toHaveAttribute('data-insecure', 'false');
    expect(clean).toHaveTextContent('');
    expect(
      within(guestbook).queryByTestId('fleet-supply-chain-staging'),
    ).not.toBeInTheDocument();
    expect(
      within(guestbook).queryByTestId('fleet-supply-chain-prod'),
    ).not.toBeInTheDocument();
    expect(
      table.getByRole('cell', { name: 'dev: v1.0.5, Synced · Healthy' }),
    ).toBeInTheDocument();
  });

  it('shows no insecure count when the backend does not count it', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    const { insecure: _insecure, ...older } = fleet.counts!;
    api.getOverview.mockResolvedValue({ ...fleet, counts: older as any });
    await renderPage(api);
    await screen.findByRole('group', { name: 'Services per state' });
    expect(
      screen.queryByTestId('fleet-count-insecure'),
    ).not.toBeInTheDocument();
    expect(screen.getByTestId('fleet-count-problems')).toBeInTheDocument();
  });
});
