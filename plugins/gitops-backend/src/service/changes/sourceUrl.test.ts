import { compareRoute, normalizeSourceUrl, sourceLinks } from './sourceUrl';

describe('normalizeSourceUrl', () => {
  it.each([
    ['https://github.com/acme/guestbook', 'https://github.com/acme/guestbook'],
    [
      'https://github.com/acme/guestbook.git',
      'https://github.com/acme/guestbook',
    ],
    ['https://github.com/acme/guestbook/', 'https://github.com/acme/guestbook'],
    [
      'git+https://github.com/acme/guestbook.git',
      'https://github.com/acme/guestbook',
    ],
    ['git@github.com:acme/guestbook.git', 'https://github.com/acme/guestbook'],
    [
      'ssh://git@git.example.com:2222/team/app.git',
      'https://git.example.com/team/app',
    ],
    [
      'https://user:token@git.example.com/team/app?x=1#y',
      'https://git.example.com/team/app',
    ],
    [
      'http://127.0.0.1:3000/acme/guestbook',
      'http://127.0.0.1:3000/acme/guestbook',
    ],
    ['file:///etc/passwd', null],
    ['ext::sh -c touch% /tmp/pwned', null],
    ['guestbook', null],
    ['https://github.com', null],
    ['https://github.com/acme/../etc', null],
  ])('%s → %s', (text, expected) => {
    expect(normalizeSourceUrl(text)).toBe(expected);
  });
});

describe('compareRoute', () => {
  const mappings = [
    {
      host: 'https://github.com/acme/guestbook',
      url: 'file:///srv/git/guestbook.git',
    },
    { host: 'https://github.com/acme', url: 'https://mirror.example.com/acme' },
    { host: 'git.example.com' },
    { host: 'gitea.example.com', url: 'https://gitea-internal:3000' },
  ];
  const github = (host: string) => host === 'github.com';
  it.each([
    [
      'the longest prefix, replaced',
      'https://github.com/acme/guestbook',
      { kind: 'git', cloneUrl: 'file:///srv/git/guestbook.git' },
    ],
    [
      'a shorter prefix, keeping the rest',
      'https://github.com/acme/other',
      { kind: 'git', cloneUrl: 'https://mirror.example.com/acme/other' },
    ],
    [
      'never a look-alike of a prefix',
      'https://github.com/acme-evil/x',
      { kind: 'github' },
    ],
    [
      'a configured host, cloned as named',
      'https://git.example.com/team/app',
      { kind: 'git', cloneUrl: 'https://git.example.com/team/app' },
    ],
    [
      'a configured host with its own URL',
      'https://gitea.example.com/team/app',
      { kind: 'git', cloneUrl: 'https://gitea-internal:3000/team/app' },
    ],
    [
      'the GitHub API for an integration',
      'https://github.com/other/repo',
      { kind: 'github' },
    ],
  ])('takes %s', (_, source, expected) => {
    expect(compareRoute(source, mappings, github)).toEqual(expected);
  });

  it('compares nothing on a host nobody configured, and says so', () => {
    expect(
      compareRoute('https://evil.example.net/x/y', mappings, github),
    ).toEqual({
      kind: 'none',
      reason:
        'evil.example.net is not in gitops.changes.repositories and has no GitHub integration, so https://evil.example.net/x/y is not compared',
    });
  });
});

describe('sourceLinks', () => {
  it.each([
    [
      'https://github.com/acme/app',
      'https://github.com/acme/app/commit/abc',
      'https://github.com/acme/app/pull/3',
    ],
    [
      'https://github.example.com/acme/app',
      'https://github.example.com/acme/app/commit/abc',
      'https://github.example.com/acme/app/pull/3',
    ],
    [
      'https://gitlab.com/acme/app',
      'https://gitlab.com/acme/app/-/commit/abc',
      'https://gitlab.com/acme/app/-/merge_requests/3',
    ],
    ['https://git.example.com/acme/app', null, null],
    [null, null, null],
  ])('%s', (source, commit, pullRequest) => {
    const links = sourceLinks(source);
    expect(links.commit('abc')).toBe(commit);
    expect(links.pullRequest(3)).toBe(pullRequest);
  });
});
