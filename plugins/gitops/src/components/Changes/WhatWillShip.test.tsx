import { VersionChanges } from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import { guestbookEnvironmentsLive } from '../../__fixtures__/guestbook';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { WhatWillShip } from './WhatWillShip';

const guestbook = {
  kind: 'component',
  namespace: 'default',
  name: 'guestbook',
};
const SOURCE = 'https://github.com/acme/guestbook';
const sha = (c: string) => c.repeat(40);

const changes: VersionChanges = {
  entityRef: 'component:default/guestbook',
  environment: 'prod',
  from: { version: 'v1.0.4', revision: sha('a') },
  to: { version: 'v1.0.5', revision: sha('e') },
  commits: [
    {
      sha: sha('e'),
      author: 'Ann',
      message: 'Merge pull request #14 from acme/feature-b',
      at: '2026-12-01T10:00:00.000Z',
      pullRequest: {
        number: 14,
        title: 'Add feature B',
        url: `${SOURCE}/pull/14`,
      },
      url: `${SOURCE}/commit/${sha('e')}`,
    },
    {
      sha: sha('d'),
      author: 'Cleo',
      message: 'Fix the cart total (#13)',
      at: '2026-12-01T09:00:00.000Z',
      pullRequest: { number: 13, title: 'Fix the cart total', url: null },
    },
    {
      sha: sha('c'),
      author: 'Bob',
      message: 'Direct push',
      at: '2026-12-01T08:00:00.000Z',
      pullRequest: null,
    },
  ],
  truncated: false,
  source: SOURCE,
  unknownSource: null,
  totalCommits: 3,
  removedCommits: 0,
  pullRequests: 2,
  authors: 3,
  comparedWith: 'git',
};

async function render(
  answer: Promise<VersionChanges>,
  to: string | undefined = 'v1.0.5',
) {
  const api = mockGitopsApi(async () => guestbookEnvironmentsLive);
  api.getChanges.mockReturnValue(answer);
  await renderWithApi(
    <WhatWillShip entityRef={guestbook} environment="prod" to={to} />,
    api,
  );
  return api;
}

describe('WhatWillShip', () => {
  it('shows progress while the changes load, asking for the environment and version', async () => {
    const api = await render(new Promise(() => {}));
    await screen.findByTestId('progress');
    expect(api.getChanges).toHaveBeenCalledWith(guestbook, 'prod', 'v1.0.5');
  });

  it('sums up commits, pull requests and authors, and links each commit and pull request', async () => {
    await render(Promise.resolve(changes));
    expect(
      await screen.findByText('3 commits, 2 pull requests, 3 authors'),
    ).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Commits' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(
      within(items[0]).getByRole('link', { name: /^eeeeeee/ }),
    ).toHaveAttribute('href', `${SOURCE}/commit/${sha('e')}`);
    expect(
      within(items[0]).getByRole('link', { name: /^#14 Add feature B/ }),
    ).toHaveAttribute('href', `${SOURCE}/pull/14`);
    // No link from the backend: one for the GitHub source is made; a pull request without one is text.
    expect(
      within(items[1]).getByRole('link', { name: /^ddddddd/ }),
    ).toHaveAttribute('href', `${SOURCE}/commit/${sha('d')}`);
    expect(items[1]).toHaveTextContent('Cleo · #13 Fix the cart total');
    expect(within(items[1]).queryByRole('link', { name: /#13/ })).toBeNull();
    expect(items[2]).toHaveTextContent('Direct push');
    expect(items[2]).toHaveTextContent('Bob');
  });

  it('says when the list is truncated', async () => {
    await render(
      Promise.resolve({ ...changes, totalCommits: 300, truncated: true }),
    );
    expect(
      await screen.findByText('Showing the newest 3 of 300 commits.'),
    ).toBeInTheDocument();
    expect(screen.getByText(/^300 commits/)).toBeInTheDocument();
  });

  it('shows an unknown source with its reason', async () => {
    await render(
      Promise.resolve({
        ...changes,
        commits: [],
        totalCommits: 0,
        unknownSource:
          'ghcr.io/acme/guestbook:v1.0.5 has no org.opencontainers.image.source or org.opencontainers.image.revision annotation or label',
      }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Unknown source: ghcr.io/acme/guestbook:v1.0.5 has no org.opencontainers.image.source',
    );
    expect(screen.queryByRole('list')).toBeNull();
  });

  it.each([
    ['nothing new', 0, 'No changes: prod already runs this source.'],
    ['a rollback', 2, 'No new commits: v1.0.5 lacks 2 commits prod runs.'],
  ])('says so when there is %s', async (_, removedCommits, text) => {
    await render(
      Promise.resolve({
        ...changes,
        commits: [],
        totalCommits: 0,
        pullRequests: 0,
        authors: 0,
        removedCommits,
      }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(text);
  });

  it('shows the error when the Git host failed', async () => {
    await render(
      Promise.reject(new Error('git fetch failed: timed out after 20000 ms')),
      undefined,
    );
    expect(
      (
        await screen.findAllByText(/git fetch failed: timed out after 20000 ms/)
      )[0],
    ).toBeInTheDocument();
  });
});
