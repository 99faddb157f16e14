import { mockServices } from '@backstage/backend-test-utils';
import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { scheduleRepositoryPrefetch } from './repositoryPrefetch';

describe('scheduleRepositoryPrefetch', () => {
  const repository = (url: string) => ({ url, branch: 'main' });

  it.each([
    { interval: 30, expectedMs: 24_000 },
    { interval: 5, expectedMs: 4_000 },
    { interval: 1, expectedMs: 1_000 },
  ])(
    'fetches every repository with a refresh every 0.8 × $interval s, failures logged, not thrown',
    async ({ interval, expectedMs }) => {
      const tasks: Array<
        SchedulerServiceTaskScheduleDefinition & { fn: () => Promise<void> }
      > = [];
      const scheduler = {
        scheduleTask: jest.fn(async (task: any) => {
          tasks.push(task);
        }),
      } as any;
      const refreshed: string[] = [];
      const ok = {
        refresh: jest.fn(async (r: { url: string }) => {
          refreshed.push(r.url);
        }),
      };
      const failing = {
        refresh: jest.fn(async () => {
          throw new Error('remote down');
        }),
      };
      const readOnly = {};
      const logger = mockServices.logger.mock();
      await scheduleRepositoryPrefetch({
        scheduler,
        logger,
        fetchIntervalSeconds: interval,
        repositories: () => [
          { repository: repository('https://git.example/a.git'), provider: ok },
          {
            repository: repository('https://git.example/b.git'),
            provider: failing,
          },
          {
            repository: repository('https://git.example/c.git'),
            provider: readOnly,
          },
          { repository: repository('https://git.example/d.git'), provider: ok },
        ],
      });
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({
        id: 'gitops-repository-prefetch',
        scope: 'local',
        frequency: { milliseconds: expectedMs },
      });
      await expect(tasks[0].fn()).resolves.toBeUndefined();
      expect(refreshed.sort()).toEqual([
        'https://git.example/a.git',
        'https://git.example/d.git',
      ]);
      expect(failing.refresh).toHaveBeenCalledTimes(1);
      expect(logger.debug).toHaveBeenCalledWith(
        expect.stringContaining(
          'https://git.example/b.git failed: Error: remote down',
        ),
      );
    },
  );

  it('schedules nothing when fetching is off', async () => {
    const scheduler = { scheduleTask: jest.fn() } as any;
    await scheduleRepositoryPrefetch({
      scheduler,
      logger: mockServices.logger.mock(),
      fetchIntervalSeconds: 0,
      repositories: () => [],
    });
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });
});
