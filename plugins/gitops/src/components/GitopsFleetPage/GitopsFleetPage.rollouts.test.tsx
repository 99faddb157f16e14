import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  OverviewEnvironment,
  OverviewResponse,
} from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsApiRef } from '../../api';
import {
  fakePermissionApi,
  mockGitopsApi,
} from '../../__testUtils__/renderWithApi';
import { GitopsFleetPage } from './GitopsFleetPage';

function env(
  name: string,
  rollout?: OverviewEnvironment['rollout'],
): OverviewEnvironment {
  return {
    name,
    tag: 'v1.0.3',
    digest: null,
    chartVersion: null,
    sync: 'Synced',
    health: 'Progressing',
    problems: 0,
    error: null,
    stale: false,
    ...(rollout !== undefined ? { rollout } : {}),
  };
}

const fleet: OverviewResponse = {
  items: [
    {
      entityRef: 'component:default/checkout',
      title: null,
      owner: 'group:default/team-a',
      environments: [
        env('dev', null),
        env('staging', {
          health: 'Paused',
          weight: 20,
          step: 2,
          steps: 6,
        }),
        env('prod', {
          health: 'Progressing',
          weight: 40,
          step: 3,
          steps: 6,
        }),
      ],
    },
    {
      entityRef: 'component:default/guestbook',
      title: null,
      owner: 'group:default/team-a',
      environments: [
        env('dev'),
        env('staging', {
          health: 'Paused',
          weight: null,
          step: null,
          steps: null,
        }),
        env('prod', { health: 'Degraded', weight: 0, step: 5, steps: 6 }),
      ],
    },
  ],
  totalCount: 2,
  nextCursor: null,
};

describe('the fleet page and progressive rollouts', () => {
  it("marks each environment's rollout on a chip, the step on hover", async () => {
    const api = mockGitopsApi(async () => ({} as any));
    api.getOverview.mockResolvedValue(fleet);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [gitopsApiRef, api],
          [permissionApiRef, fakePermissionApi()],
        ]}
      >
        <GitopsFleetPage />
      </TestApiProvider>,
    );
    const table = within(
      await screen.findByRole('table', { name: 'GitOps fleet' }),
    );
    const [checkout, guestbook] = table.getAllByRole('row').slice(1);

    expect(
      within(checkout).queryByTestId('fleet-rollout-dev'),
    ).not.toBeInTheDocument();
    expect(
      within(checkout).getByTestId('fleet-rollout-staging'),
    ).toHaveTextContent('paused at 20 %');
    const canary = within(checkout).getByTestId('fleet-rollout-prod');
    expect(canary).toHaveTextContent('canary 40 %');
    expect(
      within(guestbook).getByTestId('fleet-rollout-staging'),
    ).toHaveTextContent('preview');
    const aborted = within(guestbook).getByTestId('fleet-rollout-prod');
    expect(aborted).toHaveTextContent('aborted');
    expect(aborted).toHaveAttribute('data-health', 'Degraded');
    expect(
      within(guestbook).queryByTestId('fleet-rollout-dev'),
    ).not.toBeInTheDocument();

    // The cell's name says it too.
    expect(
      within(checkout).getByRole('cell', {
        name: 'prod: v1.0.3, Synced · Progressing, canary 40 %',
      }),
    ).toBeInTheDocument();

    await userEvent.hover(canary);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('step 3 of 6');
  });
});
