import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { GitProvider } from '@gitops-backstage/plugin-gitops-node';
import path from 'node:path';
import {
  githubPushHeaders,
  githubPushPayload,
  gitlabPushPayload,
} from '../../__testUtils__/pushPayloads';
import { RepositoryConfig } from '../config';
import { PushEvents, readPushEvent, repositoryKey } from './pushEvents';

const BEFORE = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const AFTER = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';

describe('repositoryKey', () => {
  it.each([
    ['https://github.com/acme/gitops-repo', 'github.com/acme/gitops-repo'],
    ['https://github.com/Acme/GitOps-Repo.git', 'github.com/acme/gitops-repo'],
    [
      'https://x-token:ghp_abc@github.com/acme/gitops-repo/',
      'github.com/acme/gitops-repo',
    ],
    ['git@github.com:acme/gitops-repo.git', 'github.com/acme/gitops-repo'],
    [
      'ssh://git@github.com:22/acme/gitops-repo.git',
      'github.com/acme/gitops-repo',
    ],
    ['git://github.com/acme/gitops-repo.git', 'github.com/acme/gitops-repo'],
    [
      'https://gitlab.example.com/platform/deploy/gitops',
      'gitlab.example.com/platform/deploy/gitops',
    ],
    [
      'ssh://git@gitlab.example.com:2222/platform/deploy/gitops.git',
      'gitlab.example.com/platform/deploy/gitops',
    ],
    ['file:///srv/git/gitops.git', 'file:/srv/git/gitops.git'],
    ['examples/gitops-repo', `file:${path.resolve('examples/gitops-repo')}`],
  ])('%s is %s', (url, key) => {
    expect(repositoryKey(url)).toBe(key);
  });
});

describe('readPushEvent', () => {
  it('reads the branch and every address of a GitHub push', () => {
    expect(
      readPushEvent(
        githubPushPayload({
          owner: 'acme',
          name: 'gitops-repo',
          ref: 'refs/heads/main',
          before: BEFORE,
          after: AFTER,
        }),
      ),
    ).toEqual({
      branch: 'main',
      after: AFTER,
      urls: expect.arrayContaining([
        'https://github.com/acme/gitops-repo.git',
        'git@github.com:acme/gitops-repo.git',
        'git://github.com/acme/gitops-repo.git',
        'https://github.com/acme/gitops-repo',
      ]),
    });
  });

  it('reads the branch and every address of a GitLab push', () => {
    const pushed = readPushEvent(
      gitlabPushPayload({
        path: 'platform/gitops',
        ref: 'refs/heads/release/2026-05',
        before: BEFORE,
        after: AFTER,
      }),
    );
    expect(pushed?.branch).toBe('release/2026-05');
    expect(pushed?.urls).toEqual(
      expect.arrayContaining([
        'https://gitlab.com/platform/gitops.git',
        'git@gitlab.com:platform/gitops.git',
        'https://gitlab.com/platform/gitops',
      ]),
    );
  });

  it('ignores tags and payloads that are no push', () => {
    expect(
      readPushEvent(
        githubPushPayload({
          owner: 'acme',
          name: 'gitops-repo',
          ref: 'refs/tags/v1.0.6',
          before: BEFORE,
          after: AFTER,
        }),
      ),
    ).toBeUndefined();
    expect(readPushEvent({ action: 'opened', number: 42 })).toBeUndefined();
    expect(readPushEvent('push')).toBeUndefined();
    expect(readPushEvent({ ref: 'refs/heads/main' })).toBeUndefined();
  });
});

describe('PushEvents', () => {
  const entity = (name: string, repo?: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations: repo ? { repo } : {} },
  });
  const repositories: RepositoryConfig[] = [
    {
      name: 'platform',
      url: 'git@github.com:acme/gitops-repo.git',
      branch: 'main',
      provider: 'git',
    } as RepositoryConfig,
    {
      name: 'platform-staging',
      url: 'https://github.com/acme/gitops-repo',
      branch: 'staging',
      provider: 'github',
    } as RepositoryConfig,
    {
      name: 'apps',
      url: 'https://gitlab.com/platform/gitops.git',
      branch: 'main',
      provider: 'git',
    } as RepositoryConfig,
  ];

  function setup() {
    const refreshed: string[] = [];
    let release = () => {};
    let hold: Promise<void> | undefined;
    const provider = (type: string): GitProvider =>
      ({
        type,
        refresh: async (repository: { url: string; branch: string }) => {
          refreshed.push(`${type} ${repository.url}#${repository.branch}`);
          await hold;
        },
      } as unknown as GitProvider);
    const checked: string[][] = [];
    const watched = [
      entity('guestbook', 'platform'),
      entity('podinfo', 'platform-staging'),
      entity('flask', 'apps'),
    ];
    const byName = new Map(repositories.map(r => [r.name, r]));
    const logger = mockServices.logger.mock();
    const push = new PushEvents({
      repositories,
      providers: new Map([
        ['git', provider('git')],
        ['github', provider('github')],
      ]),
      repositoryOf: e => {
        const r = byName.get(e.metadata.annotations?.repo ?? '');
        return r && { url: r.url, branch: r.branch };
      },
      checkNow: async affected => {
        const names = watched.filter(affected).map(e => e.metadata.name);
        checked.push(names);
        return names.length;
      },
      logger,
    });
    return {
      push,
      refreshed,
      checked,
      logger,
      holdRefreshes: () => {
        hold = new Promise(resolve => (release = resolve));
      },
      release: () => release(),
    };
  }

  const github = (ref: string, name = 'gitops-repo') => ({
    topic: 'github.push',
    eventPayload: githubPushPayload({
      owner: 'acme',
      name,
      ref,
      before: BEFORE,
      after: AFTER,
    }),
    metadata: githubPushHeaders(),
  });

  it('fetches the pushed repository and branch and re-reads only the entities watched on it', async () => {
    const { push, refreshed, checked } = setup();
    await push.handle(github('refs/heads/main'));
    expect(refreshed).toEqual(['git git@github.com:acme/gitops-repo.git#main']);
    expect(checked).toEqual([['guestbook']]);

    await push.handle(github('refs/heads/staging'));
    expect(refreshed.slice(1)).toEqual([
      'github https://github.com/acme/gitops-repo#staging',
    ]);
    expect(checked.slice(1)).toEqual([['podinfo']]);

    await push.handle({
      topic: 'gitlab.push',
      eventPayload: gitlabPushPayload({
        path: 'platform/gitops',
        ref: 'refs/heads/main',
        before: BEFORE,
        after: AFTER,
      }),
    });
    expect(refreshed.slice(2)).toEqual([
      'git https://gitlab.com/platform/gitops.git#main',
    ]);
    expect(checked.slice(2)).toEqual([['flask']]);
  });

  it('changes nothing for another repository, another branch or a tag, and logs it at debug', async () => {
    const { push, refreshed, checked, logger } = setup();
    await push.handle(github('refs/heads/main', 'other-repo'));
    await push.handle(github('refs/heads/feature/bump'));
    await push.handle(github('refs/tags/v1.0.6'));
    expect(refreshed).toEqual([]);
    expect(checked).toEqual([]);
    expect(logger.debug).toHaveBeenCalledTimes(3);
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('makes one more pass for pushes arriving during one, not one each', async () => {
    const { push, refreshed, checked, holdRefreshes, release } = setup();
    holdRefreshes();
    const first = push.handle(github('refs/heads/main'));
    await new Promise(resolve => setImmediate(resolve));
    const more = [1, 2, 3, 4].map(() => push.handle(github('refs/heads/main')));
    release();
    await Promise.all([first, ...more]);
    expect(refreshed).toHaveLength(2);
    expect(checked).toHaveLength(2);
  });

  it('logs a failed fetch and leaves the entities to the next poll', async () => {
    const logger = mockServices.logger.mock();
    const checkNow = jest.fn(async () => 0);
    const push = new PushEvents({
      repositories,
      providers: new Map([
        [
          'git',
          {
            type: 'git',
            refresh: async () => {
              throw new Error('git fetch failed: timed out after 20000 ms');
            },
          } as unknown as GitProvider,
        ],
      ]),
      repositoryOf: () => undefined,
      checkNow,
      logger,
    });
    await expect(push.handle(github('refs/heads/main'))).resolves.toBe(
      undefined,
    );
    expect(checkNow).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('fetching platform after a push failed'),
    );
  });
});
