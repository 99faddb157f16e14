import { renderInTestApp } from '@backstage/test-utils';
import {
  EnvironmentAutomation,
  EnvironmentStatus,
  PortalAutomationEntry,
} from '@gitops-backstage/plugin-gitops-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import {
  guestbookEnvironmentsLive,
  guestbookStaging,
} from '../../__fixtures__/guestbook';
import { LaneAutomation, describeAutomation } from './LaneAutomation';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

const flux: EnvironmentAutomation = {
  engine: 'flux-image-automation',
  policy: '^1.x',
  lastUpdateAt: minutesAgo(3),
  error: null,
  latestImage: 'ghcr.io/acme/guestbook:1.4.2',
  objects: ['ImagePolicy flux-system/guestbook-dev'],
};

const lane = (environment: EnvironmentStatus) =>
  within(
    screen.getByRole('region', { name: `Automation of ${environment.name}` }),
  );

describe('LaneAutomation', () => {
  it.each<[string, EnvironmentAutomation, string]>([
    [
      'Flux, with its last update',
      flux,
      'dev follows ^1.x via Flux image automation, last update 3 min ago',
    ],
    [
      'Argo CD Image Updater that never wrote, suspended',
      {
        engine: 'argocd-image-updater',
        policy: null,
        lastUpdateAt: null,
        error: null,
        paused: true,
      },
      'dev follows the newest image via Argo CD Image Updater (suspended), no update yet',
    ],
    [
      'the portal',
      {
        engine: 'portal',
        policy: null,
        from: 'dev',
        lastUpdateAt: null,
        error: null,
      },
      'auto: takes versions verified in dev',
    ],
    [
      'the portal, paused',
      {
        engine: 'portal',
        policy: 'takes versions verified in dev',
        lastUpdateAt: null,
        error: null,
        paused: true,
      },
      'auto: takes versions verified in dev (paused)',
    ],
  ])('describes %s', (_name, entry, expected) => {
    expect(describeAutomation('dev', entry, NOW)).toBe(expected);
  });

  it('shows each entry, the error in the problem colour and the conflict', async () => {
    const staging: EnvironmentStatus = {
      ...guestbookStaging,
      automation: [
        {
          ...flux,
          error:
            'ImageUpdateAutomation flux-system/guestbook: GitOperationFailed: push rejected',
          conflict:
            "Flux image automation and the portal's auto-promotion from dev both write staging's image",
        },
        {
          engine: 'portal',
          policy: 'takes versions verified in dev',
          lastUpdateAt: null,
          error: null,
        },
      ],
    };
    await renderInTestApp(<LaneAutomation environment={staging} now={NOW} />);
    const items = lane(staging).getAllByRole('listitem');
    expect(items.map(li => li.getAttribute('data-engine'))).toEqual([
      'flux-image-automation',
      'portal',
    ]);
    expect(items[0]).toHaveTextContent(
      'staging follows ^1.x via Flux image automation, last update 3 min ago',
    );
    expect(items[0]).toHaveTextContent(
      'latest picked: ghcr.io/acme/guestbook:1.4.2',
    );
    const error = within(items[0]).getByText(/GitOperationFailed/);
    expect(error.className).toMatch(/colorError/);
    expect(items[0]).toHaveTextContent(
      "conflict: Flux image automation and the portal's auto-promotion from dev both write staging's image",
    );
    expect(items[1]).toHaveTextContent('auto: takes versions verified in dev');
  });

  it("says the engine's automation is not installed, and nothing when there is nothing to say", async () => {
    // dev, read from its cluster, is deployed by Argo CD.
    const [liveDev] = guestbookEnvironmentsLive.environments;
    expect(liveDev.sync?.engine).toBe('argocd');
    const key = 'argocd-image-updater';
    const label = 'Argo CD Image Updater';
    const dev: EnvironmentStatus = {
      ...liveDev,
      automation: [],
      automationEngines: { [key]: 'not installed' },
    };
    const { unmount } = await renderInTestApp(
      <LaneAutomation environment={dev} now={NOW} />,
    );
    expect(
      lane(dev).getByText(`no image automation: ${label} not installed`),
    ).toBeInTheDocument();
    unmount();

    await renderInTestApp(
      <LaneAutomation
        environment={{ ...dev, automationEngines: { [key]: 'installed' } }}
        now={NOW}
      />,
    );
    expect(
      screen.queryByRole('region', { name: 'Automation of dev' }),
    ).not.toBeInTheDocument();
  });

  it("shows the portal's latest event and pauses it with a reason, then resumes it", async () => {
    const last = {
      entityRef: 'component:default/guestbook',
      environment: 'staging',
      kind: 'promotion' as const,
      version: { tag: 'v1.0.5', digest: null },
      sourceEnvironment: 'dev',
      state: 'Done' as const,
      message: 'promoted: commit 1a2b3c4',
      actionId: 'a1',
      attempts: 1,
      nextAttemptAt: null,
      createdAt: minutesAgo(6),
      at: minutesAgo(5),
    };
    const portal: PortalAutomationEntry = {
      engine: 'portal',
      kind: 'promotion',
      policy: 'takes versions verified in dev',
      from: 'dev',
      lastUpdateAt: last.at,
      error: null,
      paused: false,
      pause: null,
      detail: last.message,
      last,
    };
    const staging = { ...guestbookStaging, automation: [portal] };
    const api = mockGitopsApi(async () => guestbookEnvironmentsLive);
    const onChanged = jest.fn();
    await renderWithApi(
      <LaneAutomation
        environment={staging}
        now={NOW}
        entityRef={{
          kind: 'component',
          namespace: 'default',
          name: 'guestbook',
        }}
        onChanged={onChanged}
      />,
      api,
    );
    expect(
      lane(staging).getByText(
        'last: Done · promoted: commit 1a2b3c4 · 5 min ago',
      ),
    ).toBeInTheDocument();
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Pause automation of staging',
      }),
    );
    const dialog = screen.getByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Reason (optional)'), {
      target: { value: 'INC-7' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(api.setAutomationPaused).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { environment: 'staging', paused: true, reason: 'INC-7' },
    );
  });
});
