import { Entity } from '@backstage/catalog-model';
import {
  GitopsAction,
  ProgressiveRollout,
} from '@gitops-backstage/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  guestbookEntity,
  guestbookProd,
  plannedAction,
} from '../../__fixtures__/guestbook';
import { abortedCanary, pausedCanary } from '../../__fixtures__/progressive';
import { responseError } from '../../__testUtils__/responseError';
import {
  PermissionDecision,
  fakePermissionApi,
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { RolloutActions } from './RolloutActions';

/**
 * The permission hook caches answers per permission and resource ref for the whole file, so
 * each test names its own entity.
 */
async function renderActions(
  name: string,
  rollout: ProgressiveRollout,
  decide: (permission: string) => PermissionDecision = () => 'allow',
) {
  const api = mockGitopsApi(async () => ({} as any));
  const onChanged = jest.fn();
  const entity: Entity = {
    ...guestbookEntity,
    metadata: { ...guestbookEntity.metadata, name },
  };
  await renderWithApi(
    <RolloutActions
      entityRef={{ kind: 'component', namespace: 'default', name }}
      environment={{ ...guestbookProd, rollout }}
      rollout={rollout}
      onChanged={onChanged}
    />,
    api,
    entity,
    fakePermissionApi(permission => decide(permission)),
  );
  return { api, onChanged };
}

const button = (name: string) => screen.getByRole('button', { name });

describe('RolloutActions', () => {
  it('offers every action the rollout lists, disabling the refused ones with their reason', async () => {
    await renderActions('checkout', pausedCanary);
    await waitFor(() =>
      expect(button('Promote the rollout in prod')).toBeEnabled(),
    );
    expect(
      screen.getAllByRole('button').map(b => b.getAttribute('aria-label')),
    ).toEqual([
      'Promote the rollout in prod',
      'Promote the rollout in prod fully',
      'Abort the rollout in prod',
      'Retry the rollout in prod',
      'Restart the pods of the rollout in prod',
    ]);
    expect(button('Retry the rollout in prod')).toBeDisabled();
    expect(button('Retry the rollout in prod')).toHaveAccessibleDescription(
      'Only an aborted rollout can be retried',
    );
    await userEvent.hover(button('Retry the rollout in prod').parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Only an aborted rollout can be retried',
    );
  });

  it('confirms what will happen, sends exactly the environment and action, and shows the answer', async () => {
    const { api, onChanged } = await renderActions('cart', pausedCanary);
    let answer: (action: GitopsAction) => void = () => {};
    api.requestRollout.mockReturnValue(
      new Promise(resolve => {
        answer = resolve;
      }),
    );
    await waitFor(() =>
      expect(button('Promote the rollout in prod')).toBeEnabled(),
    );
    await userEvent.click(button('Promote the rollout in prod'));

    const dialog = await screen.findByRole('dialog', {
      name: 'Promote the rollout in prod?',
    });
    expect(
      within(dialog).getByTestId('rollout-confirmation'),
    ).toHaveTextContent(
      'Promote cart in prod to the next step (step 3 of 6, weight 40 %).',
    );
    expect(api.requestRollout).not.toHaveBeenCalled();

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Promote' }),
    );
    // While the request is out: progress, and no second request.
    expect(
      within(dialog).getByRole('progressbar', { name: 'Asking Argo Rollouts' }),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Promote' }),
    ).toBeDisabled();
    answer(
      plannedAction({
        id: '6f1c2f8e-0000-4000-8000-000000000003',
        action: 'rollout',
        status: 'Requested',
        from: null,
        to: 'prod',
        message: 'Argo Rollouts was asked to promote rollout guestbook',
      }),
    );
    expect(await within(dialog).findByRole('status')).toHaveTextContent(
      'Argo Rollouts was asked to promote rollout guestbook',
    );
    expect(api.requestRollout).toHaveBeenCalledTimes(1);
    expect(api.requestRollout).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'cart' },
      { environment: 'prod', action: 'promote' },
    );
    expect(onChanged).toHaveBeenCalledTimes(1);

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('says where an abort sends the traffic and what Git still asks for, and can be cancelled by keyboard', async () => {
    const { api } = await renderActions('basket', pausedCanary);
    await waitFor(() =>
      expect(button('Abort the rollout in prod')).toBeEnabled(),
    );
    button('Abort the rollout in prod').focus();
    await userEvent.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', {
      name: 'Abort the rollout in prod?',
    });
    expect(
      within(dialog).getByTestId('rollout-confirmation'),
    ).toHaveTextContent(
      'Abort: traffic goes back to the stable version v1.0.2; Git still asks for v1.0.3 — roll back in Git to stay there.',
    );
    await userEvent.keyboard('{Escape}');
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.requestRollout).not.toHaveBeenCalled();
  });

  it("shows the controller's refusal (409) in its words and reads the lane again", async () => {
    const { api, onChanged } = await renderActions('orders', abortedCanary);
    api.requestRollout.mockRejectedValue(
      await responseError(409, {
        error: {
          name: 'ConflictError',
          message: 'The rollout moved on: it is no longer aborted',
        },
      }),
    );
    await waitFor(() =>
      expect(button('Retry the rollout in prod')).toBeEnabled(),
    );
    expect(button('Abort the rollout in prod')).toHaveAccessibleDescription(
      'The rollout is already aborted',
    );
    await userEvent.click(button('Retry the rollout in prod'));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Retry' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The rollout moved on: it is no longer aborted',
    );
    expect(api.requestRollout).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'orders' },
      { environment: 'prod', action: 'retry' },
    );
    expect(onChanged).toHaveBeenCalled();
    // Still open, to cancel.
    expect(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    ).toBeEnabled();
  });

  it('disables every action with "You may not …" when gitops.rollout is denied', async () => {
    const { api } = await renderActions('payments', pausedCanary, permission =>
      permission === 'gitops.rollout' ? 'deny' : 'allow',
    );
    const reason =
      'You may not promote, abort, retry or restart the rollout in prod (permission gitops.rollout)';
    await waitFor(() =>
      expect(button('Promote the rollout in prod')).toHaveAccessibleDescription(
        reason,
      ),
    );
    for (const b of screen.getAllByRole('button')) {
      expect(b).toBeDisabled();
      expect(b).toHaveAccessibleDescription(reason);
    }
    expect(api.requestRollout).not.toHaveBeenCalled();
  });
});
