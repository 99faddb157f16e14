import { Entity } from '@backstage/catalog-model';
import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  entityWithoutGitops,
  guestbookEnvironmentsLive,
  plannedAction,
} from '../../__fixtures__/guestbook';
import { GitopsApi } from '../../api';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';
import { promoteButton } from '../../__testUtils__/promoteButton';

const PROMOTE_DEV = promoteButton('dev', 'staging');

function mockApi(getEnvironments: GitopsApi['getEnvironments']) {
  const api = mockGitopsApi(getEnvironments);
  api.promote.mockResolvedValue(plannedAction({ diff: '-v1.0.4\n+v1.0.5' }));
  return api;
}

function renderTab(api: GitopsApi, entity?: Entity) {
  return renderWithApi(<EntityGitopsContent />, api, entity);
}

const lane = (name: string) =>
  screen.getByRole('region', { name: `Environment ${name}` });

/** The live fixture with prod's cluster gone quiet. */
function withStaleProd(): EnvironmentsResponse {
  const [dev, staging, prod] = guestbookEnvironmentsLive.environments;
  return {
    ...guestbookEnvironmentsLive,
    environments: [
      dev,
      staging,
      {
        ...prod,
        live: {
          ...prod.live!,
          stale: true,
          staleReason: 'not confirmed since 2026-11-25T11:50:00Z',
          observedAt: new Date(Date.now() - 3 * 60_000).toISOString(),
        },
        warnings: ['not confirmed since 2026-11-25T11:50:00Z'],
      },
    ],
  };
}

describe('EntityGitopsContent (the GitOps tab)', () => {
  it('shows a lane per environment in promotion order, with promote arrows between them', async () => {
    await renderTab(mockApi(async () => guestbookEnvironmentsLive));
    const lanes = await screen.findAllByRole('region', {
      name: /^Environment /,
    });
    expect(lanes.map(l => l.getAttribute('aria-label'))).toEqual([
      'Environment dev',
      'Environment staging',
      'Environment prod',
    ]);
    expect(
      screen
        .getAllByRole('button', { name: /^Promote / })
        .map(b => [b.getAttribute('aria-label'), b.textContent]),
    ).toEqual([
      ['Promote v1.0.5 from dev to staging', 'Promote v1.0.5 →'],
      ['Promote v1.0.4 from staging to prod', 'Promote v1.0.4 →'],
    ]);
    const dev = within(lane('dev'));
    expect(
      within(dev.getByRole('region', { name: 'Git version of dev' })).getByText(
        'v1.0.5',
      ),
    ).toBeInTheDocument();
    expect(
      within(dev.getByRole('region', { name: 'Running in dev' })).getByText(
        'v1.0.5',
      ),
    ).toBeInTheDocument();
    expect(dev.getByText('Synced')).toBeInTheDocument();
    expect(dev.getByText('Healthy')).toBeInTheDocument();
    expect(dev.getByText('1 updated · 1/1 ready')).toBeInTheDocument();
    expect(dev.getByText('v1.0.6')).toBeInTheDocument(); // newer in the registry
  });

  it('shows scaling with the autoscaler between its bounds, drift, and problems with their hints', async () => {
    await renderTab(mockApi(async () => guestbookEnvironmentsLive));
    const prod = within(
      await screen.findByRole('region', { name: 'Environment prod' }),
    );
    expect(
      prod.getByText('HPA 3 – 3 – 10 · cpu 41% / 70%'),
    ).toBeInTheDocument();
    expect(
      within(prod.getByRole('region', { name: 'Drift in prod' })).getByText(
        'image: Git ghcr.io/acme/guestbook:v1.0.3, cluster ghcr.io/acme/guestbook:v1.0.2',
      ),
    ).toBeInTheDocument();
    const problems = within(
      prod.getByRole('region', { name: 'Problems in prod' }),
    );
    expect(problems.getByText('Drift')).toBeInTheDocument();
    // The hint is there in full, not cut at the lane's edge.
    expect(
      problems.getByText(
        'The cluster differs from Git: with self-heal off, sync; a manual kubectl change is reverted on the next sync.',
      ),
    ).toBeInTheDocument();
  });

  it('keeps the other lanes when one environment cannot be read, and says so in its lane', async () => {
    await renderTab(mockApi(async () => guestbookEnvironmentsLive));
    const staging = within(
      await screen.findByRole('region', { name: 'Environment staging' }),
    );
    expect(
      staging.getByText('cluster nonprod did not answer within 5000 ms'),
    ).toBeInTheDocument();
    expect(
      within(lane('dev')).getByRole('region', { name: 'Git version of dev' }),
    ).toHaveTextContent('v1.0.5');
  });

  it('marks the data of a cluster that stopped answering as stale', async () => {
    await renderTab(mockApi(async () => withStaleProd()));
    const prod = within(
      await screen.findByRole('region', { name: 'Environment prod' }),
    );
    expect(
      prod.getByText('stale: not confirmed since 2026-11-25T11:50:00Z'),
    ).toBeInTheDocument();
    // At a glance, beside Synced and Healthy: they are the state from then.
    expect(
      prod.getByText('cluster silent for 3 min').closest('[title]'),
    ).toHaveAttribute('title', 'not confirmed since 2026-11-25T11:50:00Z');
    expect(
      within(lane('staging')).queryByText(/cluster silent/),
    ).not.toBeInTheDocument();
    // Said once, under what runs, though the API also lists it among the warnings.
    expect(
      prod.getAllByText(/not confirmed since 2026-11-25T11:50:00Z/),
    ).toHaveLength(1);
  });

  it('marks a desired state read from a repository that stopped answering as stale', async () => {
    const reason =
      'repository example: no answer since 09:12:04 UTC; showing revision c277e0c';
    const [dev, ...rest] = guestbookEnvironmentsLive.environments;
    await renderTab(
      mockApi(async () => ({
        ...guestbookEnvironmentsLive,
        environments: [
          {
            ...dev,
            desired: { ...dev.desired!, stale: true, staleReason: reason },
          },
          ...rest,
        ],
      })),
    );
    const git = within(
      await screen.findByRole('region', { name: 'Git version of dev' }),
    );
    expect(git.getByText(`stale: ${reason}`)).toBeInTheDocument();
    expect(
      within(lane('dev')).getByText('Git not answering').closest('[title]'),
    ).toHaveAttribute('title', reason);
    expect(
      within(lane('staging')).queryByText('Git not answering'),
    ).not.toBeInTheDocument();
  });

  it('promotes through the dry-run dialog from the arrow between lanes', async () => {
    const api = mockApi(async () => guestbookEnvironmentsLive);
    await renderTab(api);
    await userEvent.click(
      await screen.findByRole('button', { name: PROMOTE_DEV }),
    );
    expect(await screen.findByRole('dialog')).toBeInTheDocument();
    expect(api.promote).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { from: 'dev', to: 'staging', dryRun: true },
    );
  });

  it('shows progress while loading, then the lanes', async () => {
    let answer: (value: EnvironmentsResponse) => void = () => {};
    await renderTab(mockApi(() => new Promise(resolve => (answer = resolve))));
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
    answer(guestbookEnvironmentsLive);
    expect(
      await screen.findByRole('region', { name: 'Environment dev' }),
    ).toBeInTheDocument();
  });

  it('shows the error when the backend cannot answer', async () => {
    await renderTab(
      mockApi(async () => {
        throw new Error('gitops backend unavailable');
      }),
    );
    expect(
      await screen.findByText('Error: gitops backend unavailable', {
        selector: 'h6',
      }),
    ).toBeInTheDocument();
  });

  it('says which annotation to add for an entity that is not GitOps-managed', async () => {
    const api = mockApi(async () => guestbookEnvironmentsLive);
    await renderTab(api, entityWithoutGitops);
    expect(
      await screen.findByText('gitops.backstage.io/path'),
    ).toBeInTheDocument();
    expect(api.getEnvironments).not.toHaveBeenCalled();
  });
});
