import { mockServices } from '@backstage/backend-test-utils';
import {
  GitCommitOptions,
  GitConflictError,
  GitProvider,
  GitPullRequestOptions,
} from '@gitops-backstage/plugin-gitops-node';
import { ServiceTarget } from '../ServiceLocator';
import { ChangeWriter, PlannedChange } from './ChangeWriter';
import { pullRequestBody } from './pullRequestBody';

/** A provider whose branch moves `conflicts` times before a commit lands. */
function fakeProvider(conflicts: number) {
  let head = 'base0';
  const commits: GitCommitOptions[] = [];
  const pulls: GitPullRequestOptions[] = [];
  const provider: GitProvider = {
    type: 'fake',
    resolveBranch: async () => head,
    readFile: async () => undefined,
    log: async () => [],
    commit: async options => {
      commits.push(options);
      if (commits.length <= conflicts) {
        head = `base${commits.length}`; // someone else pushed meanwhile
        throw new GitConflictError('Branch main moved');
      }
      head = `commit${commits.length}`;
      return head;
    },
    openPullRequest: async options => {
      pulls.push(options);
      return { url: 'https://github.com/acme/gitops/pull/7', number: 7 };
    },
  };
  return { provider, commits, pulls };
}

function target(provider: GitProvider): ServiceTarget {
  return {
    provider,
    repository: { url: 'https://github.com/acme/gitops', branch: 'main' },
  } as ServiceTarget;
}

const plan = (revision: string, noop = false): PlannedChange<string> => ({
  plan: {
    files: noop
      ? []
      : [{ path: 'a.yaml', before: 'tag: 1\n', after: 'tag: 2\n' }],
    diff: noop ? '' : '-tag: 1\n+tag: 2\n',
    noop,
  },
  message: 'promote(staging): svc 1 → 2 (from dev)\n',
  details: revision,
});

const writer = (maxAttempts = 4) =>
  new ChangeWriter({
    logger: mockServices.logger.mock(),
    maxAttempts,
    sleep: async () => {},
  });
const author = { name: 'A', email: 'a@example.com' };

describe('ChangeWriter', () => {
  it('re-plans on the new head after each conflict, then lands', async () => {
    const { provider, commits } = fakeProvider(2);
    const planned: string[] = [];
    const result = await writer().write({
      target: target(provider),
      author,
      planAt: async revision => {
        planned.push(revision);
        return plan(revision);
      },
    });
    expect(planned).toEqual(['base0', 'base1', 'base2']);
    expect(commits.map(c => c.baseRevision)).toEqual([
      'base0',
      'base1',
      'base2',
    ]);
    expect(result).toMatchObject({
      commit: 'commit3',
      attempts: 3,
      baseRevision: 'base2',
      planned: { details: 'base2' },
    });
  });

  it('stops with a 409 after maxAttempts, having written nothing', async () => {
    const { provider, commits } = fakeProvider(100);
    await expect(
      writer(3).write({
        target: target(provider),
        author,
        planAt: async revision => plan(revision),
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message:
        'main of https://github.com/acme/gitops kept moving: gave up after 3 attempts; nothing was written',
    });
    expect(commits).toHaveLength(3);
  });

  it('answers a no-op when the new head already has the change', async () => {
    const { provider, commits } = fakeProvider(1);
    const result = await writer().write({
      target: target(provider),
      author,
      // The other writer made the same change: on the new head there is nothing to do.
      planAt: async revision => plan(revision, revision !== 'base0'),
    });
    expect(result).toMatchObject({ commit: null, attempts: 2 });
    expect(commits).toHaveLength(1);
  });

  it('opens a pull request from a new branch whose body shows versions, gates and diff', async () => {
    const { provider, commits, pulls } = fakeProvider(0);
    const gates = [
      {
        name: 'allowedSource',
        state: 'pass' as const,
        passed: true,
        message: 'prod takes promotions from staging',
        retryAt: null,
        evidence: null,
      },
    ];
    const result = await writer().write({
      target: target(provider),
      author,
      pullRequest: {
        branch: 'gitops/svc/prod/6f1c2f8e',
        title: p => p.message.split('\n')[0],
        body: p =>
          pullRequestBody({
            planned: p,
            gates,
            actor: { name: 'Alice', ref: 'user:default/alice' },
          }),
      },
      planAt: async revision => plan(revision),
    });
    expect(commits[0].newBranch).toBe('gitops/svc/prod/6f1c2f8e');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({
      head: 'gitops/svc/prod/6f1c2f8e',
      title: 'promote(staging): svc 1 → 2 (from dev)',
    });
    expect(pulls[0].body).toBe(
      [
        '**promote(staging): svc 1 → 2 (from dev)**',
        '',
        'Requested by Alice (`user:default/alice`) through Backstage.',
        '',
        '| Gate | Result | Why |',
        '| --- | --- | --- |',
        '| allowedSource | ✅ passed | prod takes promotions from staging |',
        '',
        '```diff',
        '-tag: 1',
        '+tag: 2',
        '```',
        '',
      ].join('\n'),
    );
    expect(result).toMatchObject({
      branch: 'gitops/svc/prod/6f1c2f8e',
      pullRequest: 'https://github.com/acme/gitops/pull/7',
    });
  });

  it('does not retry a pull-request branch that already exists', async () => {
    const { provider, commits } = fakeProvider(1);
    await expect(
      writer().write({
        target: target(provider),
        author,
        pullRequest: { branch: 'gitops/x', title: () => 't', body: () => 'b' },
        planAt: async revision => plan(revision),
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(commits).toHaveLength(1);
  });

  describe('while the last fetch or push did not answer', () => {
    const since = '2026-12-06T10:00:00.000Z';
    it.each([
      {
        case: 'the remote answers again: the write is planned on the fetched head and lands',
        answersAgain: true,
        planned: ['fetched'],
        outcome: { baseRevision: 'fetched' },
        written: 1,
      },
      {
        case: 'the remote still does not answer: 503 and nothing written',
        answersAgain: false,
        planned: ['base0'],
        outcome: { error: 'ServiceUnavailableError' },
        written: 0,
      },
    ])('$case', async ({ answersAgain, planned, outcome, written }) => {
      const { provider, commits } = fakeProvider(0);
      let down = true;
      let head = 'base0';
      const refreshes: Array<number | undefined> = [];
      provider.resolveBranch = async () => head;
      provider.staleness = () =>
        down
          ? {
              repository: 'https://github.com/acme/gitops',
              since,
              lastError: 'git fetch timed out after 20 s',
              revision: 'base0',
            }
          : undefined;
      provider.refresh = async (_repository, options) => {
        refreshes.push(options?.since);
        if (answersAgain) {
          down = false;
          head = 'fetched';
        }
      };
      const plannedAt: string[] = [];
      const settled = await writer()
        .write({
          target: target(provider),
          author,
          planAt: async revision => {
            plannedAt.push(revision);
            return plan(revision);
          },
        })
        .then(
          result => ({ baseRevision: result.baseRevision }),
          error => ({ error: error.name }),
        );
      expect(settled).toEqual(outcome);
      expect(commits).toHaveLength(written);
      expect(plannedAt).toEqual(planned);
      // One fetch newer than the first failure, whether running or started for the write.
      expect(refreshes).toEqual([Date.parse(since)]);
    });
  });
});
