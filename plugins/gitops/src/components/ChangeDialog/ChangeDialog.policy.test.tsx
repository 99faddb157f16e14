import { Entity } from '@backstage/catalog-model';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  FREEZE_UNTIL,
  gate,
  guestbookEntity,
  guestbookEnvironments,
  plannedAction,
} from '../../__fixtures__/guestbook';
import {
  PermissionDecision,
  fakePermissionApi,
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { responseError } from '../../__testUtils__/responseError';
import { EntityGitopsContent } from '../EntityGitopsContent';
import { localTime } from '../Policy/policyFormat';
import { promoteButton } from '../../__testUtils__/promoteButton';

const PROMOTE_STAGING = promoteButton('staging', 'prod');

const toProd = plannedAction({
  from: 'staging',
  to: 'prod',
  version: { tag: 'v1.0.4', digest: null },
  previousVersion: { tag: 'v1.0.3', digest: null },
  diff: '-    newTag: v1.0.3\n+    newTag: v1.0.4\n',
});

const waiting = [
  gate('allowedSource', 'pass', 'prod takes promotions from staging'),
  gate('soak', 'wait', 'v1.0.4 has run 2 h of 24 h in staging', {
    retryAt: '2026-12-04T09:00:00.000Z',
  }),
  gate('approvals', 'wait', '0 of 1 approvals'),
];

const refusalMessage =
  'Promotion staging → prod refused: prod is frozen until Mon 09:00 Europe/Berlin: year-end freeze, set by user:default/alice';

/**
 * Opens the promotion staging → prod of an entity of its own (the permission hook caches its
 * answers per resource for the whole file).
 */
async function openPromotion(
  entityName: string,
  decide: (permission: string) => PermissionDecision = () => 'allow',
) {
  const api = mockGitopsApi(async () => guestbookEnvironments);
  const entity: Entity = {
    ...guestbookEntity,
    metadata: { ...guestbookEntity.metadata, name: entityName },
  };
  await renderWithApi(
    <EntityGitopsContent />,
    api,
    entity,
    fakePermissionApi(decide),
  );
  return {
    api,
    open: async () => {
      await waitFor(() =>
        expect(
          screen.getByRole('button', { name: PROMOTE_STAGING }),
        ).toBeEnabled(),
      );
      await userEvent.click(
        screen.getByRole('button', { name: PROMOTE_STAGING }),
      );
      return screen.findByRole('dialog');
    },
    ref: { kind: 'component', namespace: 'default', name: entityName },
  };
}

describe('the change dialog and the policy', () => {
  it('lets a user with gitops.override promote past waiting gates with a reason', async () => {
    const { api, open, ref } = await openPromotion('guestbook-override');
    api.promote.mockImplementation(async (_ref, request) =>
      request.dryRun
        ? { ...toProd, gates: waiting }
        : {
            ...toProd,
            id: 'p1',
            status: 'PullRequestOpened',
            pullRequest: 'https://github.com/acme/gitops/pull/7',
            message: 'Waiting for review',
            gates: waiting.map(g =>
              g.state === 'pass'
                ? g
                : {
                    ...g,
                    state: 'pass',
                    passed: true,
                    override: {
                      by: 'user:default/guest',
                      reason: 'hotfix for INC-42',
                    },
                  },
            ),
          },
    );
    const dialog = within(await open());

    const gates = await dialog.findByRole('list', { name: 'Gates' });
    expect(
      within(gates)
        .getAllByRole('listitem')
        .map(li => li.getAttribute('data-state')),
    ).toEqual(['pass', 'wait', 'wait']);
    // Waiting gates do not disable it: asking records the request and says why it waits.
    const promote = dialog.getByRole('button', { name: 'Promote' });
    expect(promote).toBeEnabled();

    const reason = await dialog.findByLabelText('Override with a reason');
    expect(
      dialog.getByText(
        'Proceeds past Soak time, Approvals; the reason and your name are recorded with the change',
      ),
    ).toBeInTheDocument();
    await userEvent.type(reason, '  hotfix for INC-42 ');
    expect(promote).toBeEnabled();
    await userEvent.click(promote);

    expect(api.promote).toHaveBeenLastCalledWith(ref, {
      from: 'staging',
      to: 'prod',
      override: { reason: 'hotfix for INC-42' },
    });
    expect(await dialog.findByLabelText('Change result')).toHaveTextContent(
      'PullRequestOpened: Waiting for review',
    );
    const overridden = dialog.getByRole('list', { name: 'Overridden gates' });
    expect(within(overridden).getAllByRole('listitem')).toHaveLength(2);
    expect(overridden).toHaveTextContent(
      'overridden by user:default/guest: hotfix for INC-42',
    );
  });

  it('offers no override without gitops.override, and says why', async () => {
    const { api, open } = await openPromotion('guestbook-no-override', p =>
      p === 'gitops.override' ? 'deny' : 'allow',
    );
    api.promote.mockResolvedValue({ ...toProd, gates: waiting });
    const dialog = within(await open());
    expect(
      await dialog.findByText(
        'You may not override the gates of prod (permission gitops.override)',
      ),
    ).toBeInTheDocument();
    expect(
      dialog.queryByLabelText('Override with a reason'),
    ).not.toBeInTheDocument();
    // Gates that only wait: the user may still ask (and learn why it waits).
    expect(dialog.getByRole('button', { name: 'Promote' })).toBeEnabled();
  });

  it('offers no override when a gate that cannot be overridden fails', async () => {
    const { api, open } = await openPromotion('guestbook-unknown-version');
    api.promote.mockResolvedValue({
      ...toProd,
      gates: [
        gate('versionKnown', 'fail', 'staging declares no version'),
        ...waiting,
      ],
    });
    const dialog = within(await open());
    expect(
      await dialog.findByText(
        'Version known cannot be overridden: the change needs Git or the evidence to change first.',
      ),
    ).toBeInTheDocument();
    expect(
      dialog.queryByLabelText('Override with a reason'),
    ).not.toBeInTheDocument();
    expect(dialog.getByRole('button', { name: 'Promote' })).toBeDisabled();
  });

  it('shows a refusal (409) with its reason, when it may pass and its gates, then overrides it', async () => {
    const { api, open, ref } = await openPromotion('guestbook-refused');
    const refusedGates = [
      gate('allowedSource', 'pass', 'prod takes promotions from staging'),
      gate('freeze', 'wait', 'prod is frozen: year-end freeze', {
        retryAt: FREEZE_UNTIL,
      }),
    ];
    api.promote.mockImplementation(async (_ref, request) => {
      if (request.dryRun) {
        return { ...toProd, gates: [refusedGates[0]] };
      }
      if (!request.override) {
        throw await responseError(409, {
          error: { name: 'ConflictError', message: refusalMessage },
          gates: refusedGates,
          retryAt: FREEZE_UNTIL,
        });
      }
      return { ...toProd, id: 'p2', status: 'Committed', message: 'done' };
    });
    const dialog = within(await open());
    await dialog.findByRole('list', { name: 'Gates' });
    // Every gate passed in the dry run: no override offered yet.
    expect(
      dialog.queryByLabelText('Override with a reason'),
    ).not.toBeInTheDocument();
    await userEvent.click(dialog.getByRole('button', { name: 'Promote' }));

    const refusal = await dialog.findByRole('alert', { name: 'Refusal' });
    expect(refusal).toHaveTextContent(refusalMessage);
    expect(refusal).toHaveTextContent(
      `It may pass from ${localTime(FREEZE_UNTIL)}; try again then.`,
    );
    const gates = within(refusal).getByRole('list', {
      name: 'Gates of the refusal',
    });
    expect(within(gates).getAllByRole('listitem')[1]).toHaveTextContent(
      `⏳Freeze: prod is frozen: year-end freeze (until ${localTime(
        FREEZE_UNTIL,
      )})`,
    );
    expect(dialog.getByRole('button', { name: 'Promote' })).toBeEnabled();

    await userEvent.type(
      dialog.getByLabelText('Override with a reason'),
      'security fix, CVE-2026-1234',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Promote' }));
    expect(api.promote).toHaveBeenLastCalledWith(ref, {
      from: 'staging',
      to: 'prod',
      override: { reason: 'security fix, CVE-2026-1234' },
    });
    expect(await dialog.findByLabelText('Change result')).toHaveTextContent(
      'Committed: done',
    );
    expect(
      dialog.queryByRole('alert', { name: 'Refusal' }),
    ).not.toBeInTheDocument();
  });

  it('sends the override of a scale past a freeze', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironments);
    const planned = plannedAction({
      action: 'scale',
      from: null,
      to: 'staging',
      version: null,
      previousVersion: null,
      scaling: { replicas: 4, minReplicas: null, maxReplicas: null },
      gates: [gate('freeze', 'wait', 'staging is frozen: load test')],
      diff: '-    count: 2\n+    count: 4\n',
    });
    api.scale.mockImplementation(async (_ref, request) =>
      request.dryRun ? planned : { ...planned, status: 'Committed' },
    );
    await renderWithApi(<EntityGitopsContent />, api, {
      ...guestbookEntity,
      metadata: { ...guestbookEntity.metadata, name: 'guestbook-scale' },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Scale staging' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.clear(dialog.getByLabelText('replicas'));
    await userEvent.type(dialog.getByLabelText('replicas'), '4');
    await userEvent.click(dialog.getByRole('button', { name: 'Preview' }));
    await userEvent.type(
      await dialog.findByLabelText('Override with a reason'),
      'traffic spike',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Commit' }));
    expect(api.scale).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook-scale' },
      {
        environment: 'staging',
        replicas: 4,
        override: { reason: 'traffic spike' },
      },
    );
  });
});
