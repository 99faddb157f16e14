import { HistoryResponse } from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import {
  guestbookEnvironmentsLive,
  plannedAction,
} from '../../__fixtures__/guestbook';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';

/** The live fixture with the registry's newer tags per environment (newest first). */
const environments = {
  ...guestbookEnvironmentsLive,
  environments: guestbookEnvironmentsLive.environments.map(e => ({
    ...e,
    registry: {
      image: 'ghcr.io/acme/guestbook',
      policy: 'semver',
      latest: 'v1.0.6',
      newer: {
        dev: ['v1.0.6'],
        staging: ['v1.0.6', 'v1.0.5'],
        prod: ['v1.0.6', 'v1.0.5', 'v1.0.4'],
      }[e.name]!,
      digest: null,
      tagExists: true,
    },
  })),
};

function history(environment: string): HistoryResponse {
  const promotionId = environment === 'staging' ? 'p1' : null;
  return {
    entityRef: 'component:default/guestbook',
    environment,
    items: [
      {
        revision: 'c'.repeat(40),
        author: `${environment}-author`,
        message: 'Promote guestbook',
        // 3 h and 10 min before the call: the lane's clock, read at its first render, may be a
        // few seconds behind it on a loaded machine, and "3 h ago" must not become "2 h ago".
        committedAt: new Date(
          Date.now() - 3 * 3600_000 - 600_000,
        ).toISOString(),
        tag: 'v1.0.4',
        digest: null,
        replicas: null,
        autoscaling: null,
        changes: ['version'],
        promotionId,
      },
    ],
    actions: [
      plannedAction({
        id: 'p1',
        status: 'Succeeded',
        actor: 'user:default/alice',
      }),
      // Changes waiting for review: a pull request on GitHub, a branch on a plain Git host.
      ...(environment === 'prod'
        ? [
            plannedAction({
              id: 'p2',
              to: 'prod',
              from: 'staging',
              status: 'PullRequestOpened',
              actor: 'user:default/bob',
              version: { tag: 'v1.0.4', digest: null },
              pullRequest: 'https://github.com/acme/gitops/pull/7',
              createdAt: new Date(Date.now() - 150_000).toISOString(),
            }),
            plannedAction({
              id: 'p3',
              action: 'scale',
              to: 'prod',
              status: 'PullRequestOpened',
              actor: 'user:default/carol',
              version: null,
              scaling: { replicas: 5, minReplicas: null, maxReplicas: null },
              branch: 'gitops/guestbook/prod/p3',
              createdAt: new Date(Date.now() - 90_000).toISOString(),
            }),
          ]
        : []),
    ],
  };
}

describe('EntityGitopsContent: where each lane stands', () => {
  it('says how far each lane is behind the one before it, and when and by whom its version was set', async () => {
    const api = mockGitopsApi(async () => environments);
    api.getHistory.mockImplementation(async (_ref, env) => history(env));
    await renderWithApi(<EntityGitopsContent />, api);
    const lane = (name: string) =>
      screen.getByRole('region', { name: `Environment ${name}` });
    await screen.findByRole(
      'region',
      { name: 'Environment prod' },
      { timeout: 5000 },
    );

    expect(
      within(lane('staging')).getByText('1 version behind dev (v1.0.5)'),
    ).toBeInTheDocument();
    expect(
      within(lane('prod')).getByText('1 version behind staging (v1.0.4)'),
    ).toBeInTheDocument();
    expect(within(lane('dev')).queryByText(/behind|ahead/)).toBeNull();

    expect(
      await within(lane('staging')).findByText(
        'version set 3 h ago by staging-author · promote asked by user:default/alice',
        {},
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
    expect(
      await within(lane('prod')).findByText(
        'version set 3 h ago by prod-author',
        {},
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
    const prod = within(lane('prod'));
    expect(
      prod.getByText(/Waiting for review: promote v1.0.4 \(/),
    ).toHaveTextContent(
      // The link adds a hidden ", Opens in a new window" for screen readers.
      /^Waiting for review: promote v1\.0\.4 \(pull request.*, asked 2 min ago by user:default\/bob\)$/,
    );
    expect(prod.getByRole('link', { name: /pull request/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/gitops/pull/7',
    );
    expect(
      prod.getByText(
        'Waiting for review: scale to 5 (branch gitops/guestbook/prod/p3, asked 1 min ago by user:default/carol)',
      ),
    ).toBeInTheDocument();
    expect(
      within(lane('staging')).queryByText(/Waiting for review/),
    ).toBeNull();
    // One history read per lane, not one per refresh of the lanes.
    expect(api.getHistory).toHaveBeenCalledTimes(3);
  });
});
