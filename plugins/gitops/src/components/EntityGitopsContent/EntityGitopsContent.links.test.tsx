import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import { guestbookEnvironments } from '../../__fixtures__/guestbook';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';

const SHA = guestbookEnvironments.environments[0].desired!.source.revision;

/** The fixture with every environment read from `repo`. */
function fromRepo(repo: string): EnvironmentsResponse {
  return {
    ...guestbookEnvironments,
    environments: guestbookEnvironments.environments.map(e => ({
      ...e,
      desired: { ...e.desired!, source: { ...e.desired!.source, repo } },
    })),
  };
}

async function gitSectionOf(
  environment: string,
  response: EnvironmentsResponse,
) {
  await renderWithApi(
    <EntityGitopsContent />,
    mockGitopsApi(async () => response),
  );
  return within(
    await screen.findByRole('region', {
      name: `Git version of ${environment}`,
    }),
  );
}

describe('links from a lane to the Git host', () => {
  it('links the version to its commit and the overlay to its file on GitHub', async () => {
    const git = await gitSectionOf(
      'prod',
      fromRepo('git@github.com:acme/gitops.git'),
    );

    const commit = git.getByRole('link', { name: /^3f2a9c8\b/ });
    expect(commit).toHaveAttribute(
      'href',
      `https://github.com/acme/gitops/commit/${SHA}`,
    );
    expect(commit).toHaveAttribute('title', SHA);
    expect(
      git.getByRole('link', { name: /^apps\/guestbook\/overlays\/prod\b/ }),
    ).toHaveAttribute(
      'href',
      `https://github.com/acme/gitops/blob/${SHA}/apps/guestbook/overlays/prod`,
    );
  });

  it('shows the short sha as plain text for a local repository', async () => {
    const git = await gitSectionOf('prod', fromRepo('/srv/git/gitops'));

    expect(git.queryByRole('link')).not.toBeInTheDocument();
    expect(git.getByText('3f2a9c8')).toHaveAttribute('title', SHA);
    expect(
      screen.getByRole('region', { name: 'Git version of prod' }),
    ).toHaveTextContent('apps/guestbook/overlays/prod @ 3f2a9c8');
  });
});
