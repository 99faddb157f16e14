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
        committedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
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
    await screen.findByRole('region', { name: 'Environment prod' });

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
      ),
    ).toBeInTheDocument();
    expect(
      await within(lane('prod')).findByText(
        'version set 3 h ago by prod-author',
      ),
    ).toBeInTheDocument();
    // One history read per lane, not one per refresh of the lanes.
    expect(api.getHistory).toHaveBeenCalledTimes(3);
  });
});
