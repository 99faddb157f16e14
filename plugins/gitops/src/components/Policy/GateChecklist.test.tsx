import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { gate, prodGates, SOAK_UNTIL } from '../../__fixtures__/guestbook';
import { GateChecklist } from './GateChecklist';
import { localTime } from './policyFormat';

describe('GateChecklist', () => {
  it('marks each gate by its state, says until when a waiting gate waits, and links its evidence', async () => {
    await renderInTestApp(<GateChecklist gates={prodGates} label="Gates" />);
    const items = within(
      screen.getByRole('list', { name: 'Gates' }),
    ).getAllByRole('listitem');
    expect(items.map(li => li.getAttribute('data-state'))).toEqual([
      'pass',
      'pass',
      'pass',
      'wait',
      'wait',
      'wait',
    ]);
    // The state is spoken, not only drawn.
    expect(
      items.map(li => within(li).getByRole('img').getAttribute('aria-label')),
    ).toEqual(['passed', 'passed', 'passed', 'waiting', 'waiting', 'waiting']);
    expect(items[3]).toHaveTextContent(
      `⏳Soak time: v1.0.4 has run 20 h of 24 h in staging (until ${localTime(
        SOAK_UNTIL,
      )})`,
    );
    expect(items[0]).toHaveTextContent(
      '✓Allowed source: prod takes promotions from staging',
    );
    expect(
      within(items[2]).getByRole('link', { name: /error-ratio in Prometheus/ }),
    ).toHaveAttribute(
      'href',
      'https://prometheus.example.com/graph?g0.expr=error_ratio',
    );
  });

  it('marks a failed gate, and says who overrode a gate and why', async () => {
    await renderInTestApp(
      <GateChecklist
        label="Gates"
        gates={[
          gate('versionKnown', 'fail', 'staging declares no version'),
          gate('soak', 'pass', 'v1.0.4 has run 2 h of 24 h in staging', {
            override: {
              by: 'user:default/oncall',
              reason: 'hotfix for INC-42',
            },
          }),
          gate('cosign', 'wait', 'signature not checked yet'),
        ]}
      />,
    );
    const items = screen.getAllByRole('listitem');
    expect(items[0]).toHaveTextContent(
      '✗Version known: staging declares no version',
    );
    expect(within(items[0]).getByRole('img')).toHaveAccessibleName('failed');
    expect(items[1]).toHaveTextContent(
      'overridden by user:default/oncall: hotfix for INC-42',
    );
    // A gate the plugin does not know keeps its name; without retryAt, no "until".
    expect(items[2]).toHaveTextContent('⏳cosign: signature not checked yet');
    expect(items[2]).not.toHaveTextContent('until');
  });

  it('says so when no gate applies', async () => {
    await renderInTestApp(<GateChecklist gates={[]} label="Gates" />);
    expect(screen.getByText('No gates apply.')).toBeInTheDocument();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });
});
