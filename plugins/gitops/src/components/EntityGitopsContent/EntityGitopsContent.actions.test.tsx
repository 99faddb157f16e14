import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  gate,
  guestbookEnvironments,
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
const PROMOTE_STAGING = promoteButton('staging', 'prod');

const mockApi = mockGitopsApi;

function renderTab(api: GitopsApi) {
  return renderWithApi(<EntityGitopsContent />, api);
}

/** Changes from the GitOps tab: each through the dialog's dry run, then the commit. */
describe('EntityGitopsContent changes', () => {
  it('promotes after showing the plan: versions, gates and diff first, then the commit', async () => {
    const api = mockApi(async () => guestbookEnvironments);
    const plan = plannedAction({
      gates: [
        gate('allowedSource', 'pass', 'staging takes promotions from dev'),
        gate('versionKnown', 'pass', 'dev declares v1.0.5'),
      ],
      diff: [
        '--- a/apps/guestbook/overlays/staging/kustomization.yaml',
        '+++ b/apps/guestbook/overlays/staging/kustomization.yaml',
        '@@ -10,1 +10,1 @@',
        '-    newTag: v1.0.4',
        '+    newTag: v1.0.5',
        '',
      ].join('\n'),
      message: 'Would commit on main (0d46b8b)',
    });
    api.promote.mockImplementation(async (_ref, request) =>
      request.dryRun
        ? plan
        : {
            ...plan,
            id: '6f1c2f8e-0000-4000-8000-000000000001',
            status: 'Committed',
            commit: '4d2bcec3c511e5530851cf3584a6915ecd18ee25',
            message: 'Waiting for staging to sync',
          },
    );

    await renderTab(api);
    await userEvent.click(
      await screen.findByRole('button', { name: PROMOTE_DEV }),
    );

    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText('Promote guestbook from dev to staging'),
    ).toBeInTheDocument();
    const gates = await within(dialog).findByRole('list', { name: 'Gates' });
    expect(
      within(gates)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      '✓Allowed source: staging takes promotions from dev',
      '✓Version known: dev declares v1.0.5',
    ]);
    expect(
      within(dialog).getByLabelText('Planned change').textContent,
    ).toContain('+    newTag: v1.0.5');
    expect(api.promote).toHaveBeenCalledTimes(1);
    expect(api.promote).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { from: 'dev', to: 'staging', dryRun: true },
    );

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Promote' }),
    );

    expect(
      await within(dialog).findByLabelText('Change result'),
    ).toHaveTextContent('Committed: Waiting for staging to sync');
    expect(within(dialog).getByText('Commit 4d2bcec')).toBeInTheDocument();
    expect(api.promote).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { from: 'dev', to: 'staging' },
    );
    // The lanes reload so the new version shows.
    await waitFor(() => expect(api.getEnvironments).toHaveBeenCalledTimes(2));
  });

  it('keeps the Promote button disabled while a gate fails', async () => {
    const api = mockApi(async () => guestbookEnvironments);
    api.promote.mockResolvedValue(
      plannedAction({
        from: 'staging',
        to: 'prod',
        gates: [
          gate('healthySource', 'fail', 'staging is Synced and Degraded'),
        ],
        version: { tag: 'v1.0.4', digest: null },
        previousVersion: { tag: 'v1.0.3', digest: null },
      }),
    );

    await renderTab(api);
    await userEvent.click(
      await screen.findByRole('button', { name: PROMOTE_STAGING }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(/staging is Synced and Degraded/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Promote' }),
    ).toBeDisabled();
    expect(api.promote).toHaveBeenCalledTimes(1);
  });

  it('scales through a preview of the commit, then commits', async () => {
    const api = mockApi(async () => guestbookEnvironments);
    const planned = plannedAction({
      action: 'scale',
      from: null,
      version: null,
      previousVersion: null,
      scaling: { replicas: 4, minReplicas: null, maxReplicas: null },
      diff: '--- a/k.yaml\n+++ b/k.yaml\n@@ -1 +1 @@\n-    count: 2\n+    count: 4\n',
    });
    api.scale.mockImplementation(async (_ref, request) =>
      request.dryRun
        ? planned
        : {
            ...planned,
            id: '6f1c2f8e-0000-4000-8000-000000000002',
            status: 'Committed',
            commit: 'abcdef0123456789',
            message: 'Waiting for staging to sync',
          },
    );
    await renderTab(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Scale staging' }),
    );
    const dialog = await screen.findByRole('dialog');
    const input = within(dialog).getByLabelText('replicas');
    await userEvent.clear(input);
    await userEvent.type(input, '4');
    // Nothing is committed before the preview.
    expect(
      within(dialog).getByRole('button', { name: 'Commit' }),
    ).toBeDisabled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Preview' }),
    );
    expect(await within(dialog).findByText('4 replicas')).toBeInTheDocument();
    expect(api.scale).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { environment: 'staging', replicas: 4, dryRun: true },
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Commit' }),
    );
    expect(
      await within(dialog).findByLabelText('Change result'),
    ).toHaveTextContent('Committed: Waiting for staging to sync');
    expect(api.scale).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { environment: 'staging', replicas: 4 },
    );
  });
  it('says in which file and line the version is written, when the backend knows', async () => {
    const withOrigin: EnvironmentsResponse = structuredClone(
      guestbookEnvironments,
    );
    withOrigin.environments[1].desired!.origins = {
      tag: {
        file: 'argocd/guestbook-staging.yaml',
        line: 23,
        yamlPath: 'spec.source.helm.parameters[0].value',
        path: ['spec', 'source', 'helm', 'parameters', 0, 'value'],
      },
    };
    await renderTab(mockApi(async () => withOrigin));
    const git = await screen.findByRole('region', {
      name: 'Git version of staging',
    });
    expect(git).toHaveTextContent('v1.0.4argocd/guestbook-staging.yaml:23');
    // The file opens on the Git host at the commit that was read, at that line.
    expect(
      within(git).getByRole('link', { name: /guestbook-staging\.yaml:23/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/gitops/blob/3f2a9c81d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9/argocd/guestbook-staging.yaml#L23',
    );
  });
});

describe('engine requests from the lanes', () => {
  it('offers Argo CD refresh/sync and Flux reconcile/suspend, and asks after a confirmation', async () => {
    const api = mockApi(async () => guestbookEnvironmentsLive);
    api.requestEngine.mockResolvedValue(
      plannedAction({
        action: 'sync' as any,
        status: 'Succeeded',
        message: 'Argo CD syncs guestbook-dev',
      }),
    );
    await renderTab(api);
    const dev = within(
      await screen.findByRole('region', { name: 'Environment dev' }),
    );
    const prod = within(
      screen.getByRole('region', { name: 'Environment prod' }),
    );
    expect(
      dev.getByRole('button', { name: 'Refresh dev' }),
    ).toBeInTheDocument();
    expect(
      prod.getByRole('button', { name: 'Reconcile prod' }),
    ).toBeInTheDocument();
    expect(
      prod.getByRole('button', { name: 'Suspend prod' }),
    ).toBeInTheDocument();

    await userEvent.click(dev.getByRole('button', { name: 'Sync dev' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Argo CD: sync dev?');
    expect(api.requestEngine).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByRole('button', { name: 'sync' }));
    await waitFor(() =>
      expect(api.requestEngine).toHaveBeenCalledWith(
        { kind: 'component', namespace: 'default', name: 'guestbook' },
        { environment: 'dev', action: 'sync' },
      ),
    );
  });
});

describe('history in a lane', () => {
  it('lists the commits that changed the version, and rolls back to an older one through the dialog', async () => {
    const api = mockApi(async () => guestbookEnvironments);
    api.getHistory.mockResolvedValue({
      entityRef: 'component:default/guestbook',
      environment: 'staging',
      items: [
        {
          revision: 'a'.repeat(40),
          author: 'Alice Platform',
          message: 'Promote guestbook v1.0.4 from dev to staging',
          committedAt: '2026-11-03T11:00:00Z',
          tag: 'v1.0.4',
          digest: null,
          replicas: 2,
          autoscaling: null,
          changes: ['version'],
          promotionId: null,
        },
        {
          revision: 'b'.repeat(40),
          author: 'ci-bot',
          message: 'Bootstrap',
          committedAt: '2026-11-02T09:00:00Z',
          tag: 'v1.0.3',
          digest: null,
          replicas: 2,
          autoscaling: null,
          changes: ['version', 'scaling'],
          promotionId: null,
        },
      ],
      actions: [],
    });
    api.rollback.mockResolvedValue(plannedAction({ action: 'rollback' }));
    await renderTab(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'History of staging' }),
    );
    const history = await screen.findByRole('list', {
      name: 'History of staging',
    });
    expect(
      within(history)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      'v1.0.4 · 2026-11-03 · Alice Platformaaaaaaa, Opens in a new window Promote guestbook v1.0.4 from dev to staging',
      'v1.0.3 · 2026-11-02 · ci-botbbbbbbb, Opens in a new window BootstrapRoll back to this',
    ]);
    // Each revision links to its commit on the Git host.
    expect(
      within(history).getByRole('link', { name: /^aaaaaaa/ }),
    ).toHaveAttribute(
      'href',
      `https://github.com/acme/gitops/commit/${'a'.repeat(40)}`,
    );
    expect(api.getHistory).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      'staging',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Roll back staging to v1.0.3' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Tag to run')).toHaveValue('v1.0.3');
  });
});
