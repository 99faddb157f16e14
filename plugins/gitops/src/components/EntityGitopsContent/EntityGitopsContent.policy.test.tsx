import { Entity } from '@backstage/catalog-model';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  approval,
  FREEZE_UNTIL,
  guestbookEntity,
  guestbookEnvironments,
  guestbookEnvironmentsWithPolicy,
  guestbookVerificationHistory,
  verificationRecord,
} from '../../__fixtures__/guestbook';
import {
  PermissionDecision,
  fakePermissionApi,
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { responseError } from '../../__testUtils__/responseError';
import { localTime } from '../Policy/policyFormat';
import { EntityGitopsContent } from './EntityGitopsContent';

const guestbookRef = {
  kind: 'component',
  namespace: 'default',
  name: 'guestbook',
};

/**
 * Renders the tab with the policy fixture. The permission hook caches its answers per
 * resource for the whole file: a test that denies something names its own entity.
 */
async function renderTab(
  options: {
    entity?: string;
    decide?: (permission: string) => PermissionDecision;
  } = {},
) {
  const api = mockGitopsApi(async () => guestbookEnvironmentsWithPolicy);
  const entity: Entity = {
    ...guestbookEntity,
    metadata: {
      ...guestbookEntity.metadata,
      name: options.entity ?? 'guestbook',
    },
  };
  await renderWithApi(
    <EntityGitopsContent />,
    api,
    entity,
    fakePermissionApi(options.decide),
  );
  await screen.findAllByRole('region', { name: /^Environment / });
  return api;
}

const region = (name: string) => within(screen.getByRole('region', { name }));

describe('the promotion policy in the lanes', () => {
  it('shows the gates of the next promotion into each lane as a compact checklist', async () => {
    await renderTab();
    const prod = region('Gates of the next promotion to prod');
    expect(prod.getByText('Next promotion from staging')).toBeInTheDocument();
    expect(
      prod.getByText('v1.0.4 · held back by Soak time, Approvals, Freeze'),
    ).toBeInTheDocument();
    expect(
      prod.getAllByRole('listitem').map(li => li.getAttribute('data-state')),
    ).toEqual(['pass', 'pass', 'pass', 'wait', 'wait', 'wait']);
    expect(
      prod.getByRole('list', { name: 'Next promotion from staging to prod' }),
    ).toHaveTextContent(`(until ${localTime(FREEZE_UNTIL)})`);

    const staging = region('Gates of the next promotion to staging');
    expect(staging.getByText('v1.0.5 · every gate passes')).toBeInTheDocument();
    // dev takes no promotions.
    expect(
      screen.queryByRole('region', {
        name: 'Gates of the next promotion to dev',
      }),
    ).not.toBeInTheDocument();
  });

  it('shows a freeze above the lanes, from the environments and from the org-wide freezes', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironmentsWithPolicy);
    api.getFreezes.mockResolvedValue({
      items: [
        {
          id: 'freeze-2',
          environments: ['dev', 'staging'],
          reason: 'load test',
          until: '2026-12-05T18:00:00.000Z',
          by: 'user:default/carol',
          createdAt: '2026-12-03T08:00:00.000Z',
        },
      ],
    });
    await renderWithApi(<EntityGitopsContent />, api);
    const banner = await screen.findByRole('status', { name: 'Freeze' });
    await waitFor(() =>
      expect(banner).toHaveTextContent(
        `dev and staging are frozen until ${localTime(
          '2026-12-05T18:00:00.000Z',
        )}: load test, set by user:default/carol`,
      ),
    );
    expect(banner).toHaveTextContent(
      `prod is frozen until ${localTime(
        FREEZE_UNTIL,
      )}: year-end freeze, set by user:default/alice`,
    );
    // The frozen lane says so in its header too.
    expect(
      region('Environment prod').getByText(
        `frozen until ${localTime(FREEZE_UNTIL)}`,
      ),
    ).toBeInTheDocument();
  });

  it('shows no freeze banner when nothing is frozen', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironments);
    await renderWithApi(<EntityGitopsContent />, api);
    await screen.findAllByRole('region', { name: /^Environment / });
    await waitFor(() => expect(api.getFreezes).toHaveBeenCalled());
    expect(
      screen.queryByRole('status', { name: 'Freeze' }),
    ).not.toBeInTheDocument();
    // Nor any policy part the backend did not answer.
    expect(
      screen.queryByRole('region', {
        name: /^(Gates|Approvals|Verification) /,
      }),
    ).not.toBeInTheDocument();
  });
});

describe('approvals in a lane', () => {
  it('counts the approvals of the proposed version and approves it with a comment', async () => {
    const api = await renderTab();
    api.approve.mockResolvedValue(approval());
    const approvals = region('Approvals of prod');
    expect(
      await approvals.findByText('Approvals 0 of 1 for v1.0.4 from staging'),
    ).toBeInTheDocument();
    expect(
      approvals.getByText('Approvers: group:default/release-managers'),
    ).toBeInTheDocument();
    expect(api.getApprovals).toHaveBeenCalledWith(guestbookRef, 'prod');
    // Only where the policy requires approvals.
    expect(
      screen.queryByRole('region', { name: 'Approvals of staging' }),
    ).not.toBeInTheDocument();

    api.getApprovals.mockResolvedValue({ items: [approval()] });
    await userEvent.click(
      approvals.getByRole('button', { name: 'Approve v1.0.4 for prod' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Approve v1.0.4 for prod');
    await userEvent.type(
      within(dialog).getByLabelText('Comment (optional)'),
      'change log read, go',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    expect(api.approve).toHaveBeenCalledWith(guestbookRef, {
      environment: 'prod',
      version: 'v1.0.4',
      comment: 'change log read, go',
    });
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(
      await approvals.findByText('Approvals 1 of 1 for v1.0.4 from staging'),
    ).toBeInTheDocument();
    const given = approvals.getByRole('list', {
      name: 'Approvals given for prod',
    });
    expect(given).toHaveTextContent(
      `user:default/bob · ${localTime('2026-12-03T10:00:00.000Z')}`,
    );
    expect(given).toHaveTextContent('change log read, go');
    // The lanes are read again: the approvals gate moves.
    await waitFor(() => expect(api.getEnvironments).toHaveBeenCalledTimes(2));
  });

  it('says clearly why an approval was refused: nobody approves their own request', async () => {
    const api = await renderTab();
    api.approve.mockRejectedValue(
      await responseError(409, {
        error: {
          name: 'ConflictError',
          message:
            'user:default/guest asked for this promotion: nobody approves their own request',
        },
      }),
    );
    await userEvent.click(
      await region('Approvals of prod').findByRole('button', {
        name: 'Approve v1.0.4 for prod',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Not approved: user:default/guest asked for this promotion: nobody approves their own request',
    );
    expect(api.approve).toHaveBeenCalledWith(guestbookRef, {
      environment: 'prod',
      version: 'v1.0.4',
    });
    // The dialog stays for another try or a cancel.
    expect(
      within(dialog).getByRole('button', { name: 'Approve' }),
    ).toBeEnabled();
  });

  it('disables Approve with the reason without gitops.approve', async () => {
    await renderTab({
      entity: 'guestbook-no-approve',
      decide: permission =>
        permission === 'gitops.approve' ? 'deny' : 'allow',
    });
    const button = region('Approvals of prod').getByRole('button', {
      name: 'Approve v1.0.4 for prod',
    });
    await waitFor(() =>
      expect(button).toHaveAccessibleDescription(
        'You may not approve promotions to prod (permission gitops.approve)',
      ),
    );
    expect(button).toBeDisabled();
  });
});

describe('verification in a lane', () => {
  it("shows the state and each check of the running version's verification", async () => {
    await renderTab();
    const staging = region('Verification of staging');
    expect(staging.getByText('Passed')).toBeInTheDocument();
    expect(staging.getByText('v1.0.4')).toBeInTheDocument();
    const checks = staging.getByRole('list', { name: 'Checks of staging' });
    expect(
      within(checks)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      expect.stringContaining(
        'error-ratio: 0.004 vs < 0.01 · Passed5xx of all requests over 10 min after the rollout · Graph',
      ),
      'smoke: 200 vs 200 · PassedGET https://guestbook-staging.example.com/healthz',
    ]);
    expect(within(checks).getByRole('link', { name: /Graph/ })).toHaveAttribute(
      'href',
      'https://prometheus.example.com/graph?g0.expr=error_ratio',
    );
    expect(
      region('Verification of prod').getByText(
        'error-ratio: 0.031 vs < 0.01 · Failed',
      ),
    ).toBeInTheDocument();

    const dev = region('Verification of dev');
    expect(dev.getByText('Not configured')).toBeInTheDocument();
    expect(dev.getByText('dev has no verification checks')).toBeInTheDocument();
    expect(dev.queryByRole('button')).not.toBeInTheDocument();
  });

  it('loads the verification history on demand, and re-runs the verification', async () => {
    const api = await renderTab();
    api.getVerifications.mockResolvedValue({
      items: guestbookVerificationHistory,
    });
    api.rerunVerification.mockResolvedValue(
      verificationRecord({
        state: 'Pending',
        requestedBy: 'user:default/guest',
      }),
    );
    const staging = region('Verification of staging');
    expect(api.getVerifications).not.toHaveBeenCalled();

    await userEvent.click(
      staging.getByRole('button', { name: 'Verification history of staging' }),
    );
    const history = await staging.findByRole('list', {
      name: 'Verification history of staging',
    });
    expect(
      within(history)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      `v1.0.4 · Passed · ${localTime('2026-12-03T09:30:00.000Z')}`,
      `v1.0.3 · Failed · ${localTime('2026-11-28T14:20:00.000Z')} · 2 attempts`,
    ]);
    expect(api.getVerifications).toHaveBeenCalledWith(guestbookRef, 'staging');

    await userEvent.click(
      staging.getByRole('button', { name: 'Re-run verification of staging' }),
    );
    expect(api.rerunVerification).toHaveBeenCalledWith(guestbookRef, {
      environment: 'staging',
    });
    expect(await staging.findByRole('status')).toHaveTextContent(
      'Re-run asked: v1.0.4 is Pending',
    );
    // The history and the lanes are read again.
    await waitFor(() => expect(api.getVerifications).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(api.getEnvironments).toHaveBeenCalledTimes(2));
  });

  it('says when an environment has no verification yet, and why a re-run failed', async () => {
    const api = await renderTab();
    api.rerunVerification.mockRejectedValue(
      await responseError(403, {
        error: {
          name: 'NotAllowedError',
          message: 'Not allowed to verify prod',
        },
      }),
    );
    const prod = region('Verification of prod');
    await userEvent.click(
      prod.getByRole('button', { name: 'Verification history of prod' }),
    );
    expect(
      await prod.findByText('No verification has run in prod yet.'),
    ).toBeInTheDocument();
    await userEvent.click(
      prod.getByRole('button', { name: 'Re-run verification of prod' }),
    );
    expect(await prod.findByRole('alert')).toHaveTextContent(
      'Could not re-run the verification: Not allowed to verify prod',
    );
  });
});
