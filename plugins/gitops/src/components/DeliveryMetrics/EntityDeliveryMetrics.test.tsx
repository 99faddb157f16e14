import { ResponseError } from '@backstage/errors';
import { DeliveryMetrics } from '@gitops-backstage/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { guestbookDeliveryMetrics } from '../../__fixtures__/deliveryMetrics';
import {
  mockGitopsApi,
  noDeliveryMetrics,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityDeliveryMetrics } from './EntityDeliveryMetrics';

const guestbook = {
  kind: 'component',
  namespace: 'default',
  name: 'guestbook',
};

function apiAnswering(
  getEntityDeliveryMetrics: (window?: string) => Promise<DeliveryMetrics>,
) {
  const api = mockGitopsApi(async () => ({ entityRef: '', environments: [] }));
  api.getEntityDeliveryMetrics.mockImplementation((_ref, window) =>
    getEntityDeliveryMetrics(window),
  );
  return api;
}

async function renderDelivery(
  api = apiAnswering(async () => guestbookDeliveryMetrics),
) {
  await renderWithApi(<EntityDeliveryMetrics entityRef={guestbook} />, api);
  return screen.findByRole('region', { name: 'Delivery' });
}

/** The texts of a metric tile, in reading order. */
function tile(title: string) {
  return screen.getByRole('group', { name: title });
}

async function choose(picker: string, option: string) {
  await userEvent.click(screen.getByLabelText(picker));
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('EntityDeliveryMetrics', () => {
  it('shows progress while the first answer loads, asking for the last 30 days', async () => {
    const api = apiAnswering(() => new Promise(() => {}));
    await renderDelivery(api);
    // The region is looked up on each try, not once: on a loaded CI machine (2026-12-05) the
    // progress bar was not found in the region found first for 15 s, which a region replaced
    // by a later render would explain.
    await waitFor(
      () =>
        expect(
          within(screen.getByRole('region', { name: 'Delivery' })).getByTestId(
            'progress',
          ),
        ).toBeInTheDocument(),
      { timeout: 15_000 },
    );
    expect(api.getEntityDeliveryMetrics).toHaveBeenCalledWith(guestbook, '30d');
    expect(screen.getByLabelText('Delivery window')).toHaveTextContent(
      'Last 30 days',
    );
  });

  it.each([
    {
      title: 'Deployment frequency',
      texts: [
        '0.43 / day',
        'High',
        'from 3 deployments',
        'target ≥ 1 / day · ✗ not met',
      ],
    },
    {
      title: 'Lead time',
      texts: ['26.5 h', 'High', 'from 2 versions', 'target ≤ 24 h · ✗ not met'],
    },
    {
      title: 'Change failure rate',
      texts: ['50 %', 'Low', 'from 2 changes', 'target ≤ 15 % · ✗ not met'],
    },
    {
      title: 'Time to restore',
      texts: [
        '12 min',
        'Elite',
        'from 1 restored failure',
        'target ≤ 60 min · ✓ met',
      ],
    },
  ])(
    'shows $title of the last environment (prod): value, band, samples and target',
    async ({ title, texts }) => {
      await renderDelivery();
      await screen.findByRole('group', { name: title });
      expect(screen.getByLabelText('Delivery environment')).toHaveTextContent(
        'prod',
      );
      for (const text of texts) {
        expect(within(tile(title)).getByText(text)).toBeInTheDocument();
      }
    },
  );

  it('explains each metric in a tooltip, with the failure window of the answer', async () => {
    await renderDelivery(
      apiAnswering(async () => ({
        ...guestbookDeliveryMetrics,
        failureWindowHours: 6,
      })),
    );
    const title = await within(
      await screen.findByRole('group', { name: 'Change failure rate' }),
    ).findByText('Change failure rate');
    await userEvent.hover(title);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Share of changes (not rollbacks) that failed, or were rolled back within 6 h, in percent.',
    );
    expect(
      within(tile('Deployment frequency')).getByText('Deployment frequency'),
    ).toHaveAttribute('title', expect.stringContaining('not scaling'));
  });

  it('shows another environment when picked, a metric without samples as "—" and no band', async () => {
    await renderDelivery();
    await screen.findByRole('group', { name: 'Time to restore' });
    await choose('Delivery environment', 'staging');
    const restore = tile('Time to restore');
    expect(within(restore).getByTestId('metric-value')).toHaveTextContent('—');
    expect(within(restore).getByText('No band')).toBeInTheDocument();
    expect(
      within(restore).getByText('from 0 restored failures'),
    ).toBeInTheDocument();
    // Nothing to judge: the target without a mark.
    expect(within(restore).getByText('target ≤ 60 min')).toBeInTheDocument();
    expect(
      within(tile('Deployment frequency')).getByTestId('metric-value'),
    ).toHaveTextContent('1 / day');
  });

  it('asks again for another window, keeping the previous answer on screen meanwhile', async () => {
    let answerWeek: (metrics: DeliveryMetrics) => void = () => {};
    const api = apiAnswering(window =>
      window === '7d'
        ? new Promise(resolve => {
            answerWeek = resolve;
          })
        : Promise.resolve(guestbookDeliveryMetrics),
    );
    const region = await renderDelivery(api);
    await within(region).findByRole('group', { name: 'Lead time' });

    await choose('Delivery window', 'Last 7 days');

    expect(api.getEntityDeliveryMetrics).toHaveBeenLastCalledWith(
      guestbook,
      '7d',
    );
    expect(within(region).queryByTestId('progress')).not.toBeInTheDocument();
    expect(
      within(tile('Lead time')).getByTestId('metric-value'),
    ).toHaveTextContent('26.5 h');
    expect(region).toHaveAttribute('aria-busy', 'true');

    answerWeek(noDeliveryMetrics('7d'));
    expect(
      await within(region).findByText(
        'No deployments recorded in the last 7 days',
      ),
    ).toBeInTheDocument();
    expect(region).toHaveAttribute('aria-busy', 'false');
    expect(api.getEntityDeliveryMetrics).toHaveBeenCalledTimes(2);
  });

  it('says how the ledger fills when nothing was recorded in the window', async () => {
    const region = await renderDelivery(
      apiAnswering(async () => noDeliveryMetrics('30d')),
    );
    expect(
      await within(region).findByText(
        'No deployments recorded in the last 30 days',
      ),
    ).toBeInTheDocument();
    expect(
      within(region).getByText(/records each change an environment runs/),
    ).toBeInTheDocument();
    expect(region.querySelector('.recharts-surface')).toBeNull();
  });

  it('counts environments that only failed as recorded, not empty', async () => {
    const [dev] = guestbookDeliveryMetrics.environments;
    const onlyFailed: DeliveryMetrics = {
      ...guestbookDeliveryMetrics,
      environments: [
        {
          ...dev,
          counts: {
            deployments: 0,
            promotions: 0,
            rollbacks: 0,
            external: 0,
            failed: 1,
          },
        },
      ],
    };
    const region = await renderDelivery(apiAnswering(async () => onlyFailed));
    await within(region).findByRole('group', { name: 'Lead time' });
    expect(
      within(region).queryByText(/No deployments recorded/),
    ).not.toBeInTheDocument();
  });

  it('shows the backend error with its message', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'InputError', message: 'Unknown window 1y' },
        response: { statusCode: 400 },
      }),
      { status: 400, headers: { 'content-type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    const region = await renderDelivery(
      apiAnswering(() => Promise.reject(error)),
    );
    expect(
      await within(region).findAllByText(/Unknown window 1y/),
    ).not.toHaveLength(0);
    expect(
      within(region).queryByRole('group', { name: 'Lead time' }),
    ).not.toBeInTheDocument();
  });

  it('draws the three charts with recharts, each named for assistive technology', async () => {
    const region = await renderDelivery();
    await within(region).findByRole('group', { name: 'Lead time' });
    const charts = [
      'Deployments per day',
      'Lead time trend',
      'Promotions and rollbacks',
    ].map(name => within(region).getByRole('img', { name }));
    // One drawing per chart: the legends are HTML.
    expect(region.querySelectorAll('.recharts-surface')).toHaveLength(3);
    for (const chart of charts) {
      expect(chart.querySelectorAll('.recharts-surface')).toHaveLength(1);
    }
    const [deployments, leadTime, counts] = charts;
    expect(
      deployments.querySelectorAll('.recharts-bar-rectangle').length,
    ).toBeGreaterThan(0);
    expect(leadTime.querySelector('.recharts-line-curve')).not.toBeNull();
    expect(
      counts.querySelectorAll('.recharts-bar-rectangle').length,
    ).toBeGreaterThan(0);
    expect(deployments).toHaveAccessibleDescription(
      '3 deployments (1 rollbacks) in prod over 7 days; target ≥ 1 / day · ✗ not met.',
    );
    expect(counts).toHaveAccessibleDescription(
      expect.stringContaining(
        'prod: 2 promotions, 1 rollbacks, 0 external, 0 failed',
      ),
    );
  });
});
