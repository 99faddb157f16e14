import { mockServices } from '@backstage/backend-test-utils';
import { crossInstanceStore } from './SharedCache';

describe('crossInstanceStore', () => {
  const cache = mockServices.cache.mock();
  it.each([
    ['no backend.cache (memory by default): not shared', {}, false],
    ['the in-process memory store: not shared', { store: 'memory' }, false],
    [
      'Redis: shared',
      { store: 'redis', connection: 'redis://127.0.0.1:6379' },
      true,
    ],
    [
      'Memcache: shared',
      { store: 'memcache', connection: '127.0.0.1:11211' },
      true,
    ],
  ])('%s', (_, backendCache, shared) => {
    const config = mockServices.rootConfig({
      data: { backend: { cache: backendCache } },
    });
    expect(crossInstanceStore(config, cache)).toBe(shared ? cache : undefined);
  });
});
