import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { chartVersionChange } from './chartVersion';

const state = (chart: DesiredState['chart']) => ({ chart } as DesiredState);
const chart = (version: string | null, range = false, name = 'web') => ({
  name,
  version,
  range,
});

describe('chartVersionChange', () => {
  it.each<{
    name: string;
    from: DesiredState['chart'];
    /** The exact version the source runs: what it pins, or what its range installed. */
    exact: string | null;
    to: DesiredState['chart'];
    expected: object;
  }>([
    {
      name: 'pins the source version',
      from: chart('6.8.0'),
      exact: '6.8.0',
      to: chart('6.7.1'),
      expected: { chartVersion: '6.8.0' },
    },
    {
      name: 'pins the version a source range installed',
      from: chart('>=6.0.0', true),
      exact: '6.9.2',
      to: chart('6.7.1'),
      expected: { chartVersion: '6.9.2' },
    },
    {
      name: 'does not pin a range whose installed version is unknown',
      from: chart('6.x', true),
      exact: null,
      to: chart('6.7.1'),
      expected: {},
    },
    {
      name: 'keeps a range in the target',
      from: chart('6.8.0'),
      exact: '6.8.0',
      to: chart('6.x', true),
      expected: {},
    },
    {
      name: 'leaves a target that asks for no version',
      from: chart('6.8.0'),
      exact: '6.8.0',
      to: chart(null),
      expected: {},
    },
    {
      name: 'leaves another chart alone',
      from: chart('1.0.0', false, 'api'),
      exact: '1.0.0',
      to: chart('6.7.1'),
      expected: {},
    },
    {
      name: 'changes nothing when equal',
      from: chart('6.7.1'),
      exact: '6.7.1',
      to: chart('6.7.1'),
      expected: {},
    },
    {
      name: 'needs both charts',
      from: null,
      exact: null,
      to: chart('6.7.1'),
      expected: {},
    },
  ])('$name', ({ from, exact, to, expected }) => {
    expect(chartVersionChange(state(from), exact, state(to))).toEqual(expected);
  });
});
