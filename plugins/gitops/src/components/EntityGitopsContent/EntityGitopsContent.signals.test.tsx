import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import { guestbookEnvironmentsLive } from '../../__fixtures__/guestbook';
import {
  fakePermissionApi,
  fakeSignalApi,
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';

/** The live fixture with staging's desired tag changed, as after a promotion. */
function withStagingAt(tag: string): EnvironmentsResponse {
  return {
    ...guestbookEnvironmentsLive,
    environments: guestbookEnvironmentsLive.environments.map(e =>
      e.name === 'staging' ? { ...e, desired: { ...e.desired!, tag } } : e,
    ),
  };
}

describe('EntityGitopsContent with Backstage signals', () => {
  it('reads the lanes and the comparison again when the backend signals a change of this entity, not of another', async () => {
    let answer = guestbookEnvironmentsLive;
    const api = mockGitopsApi(async () => answer);
    const signals = fakeSignalApi();
    await renderWithApi(
      <EntityGitopsContent />,
      api,
      undefined,
      fakePermissionApi(),
      signals.signalApi,
    );
    await screen.findByRole('region', { name: 'Environment staging' });
    await waitFor(() => expect(api.compare).toHaveBeenCalledTimes(1), {
      timeout: 5000,
    });
    expect(api.getEnvironments).toHaveBeenCalledTimes(1);

    answer = withStagingAt('v9.9.9');
    act(() =>
      signals.send('gitops:component:default/other', {
        kind: 'state',
        entityRef: 'component:default/other',
      }),
    );
    expect(api.getEnvironments).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(api.getHistory).toHaveBeenCalledTimes(3), {
      timeout: 5000,
    });

    // The cluster changed: the lanes are read again; the Git activity (same revision) is not.
    act(() =>
      signals.send('gitops:component:default/guestbook', {
        kind: 'state',
        entityRef: 'component:default/guestbook',
      }),
    );
    await waitFor(() => expect(api.getEnvironments).toHaveBeenCalledTimes(2), {
      timeout: 5000,
    });
    expect(api.getHistory).toHaveBeenCalledTimes(3);

    // An action changed (e.g. a pull request opened, the branch as it was): both.
    act(() =>
      signals.send('gitops:component:default/guestbook', {
        kind: 'action',
        entityRef: 'component:default/guestbook',
      }),
    );
    const staging = screen.getByRole('region', { name: 'Environment staging' });
    expect(
      await within(staging).findByText('v9.9.9', {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(api.getEnvironments).toHaveBeenCalledTimes(3);
    await waitFor(() => expect(api.getHistory).toHaveBeenCalledTimes(6), {
      timeout: 5000,
    });
    // Git changed: the comparison is read again too.
    await waitFor(() => expect(api.compare).toHaveBeenCalledTimes(2), {
      timeout: 5000,
    });
  });
});
