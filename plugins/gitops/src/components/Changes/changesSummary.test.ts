import { VersionChanges } from '@gitops-backstage/plugin-gitops-common';
import { changesSummary, commitLink } from './changesSummary';

const counts = (totalCommits: number, pullRequests: number, authors: number) =>
  ({ totalCommits, pullRequests, authors } as VersionChanges);

describe('changesSummary', () => {
  it.each([
    [counts(12, 4, 3), '12 commits, 4 pull requests, 3 authors'],
    [counts(1, 1, 1), '1 commit, 1 pull request, 1 author'],
    [counts(0, 0, 0), '0 commits, 0 pull requests, 0 authors'],
  ])('%#: %s', (changes, expected) => {
    expect(changesSummary(changes)).toBe(expected);
  });
});

describe('commitLink', () => {
  const commit = {
    sha: 'abc1234',
    author: 'Ann',
    message: 'Fix',
    at: '2026-12-01T00:00:00Z',
    pullRequest: null,
  };
  it.each([
    [
      'the backend link',
      { source: 'https://github.com/a/b' },
      { url: 'https://x/1' },
      'https://x/1',
    ],
    [
      'a GitHub-like source',
      { source: 'https://github.com/a/b' },
      {},
      'https://github.com/a/b/commit/abc1234',
    ],
    ['nothing without a source', { source: null }, {}, undefined],
  ])('uses %s', (_, changes, extra, expected) => {
    expect(commitLink(changes, { ...commit, ...extra })).toBe(expected);
  });
});
