import { commitUrl, fileUrl } from './gitHostLinks';

const SHA = '3f2a9c81d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9';

describe('commitUrl', () => {
  it.each([
    [
      'https://github.com/acme/gitops.git',
      `https://github.com/acme/gitops/commit/${SHA}`,
    ],
    [
      'https://github.com/acme/gitops',
      `https://github.com/acme/gitops/commit/${SHA}`,
    ],
    [
      'git@github.com:acme/gitops.git',
      `https://github.com/acme/gitops/commit/${SHA}`,
    ],
    [
      'ssh://git@github.com/acme/gitops.git',
      `https://github.com/acme/gitops/commit/${SHA}`,
    ],
    [
      'https://github.acme.internal/platform/gitops.git',
      `https://github.acme.internal/platform/gitops/commit/${SHA}`,
    ],
    [
      'https://gitlab.com/acme/platform/gitops.git',
      `https://gitlab.com/acme/platform/gitops/-/commit/${SHA}`,
    ],
    [
      'ssh://git@gitlab.acme.io:2222/acme/gitops.git',
      `https://gitlab.acme.io/acme/gitops/-/commit/${SHA}`,
    ],
    [
      'git@bitbucket.org:acme/gitops.git',
      `https://bitbucket.org/acme/gitops/commits/${SHA}`,
    ],
    [
      'https://dev.azure.com/acme/platform/_git/gitops',
      `https://dev.azure.com/acme/platform/_git/gitops/commit/${SHA}`,
    ],
    [
      'https://acme@dev.azure.com/acme/platform/_git/gitops',
      `https://dev.azure.com/acme/platform/_git/gitops/commit/${SHA}`,
    ],
    [
      'git@ssh.dev.azure.com:v3/acme/platform/gitops',
      `https://dev.azure.com/acme/platform/_git/gitops/commit/${SHA}`,
    ],
  ])('links %s to its commit page', (repo, expected) => {
    expect(commitUrl(repo, SHA)).toBe(expected);
  });

  it.each([
    ['a local path', '/srv/git/gitops'],
    ['a relative path', './examples/gitops-repo'],
    ['a file URL', 'file:///srv/git/gitops.git'],
    ['an unknown host', 'https://git.acme.internal/acme/gitops.git'],
    ['a GitHub URL without a repository', 'https://github.com/acme'],
    ['an Azure URL without _git', 'https://dev.azure.com/acme/platform'],
    ['an empty string', ''],
  ])('gives no link for %s', (_what, repo) => {
    expect(commitUrl(repo, SHA)).toBeUndefined();
  });

  it('gives no link without a revision', () => {
    expect(commitUrl('https://github.com/acme/gitops', '')).toBeUndefined();
  });
});

describe('fileUrl', () => {
  const path = 'apps/guestbook/overlays/prod/kustomization.yaml';
  it.each([
    [
      'https://github.com/acme/gitops.git',
      `https://github.com/acme/gitops/blob/${SHA}/${path}#L12`,
    ],
    [
      'git@gitlab.com:acme/gitops.git',
      `https://gitlab.com/acme/gitops/-/blob/${SHA}/${path}#L12`,
    ],
    [
      'https://bitbucket.org/acme/gitops.git',
      `https://bitbucket.org/acme/gitops/src/${SHA}/${path}#lines-12`,
    ],
    [
      'https://dev.azure.com/acme/platform/_git/gitops',
      `https://dev.azure.com/acme/platform/_git/gitops?path=/${path}&version=GC${SHA}&line=12`,
    ],
  ])('links a file of %s at a line', (repo, expected) => {
    expect(fileUrl(repo, SHA, path, 12)).toBe(expected);
  });

  it('links a file at a branch without a line', () => {
    expect(fileUrl('https://github.com/acme/gitops', 'main', `./${path}`)).toBe(
      `https://github.com/acme/gitops/blob/main/${path}`,
    );
    expect(
      fileUrl('https://dev.azure.com/acme/platform/_git/gitops', 'main', path),
    ).toBe(
      `https://dev.azure.com/acme/platform/_git/gitops?path=/${path}&version=GBmain`,
    );
  });

  it('encodes what a URL cannot hold as it is', () => {
    expect(
      fileUrl('https://github.com/acme/gitops', SHA, 'apps/my app/values.yaml'),
    ).toBe(
      `https://github.com/acme/gitops/blob/${SHA}/apps/my%20app/values.yaml`,
    );
  });

  it.each([
    ['/srv/git/gitops'],
    ['file:///srv/git/gitops.git'],
    ['https://git.acme.internal/acme/gitops.git'],
  ])('gives no link for %s', repo => {
    expect(fileUrl(repo, SHA, path, 12)).toBeUndefined();
  });
});
