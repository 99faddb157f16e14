import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { chartVersionChange } from './chartVersion';

const state = (chart: DesiredState['chart']) => ({ chart } as DesiredState);

describe('chartVersionChange', () => {
  it.each<[string, DesiredState['chart'], DesiredState['chart'], object]>([
    [
      'pins the source version',
      { name: 'web', version: '6.8.0', range: false },
      { name: 'web', version: '6.7.1', range: false },
      { chartVersion: '6.8.0' },
    ],
    [
      'keeps a range in the target',
      { name: 'web', version: '6.8.0', range: false },
      { name: 'web', version: '6.x', range: true },
      {},
    ],
    [
      'does not pin a range',
      { name: 'web', version: '6.x', range: true },
      { name: 'web', version: '6.7.1', range: false },
      {},
    ],
    [
      'leaves another chart alone',
      { name: 'api', version: '1.0.0', range: false },
      { name: 'web', version: '6.7.1', range: false },
      {},
    ],
    [
      'changes nothing when equal',
      { name: 'web', version: '6.7.1', range: false },
      { name: 'web', version: '6.7.1', range: false },
      {},
    ],
    [
      'needs both charts',
      null,
      { name: 'web', version: '6.7.1', range: false },
      {},
    ],
  ])('%s', (_name, from, to, expected) => {
    expect(chartVersionChange(state(from), state(to))).toEqual(expected);
  });
});
