import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  OverviewItem,
  OverviewResponse,
} from '@gitops-backstage/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef } from '../../api';
import { mockGitopsApi } from '../../__testUtils__/renderWithApi';
import { GitopsFleetPage, PAGE_SIZE } from './GitopsFleetPage';

function row(
  name: string,
  envs: Array<[string, string | null, string, string, number]>,
): OverviewItem {
  return {
    entityRef: `component:default/${name}`,
    title: null,
    owner: 'group:default/team-a',
    environments: envs.map(([env, tag, sync, health, problems]) => ({
      name: env,
      tag,
      digest: null,
      chartVersion: null,
      sync,
      health,
      problems,
      error: null,
      stale: false,
    })),
  };
}

const fleet: OverviewResponse = {
  items: [
    row('guestbook', [
      ['dev', 'v1.0.5', 'Synced', 'Healthy', 0],
      ['staging', 'v1.0.4', 'Synced', 'Healthy', 0],
      ['prod', 'v1.0.3', 'Synced', 'Healthy', 1],
    ]),
    row('sample-app', [
      ['dev', '1.4.2', 'Synced', 'Degraded', 1],
      ['staging', '1.4.1', 'Synced', 'Healthy', 0],
      ['prod', null, 'OutOfSync', 'Healthy', 0],
    ]),
  ],
  totalCount: 2,
  nextCursor: null,
};

async function renderPage(
  api = mockGitopsApi(async () => ({} as any)),
  url = '/',
) {
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api]]}>
      <GitopsFleetPage />
    </TestApiProvider>,
    { routeEntries: [url] },
  );
}

describe('GitopsFleetPage', () => {
  it('shows each service × environment with version, state and problems, in promotion order', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue(fleet);
    await renderPage(api);
    const table = await screen.findByRole('table', { name: 'GitOps fleet' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual(['Service', 'Owner', 'dev', 'staging', 'prod']);
    expect(
      within(table).getByRole('cell', {
        name: 'prod: v1.0.3, Synced · Healthy, 1 problems',
      }),
    ).toBeInTheDocument();
    expect(
      within(table).getByRole('cell', {
        name: 'dev: 1.4.2, Synced · Degraded, 1 problems',
      }),
    ).toBeInTheDocument();
    expect(
      within(table).getByRole('link', { name: 'guestbook' }),
    ).toHaveAttribute('href', '/catalog/default/component/guestbook/gitops');
    expect(screen.getByLabelText('Matching services')).toHaveTextContent(
      '2 services',
    );
    expect(api.getOverview).toHaveBeenCalledWith({
      limit: PAGE_SIZE,
    });
  });

  it('asks the server with the filters the URL holds, and pages with its cursor', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue({ ...fleet, nextCursor: 'c2' });
    await renderPage(api, '/?status=problems&owner=team-a&q=guest');
    await screen.findByRole('table', { name: 'GitOps fleet' });
    expect(api.getOverview).toHaveBeenLastCalledWith({
      status: 'problems',
      owner: 'team-a',
      q: 'guest',
      limit: PAGE_SIZE,
    });
    await userEvent.click(
      screen.getByRole('button', { name: `Next ${PAGE_SIZE}` }),
    );
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        status: 'problems',
        owner: 'team-a',
        q: 'guest',
        cursor: 'c2',
        limit: PAGE_SIZE,
      }),
    );
  });

  it('filters to only problems from the state menu', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue(fleet);
    await renderPage(api);
    await screen.findByRole('table', { name: 'GitOps fleet' });
    await userEvent.click(screen.getByLabelText('State'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Only problems' }),
    );
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        status: 'problems',
        limit: PAGE_SIZE,
      }),
    );
  });

  it('says when nothing matches, and shows a server error', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValueOnce({
      items: [],
      totalCount: 0,
      nextCursor: null,
    });
    await renderPage(api);
    expect(
      await screen.findByText(
        'No GitOps-managed service matches these filters.',
      ),
    ).toBeInTheDocument();

    const failing = mockGitopsApi(async () => ({} as any));
    failing.getOverview.mockRejectedValue(new Error('overview unavailable'));
    await renderPage(failing);
    expect(
      (await screen.findAllByText(/overview unavailable/)).length,
    ).toBeGreaterThan(0);
  });
});
