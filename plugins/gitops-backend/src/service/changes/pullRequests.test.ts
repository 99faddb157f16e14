import {
  LoggedCommit,
  attributePullRequests,
  countChanges,
  ownPullRequest,
  toChangeCommits,
} from './pullRequests';

describe('ownPullRequest', () => {
  it.each([
    [
      'a GitHub merge commit, titled by its second paragraph',
      'Merge pull request #12 from acme/feature-x\n\nAdd feature x\n',
      { number: 12, title: 'Add feature x' },
    ],
    [
      'a GitHub merge commit without a title',
      'Merge pull request #7 from acme/fix',
      { number: 7, title: 'Merge pull request #7 from acme/fix' },
    ],
    [
      'a GitLab merge commit',
      "Merge branch 'fix' into 'main'\n\nFix the login\n\nSee merge request acme/app!31",
      { number: 31, title: 'Fix the login' },
    ],
    [
      'a squash subject',
      'Fix the cart total (#42)\n\n* one\n* two',
      { number: 42, title: 'Fix the cart total' },
    ],
    ['nothing in a plain commit', 'Fix typo', null],
    ['nothing for a number mid-subject', 'Revert (#3) partly', null],
    ['nothing for a plain merge', "Merge branch 'main' into feature", null],
  ])('finds %s', (_, message, expected) => {
    expect(ownPullRequest(message)).toEqual(expected);
  });
});

describe('attributePullRequests', () => {
  const c = (
    sha: string,
    parents: string[],
    message: string,
  ): LoggedCommit => ({
    sha,
    parents,
    author: 'a',
    at: '2026-01-01T00:00:00.000Z',
    message,
  });
  // main: base ← s (squash #5) ← m1 (merges f1, f2 as #6) ← d (direct) ← m2 (merges g1 as #7)
  const commits = [
    c('m2', ['d', 'g1'], 'Merge pull request #7 from acme/g\n\nFeature G'),
    c('g1', ['d'], 'Do g'),
    c('d', ['m1'], 'Direct push'),
    c('m1', ['s', 'f2'], 'Merge pull request #6 from acme/f\n\nFeature F'),
    c('f2', ['f1'], 'Do f, part 2'),
    c('f1', ['s'], 'Do f, part 1'),
    c('s', ['base'], 'Small fix (#5)'),
  ];

  it('gives the commits of a merged branch the pull request of its merge', () => {
    const found = attributePullRequests(commits, 'm2');
    expect(
      Object.fromEntries([...found].map(([sha, pr]) => [sha, pr.number])),
    ).toEqual({ m2: 7, g1: 7, m1: 6, f2: 6, f1: 6, s: 5 });
  });

  it('follows no parent outside the range, and stops on a cycle of bad data', () => {
    const found = attributePullRequests(
      [
        c('x', ['y', 'z'], 'Merge pull request #1 from a/b'),
        c('y', ['x'], 'loop'),
      ],
      'x',
    );
    expect([...found.keys()]).toEqual(['x']);
  });
});

describe('toChangeCommits and countChanges', () => {
  it('links commits and pull requests on GitHub, counts pull requests and authors', () => {
    const commits: LoggedCommit[] = [
      {
        sha: 'b'.repeat(40),
        parents: [],
        author: 'Ann',
        at: '2026-01-02T00:00:00.000Z',
        message: 'Two (#2)\n\nbody',
      },
      {
        sha: 'a'.repeat(40),
        parents: [],
        author: 'Bob',
        at: '2026-01-01T00:00:00.000Z',
        message: 'One',
      },
    ];
    const answer = toChangeCommits(
      commits,
      attributePullRequests(commits, commits[0].sha),
      'https://github.com/acme/app',
    );
    expect(answer).toEqual([
      {
        sha: 'b'.repeat(40),
        author: 'Ann',
        message: 'Two (#2)',
        at: '2026-01-02T00:00:00.000Z',
        pullRequest: {
          number: 2,
          title: 'Two',
          url: 'https://github.com/acme/app/pull/2',
        },
        url: `https://github.com/acme/app/commit/${'b'.repeat(40)}`,
      },
      expect.objectContaining({ message: 'One', pullRequest: null }),
    ]);
    expect(countChanges(answer)).toEqual({ pullRequests: 1, authors: 2 });
  });
});
