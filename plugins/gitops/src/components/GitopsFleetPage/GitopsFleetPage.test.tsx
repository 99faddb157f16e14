import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  OverviewItem,
  OverviewResponse,
} from '@gitops-backstage/plugin-gitops-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef } from '../../api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  fakePermissionApi,
  mockGitopsApi,
} from '../../__testUtils__/renderWithApi';
import { REFRESH_MS } from '../EntityGitopsContent/EntityGitopsContent';
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
  counts: {
    total: 2,
    problems: 2,
    OutOfSync: 1,
    Degraded: 1,
    Progressing: 0,
    stale: 0,
    error: 0,
    insecure: 1,
  },
};

async function renderPage(
  api = mockGitopsApi(async () => ({} as any)),
  url = '/',
) {
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
    ).toEqual(['Service', 'Owner', 'Problems', 'dev', 'staging', 'prod']);
    // Problems over the environments shown, per service.
    expect(
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map(r => within(r).getAllByRole('cell')[2].textContent),
    ).toEqual(['1', '1']);
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

  it('shows how many services are in each state, and filters to one when its count is chosen', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue(fleet);
    await renderPage(api, '/?owner=team-a');
    const counts = await screen.findByRole('group', {
      name: 'Services per state',
    });
    expect(
      within(counts)
        .getAllByRole('button')
        .map(b => b.textContent),
    ).toEqual([
      'All 2',
      '2 with problems',
      '1 out of sync',
      '1 degraded',
      '0 progressing',
      '0 stale',
      '0 with errors',
      '1 unsigned or vulnerable',
    ]);
    expect(
      within(counts).getByRole('button', { name: 'All 2' }),
    ).toHaveAttribute('aria-pressed', 'true');

    await userEvent.click(
      within(counts).getByRole('button', { name: '1 out of sync' }),
    );
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        owner: 'team-a',
        status: 'OutOfSync',
        limit: PAGE_SIZE,
      }),
    );
    expect(
      screen.getByRole('button', { name: '1 out of sync' }),
    ).toHaveAttribute('aria-pressed', 'true');
    // The state menu says the same.
    expect(screen.getByLabelText('State')).toHaveTextContent('Out of sync');

    // Chosen again: every state.
    await userEvent.click(
      screen.getByRole('button', { name: '1 out of sync' }),
    );
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        owner: 'team-a',
        limit: PAGE_SIZE,
      }),
    );
  });

  it('shows no counts when the backend does not send them', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    const { counts: _counts, ...withoutCounts } = fleet;
    api.getOverview.mockResolvedValue(withoutCounts);
    await renderPage(api);
    await screen.findByRole('table', { name: 'GitOps fleet' });
    expect(
      screen.queryByRole('group', { name: 'Services per state' }),
    ).not.toBeInTheDocument();
  });

  it('sorts by service, owner or problems on the server from the column headers, the order in the URL', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue({ ...fleet, nextCursor: 'c2' });
    await renderPage(api, '/?status=problems&cursor=c1');
    const header = (name: string) => screen.getByRole('columnheader', { name });
    await screen.findByRole('table', { name: 'GitOps fleet' });
    // By name A→Z unless asked otherwise.
    expect(header('Service')).toHaveAttribute('aria-sort', 'ascending');
    expect(header('Problems')).not.toHaveAttribute('aria-sort');

    // The most problems first, from the first page.
    await userEvent.click(screen.getByRole('button', { name: 'Problems' }));
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        status: 'problems',
        sort: 'problems',
        order: 'desc',
        limit: PAGE_SIZE,
      }),
    );
    expect(header('Problems')).toHaveAttribute('aria-sort', 'descending');
    expect(header('Service')).not.toHaveAttribute('aria-sort');

    // Again: the other way round.
    await userEvent.click(screen.getByRole('button', { name: 'Problems' }));
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        status: 'problems',
        sort: 'problems',
        order: 'asc',
        limit: PAGE_SIZE,
      }),
    );
    expect(header('Problems')).toHaveAttribute('aria-sort', 'ascending');

    await userEvent.click(screen.getByRole('button', { name: 'Owner' }));
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        status: 'problems',
        sort: 'owner',
        order: 'asc',
        limit: PAGE_SIZE,
      }),
    );
    // The next page keeps the order.
    await userEvent.click(
      screen.getByRole('button', { name: `Next ${PAGE_SIZE}` }),
    );
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        status: 'problems',
        sort: 'owner',
        order: 'asc',
        cursor: 'c2',
        limit: PAGE_SIZE,
      }),
    );
  });

  it('takes the order from the URL', async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue(fleet);
    await renderPage(api, '/?sort=owner&order=desc');
    await screen.findByRole('table', { name: 'GitOps fleet' });
    expect(api.getOverview).toHaveBeenLastCalledWith({
      sort: 'owner',
      order: 'desc',
      limit: PAGE_SIZE,
    });
    expect(screen.getByRole('columnheader', { name: 'Owner' })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Service' }));
    await waitFor(() =>
      expect(api.getOverview).toHaveBeenLastCalledWith({
        sort: 'name',
        order: 'asc',
        limit: PAGE_SIZE,
      }),
    );
  });

  describe('while the backend is still reading the fleet', () => {
    /** The first page after a start: 1,000 of 5,000 services read. */
    const partial: OverviewResponse = {
      ...fleet,
      totalCount: 5000,
      nextCursor: 'c2',
      counts: { ...fleet.counts!, total: 5000, pending: 4000 },
    };
    const readingNote = () =>
      screen.queryByRole('status', { name: /^Reading .* more service/ });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('says how many services are left and that the counts cover the rest', async () => {
      const api = mockGitopsApi(async () => ({} as any));
      api.getOverview.mockResolvedValue(partial);
      await renderPage(api);
      const note = await screen.findByRole('status', {
        name: 'Reading 4,000 more services… counts cover the 1,000 read so far',
      });
      expect(note).toHaveTextContent(
        'Reading 4,000 more services… counts cover the 1,000 read so far',
      );
      expect(
        within(note).getByRole('progressbar', { name: 'Services read' }),
      ).toHaveAttribute('aria-valuenow', '20');
      // The counts are still shown and still filter.
      expect(
        screen.getByRole('group', { name: 'Services per state' }),
      ).toBeInTheDocument();
    });

    it('says "service" for the last one', async () => {
      const api = mockGitopsApi(async () => ({} as any));
      api.getOverview.mockResolvedValue({
        ...partial,
        counts: { ...partial.counts!, pending: 1 },
      });
      await renderPage(api);
      expect(
        await screen.findByRole('status', {
          name: 'Reading 1 more service… counts cover the 4,999 read so far',
        }),
      ).toBeInTheDocument();
    });

    it.each([
      ['0', 0],
      ['absent', undefined],
    ])('shows no note when pending is %s', async (_name, pending) => {
      const api = mockGitopsApi(async () => ({} as any));
      api.getOverview.mockResolvedValue({
        ...fleet,
        counts: { ...fleet.counts!, pending },
      });
      await renderPage(api);
      await screen.findByRole('group', { name: 'Services per state' });
      expect(readingNote()).not.toBeInTheDocument();
    });

    it('keeps asking, and drops the note once the whole fleet is read', async () => {
      jest.useFakeTimers();
      const api = mockGitopsApi(async () => ({} as any));
      api.getOverview.mockResolvedValueOnce(partial).mockResolvedValue({
        ...partial,
        counts: { ...partial.counts!, problems: 40, pending: 0 },
      });
      await renderPage(api);
      await screen.findByRole('status', { name: /^Reading 4,000 more/ });
      expect(api.getOverview).toHaveBeenCalledTimes(1);

      act(() => {
        jest.advanceTimersByTime(REFRESH_MS);
      });
      await waitFor(() => expect(readingNote()).not.toBeInTheDocument());
      expect(api.getOverview).toHaveBeenCalledTimes(2);
      expect(api.getOverview).toHaveBeenLastCalledWith({ limit: PAGE_SIZE });
      expect(
        screen.getByRole('button', { name: '40 with problems' }),
      ).toBeInTheDocument();
    });
  });
});
