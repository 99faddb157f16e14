import { ProgressiveRollout } from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import { guestbookProd } from '../../__fixtures__/guestbook';
import {
  abortedCanary,
  blueGreenPreview,
  flaggerCanary,
  pausedCanary,
} from '../../__fixtures__/progressive';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { LaneRollout } from './LaneRollout';

const guestbookRef = {
  kind: 'component',
  namespace: 'default',
  name: 'guestbook',
};

async function renderLane(rollout: ProgressiveRollout | null | undefined) {
  await renderWithApi(
    <div data-testid="lane">
      <LaneRollout
        environment={{ ...guestbookProd, rollout }}
        entityRef={guestbookRef}
        onChanged={jest.fn()}
      />
    </div>,
    mockGitopsApi(async () => ({} as any)),
  );
}

const section = () =>
  within(screen.getByRole('region', { name: 'Progressive rollout of prod' }));

describe('LaneRollout', () => {
  it('shows the steps strip with the current step, and where the rollout stands', async () => {
    await renderLane(pausedCanary);
    expect(section().getByTestId('rollout-summary')).toHaveTextContent(
      'step 2 of 6 · weight 20 %',
    );
    const strip = section().getByRole('list', {
      name: 'Steps of the rollout in prod',
    });
    const steps = within(strip).getAllByRole('listitem');
    expect(steps.map(s => s.getAttribute('data-state'))).toEqual([
      'done',
      'current',
      'todo',
      'todo',
      'todo',
      'todo',
    ]);
    expect(steps[1]).toHaveAttribute('aria-current', 'step');
    expect(steps[1]).toHaveTextContent('Step 2: pause until promoted, current');
    expect(steps[0]).toHaveTextContent('20 %');
    expect(section().getByTestId('rollout-health')).toHaveTextContent('Paused');
    expect(section().getByTestId('rollout-paused')).toHaveTextContent(
      'Paused: CanaryPauseStep since 12:04:10 UTC',
    );
  });

  it('puts the stable and the canary side by side', async () => {
    await renderLane(pausedCanary);
    expect(
      section().getByRole('group', { name: 'Stable in prod' }),
    ).toHaveTextContent('Stablev1.0.24/4 ready · 6b8f9c7d4');
    expect(
      section().getByRole('group', { name: 'Canary in prod' }),
    ).toHaveTextContent('Canaryv1.0.31/1 ready · 7c9d5f6b8');
  });

  it('shows an aborted rollout with the failed metric and its measurements', async () => {
    await renderLane(abortedCanary);
    const aborted = section().getByRole('alert');
    expect(aborted).toHaveTextContent(
      'Aborted: RolloutAborted: Rollout aborted update to revision 7: Metric "success-rate" assessed Failed due to failed (3) > failureLimit (2)',
    );
    expect(aborted).toHaveTextContent(
      'failed metric success-rate: 4 measured: 1 successful, 3 failed (limit 2)',
    );
    // The strip marks the step the analysis stopped on.
    expect(
      section()
        .getAllByRole('listitem')
        .find(li => li.getAttribute('aria-current') === 'step'),
    ).toHaveTextContent('Step 5: analysis success-rate, current');

    const analysis = within(
      section().getByRole('region', {
        name: 'Analysis of the rollout in prod',
      }),
    );
    expect(
      analysis.getByText('step analysis guestbook-7c9d5f6b8-7-5'),
    ).toBeInTheDocument();
    const metric = analysis.getByTestId('rollout-metric-success-rate');
    expect(metric).toHaveAttribute('data-phase', 'Failed');
    expect(metric).toHaveTextContent('success: result[0] >= 0.95');
    expect(metric).toHaveTextContent(
      '4 measured: 1 successful, 3 failed (limit 2)',
    );
    const measurements = within(metric)
      .getByRole('list', { name: 'Last measurements of success-rate' })
      .querySelectorAll('li');
    expect([...measurements].map(m => m.textContent)).toEqual([
      '0.97 Successful',
      '0.91 Failed',
      '0.88 Failed',
      '0.86 Failed',
    ]);
    expect(measurements[3]).toHaveAttribute('data-phase', 'Failed');
    expect(
      analysis.getByTestId('rollout-metric-latency-p99'),
    ).toHaveTextContent('success: result[0] <= 0.5 · failure: result[0] > 1');
    expect(section().queryByTestId('rollout-paused')).not.toBeInTheDocument();
  });

  it('shows a Flagger canary as its weight of the maximum and its failed checks, without a strip', async () => {
    await renderLane(flaggerCanary);
    expect(section().getByTestId('rollout-summary')).toHaveTextContent(
      'weight 30 % of 50 %',
    );
    expect(
      section().getByRole('progressbar', {
        name: 'canary weight 30 % of 50 %',
      }),
    ).toHaveAttribute('aria-valuenow', '60');
    expect(section().getByTestId('rollout-failed-checks')).toHaveTextContent(
      'failed checks 1 of 5',
    );
    expect(
      section().queryByRole('list', { name: 'Steps of the rollout in prod' }),
    ).not.toBeInTheDocument();
    expect(
      section().getByRole('group', { name: 'Primary in prod' }),
    ).toHaveTextContent('v1.0.2');
    expect(
      section().getByTestId('rollout-metric-request-success-rate'),
    ).toHaveTextContent('success: >= 99');
    // Flagger counts failures only.
    expect(
      section().getByTestId('rollout-metric-request-success-rate'),
    ).toHaveTextContent('1 failed check');
  });

  it('calls the sides of a blue-green rollout active and preview', async () => {
    await renderLane(blueGreenPreview);
    expect(
      section().getByRole('group', { name: 'Active in prod' }),
    ).toHaveTextContent('v1.0.2');
    expect(
      section().getByRole('group', { name: 'Preview in prod' }),
    ).toHaveTextContent('v1.0.3');
    expect(section().queryByTestId('rollout-summary')).not.toBeInTheDocument();
  });

  it('shows nothing without a rollout', async () => {
    await renderLane(null);
    expect(screen.getByTestId('lane')).toBeEmptyDOMElement();
    await renderLane(undefined);
    expect(screen.getAllByTestId('lane')[1]).toBeEmptyDOMElement();
  });
});
