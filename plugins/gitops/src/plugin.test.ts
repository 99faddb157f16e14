import { gitopsPlugin } from './plugin';

describe('gitops plugin (legacy frontend system)', () => {
  it('provides the GitOps API', () => {
    expect(gitopsPlugin.getId()).toBe('gitops');
    expect([...gitopsPlugin.getApis()].map(factory => factory.api.id)).toEqual([
      'plugin.gitops.api',
    ]);
  });
});
