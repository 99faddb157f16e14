import { Entity } from '@backstage/catalog-model';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  guestbookEntity,
  guestbookEnvironments,
  guestbookEnvironmentsLive,
} from '../../__fixtures__/guestbook';
import {
  PermissionDecision,
  fakePermissionApi,
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';
import { promoteButton } from '../../__testUtils__/promoteButton';

const PROMOTE_DEV = promoteButton('dev', 'staging');
const PROMOTE_STAGING = promoteButton('staging', 'prod');

/**
 * The permission hook caches answers per permission and resource ref for the whole file, so
 * each test renders its own entity: no test sees another's answers.
 */
function entityNamed(name: string): Entity {
  return {
    ...guestbookEntity,
    metadata: { ...guestbookEntity.metadata, name },
  };
}

/** Renders the tab for `name`, denying (or leaving pending) what `decide` says. */
async function renderTab(
  name: string,
  decide: (permission: string, environment: string) => PermissionDecision,
  environments = guestbookEnvironmentsLive,
) {
  const api = mockGitopsApi(async () => environments);
  await renderWithApi(
    <EntityGitopsContent />,
    api,
    entityNamed(name),
    fakePermissionApi((permission, resourceRef) => {
      expect(resourceRef).toMatch(new RegExp(`^component:default/${name}#`));
      return decide(permission, resourceRef!.split('#')[1]);
    }),
  );
  await screen.findAllByRole('region', { name: /^Environment / });
  return api;
}

const lane = (name: string) =>
  within(screen.getByRole('region', { name: `Environment ${name}` }));
const button = (name: string | RegExp) => screen.getByRole('button', { name });

describe('changes the user may not make', () => {
  it('disables the promotion to prod with the reason, and keeps dev → staging', async () => {
    await renderTab('guestbook-no-prod', (permission, environment) =>
      permission === 'gitops.promote' && environment === 'prod'
        ? 'deny'
        : 'allow',
    );
    const reason = 'You may not promote to prod (permission gitops.promote)';

    await waitFor(() =>
      expect(button(PROMOTE_STAGING)).toHaveAccessibleDescription(reason),
    );
    expect(button(PROMOTE_STAGING)).toBeDisabled();
    await waitFor(() => expect(button(PROMOTE_DEV)).toBeEnabled());
    // A rollback is a promotion of an older version: denied in prod as well.
    expect(
      lane('prod').getByRole('button', { name: 'Roll back prod' }),
    ).toBeDisabled();
    expect(
      lane('prod').getByRole('button', { name: 'Roll back prod' }),
    ).toHaveAccessibleDescription(
      'You may not roll back prod (permission gitops.promote)',
    );
    expect(
      lane('prod').getByRole('button', { name: 'Scale prod' }),
    ).toBeEnabled();
    expect(
      lane('staging').getByRole('button', { name: 'Roll back staging' }),
    ).toBeEnabled();

    // The reason shows on hover too (over the wrapper: a disabled button gets no events).
    await userEvent.hover(button(PROMOTE_STAGING).parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(reason);
  });

  it('disables Scale with the reason when scaling is denied', async () => {
    await renderTab('guestbook-no-scale', permission =>
      permission === 'gitops.scale' ? 'deny' : 'allow',
    );

    await waitFor(() =>
      expect(
        lane('dev').getByRole('button', { name: 'Scale dev' }),
      ).toHaveAccessibleDescription(
        'You may not scale dev (permission gitops.scale)',
      ),
    );
    for (const name of ['dev', 'staging', 'prod']) {
      expect(
        lane(name).getByRole('button', { name: `Scale ${name}` }),
      ).toBeDisabled();
      expect(
        lane(name).getByRole('button', { name: `Roll back ${name}` }),
      ).toBeEnabled();
    }
  });

  it('disables the engine requests when sync is denied', async () => {
    await renderTab('guestbook-no-sync', permission =>
      permission === 'gitops.sync' ? 'deny' : 'allow',
    );

    await waitFor(() =>
      expect(button('Sync dev')).toHaveAccessibleDescription(
        'You may not ask the GitOps engine to refresh, sync, reconcile, suspend or resume dev (permission gitops.sync)',
      ),
    );
    for (const name of [
      'Refresh dev',
      'Sync dev',
      'Reconcile prod',
      'Suspend prod',
    ]) {
      expect(button(name)).toBeDisabled();
    }
    expect(button(PROMOTE_DEV)).toBeEnabled();
    expect(button('Scale dev')).toBeEnabled();
  });

  it('disables "Roll back to this" in the history when rollbacks are denied', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironments);
    api.getHistory.mockResolvedValue({
      entityRef: 'component:default/guestbook-no-rollback',
      environment: 'staging',
      items: [
        {
          revision: 'b'.repeat(40),
          author: 'ci-bot',
          message: 'Bootstrap',
          committedAt: '2026-11-02T09:00:00Z',
          tag: 'v1.0.3',
          digest: null,
          replicas: 2,
          autoscaling: null,
          changes: ['version'],
          promotionId: null,
        },
      ],
      actions: [],
    });
    await renderWithApi(
      <EntityGitopsContent />,
      api,
      entityNamed('guestbook-no-rollback'),
      fakePermissionApi((permission, resourceRef) =>
        permission === 'gitops.promote' && resourceRef?.endsWith('#staging')
          ? 'deny'
          : 'allow',
      ),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'History of staging' }),
    );

    const rollBack = await screen.findByRole('button', {
      name: 'Roll back staging to v1.0.3',
    });
    await waitFor(() =>
      expect(rollBack).toHaveAccessibleDescription(
        'You may not roll back staging (permission gitops.promote)',
      ),
    );
    expect(rollBack).toBeDisabled();
  });

  it('keeps every change disabled while the permissions are being checked', async () => {
    await renderTab('guestbook-checking', () => 'pending');

    for (const name of [
      PROMOTE_DEV,
      PROMOTE_STAGING,
      'Scale dev',
      'Roll back prod',
      'Sync dev',
      'Suspend prod',
    ]) {
      expect(button(name)).toBeDisabled();
    }
    expect(button('Scale prod')).toHaveAccessibleDescription(
      'Checking whether you may scale prod…',
    );
  });
});
