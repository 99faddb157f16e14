import { domId } from './domId';

describe('domId', () => {
  it.each([
    ['gitops-chart', 'Lead time trend', 'gitops-chart-lead-time-trend'],
    [
      'gitops-reason',
      'Promote v1.0.5 from dev to staging',
      'gitops-reason-promote-v1-0-5-from-dev-to-staging',
    ],
    ['gitops-select', 'Compare From', 'gitops-select-compare-from'],
  ])('%s + %s', (prefix, text, id) => {
    expect(domId(prefix, text)).toBe(id);
  });
});
