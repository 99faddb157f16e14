import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fastImportCommit } from './fastImportCommit';
import { runGit } from './runGit';
import { gitIn } from 'gitops-testkit';

describe('fastImportCommit', () => {
  let root: string;
  let repo: string;
  let base: string;
  const git = (...args: string[]) => gitIn(repo, ...args);
  const run = (args: string[], input?: string) =>
    runGit({ args, input, cwd: repo, timeoutMs: 10_000 });

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-import-'));
    const work = path.join(root, 'work');
    fs.mkdirSync(path.join(work, 'apps/api/overlays/dev'), { recursive: true });
    fs.mkdirSync(path.join(work, 'apps/web'), { recursive: true });
    fs.writeFileSync(
      path.join(work, 'apps/api/overlays/dev/kustomization.yaml'),
      'images:\n  - name: api\n    newTag: v1.0.0 # pinned by CI\n',
    );
    fs.writeFileSync(path.join(work, 'apps/web/values.yaml'), 'tag: v2\n');
    fs.writeFileSync(path.join(work, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
    gitIn(work, 'add', '-A');
    gitIn(work, 'commit', '--quiet', '-m', 'seed');
    repo = path.join(root, 'mirror.git');
    execFileSync('git', ['clone', '--quiet', '--mirror', work, repo]);
    base = git('rev-parse', 'main');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it.each([
    {
      name: 'replaces one file, keeping every other entry',
      files: [
        {
          path: 'apps/api/overlays/dev/kustomization.yaml',
          content:
            'images:\n  - name: api\n    newTag: v1.0.1 # pinned by CI\n',
        },
      ],
    },
    {
      name: 'adds files in new folders, with spaces, quotes, backslashes and non-ASCII names',
      files: [
        {
          path: 'apps/new svc/overlays/prod/hpa.yaml',
          content: 'minReplicas: 2\n',
        },
        { path: 'apps/"quoted"/a\\b.yaml', content: 'x: 1\n' },
        { path: 'apps/café/values.yaml', content: 'tag: ünïcode ✓\n' },
      ],
    },
    {
      name: 'writes contents exactly: empty, without a final newline, with CRLF',
      files: [
        { path: 'apps/web/values.yaml', content: '' },
        { path: 'apps/web/no-newline.yaml', content: 'tag: v3' },
        { path: 'apps/web/crlf.yaml', content: 'a: 1\r\nb: 2\r\n' },
      ],
    },
  ])('$name', async ({ files }) => {
    const sha = await fastImportCommit(run, {
      baseRevision: base,
      files,
      message: 'Promote api: v1.0.0 → v1.0.1\n\nGitops-Action: 1234\n',
      author: { name: 'Ada <Lovelace>', email: 'ada@example.com' },
      date: new Date('2026-12-05T10:00:00Z'),
    });
    expect(git('rev-parse', `${sha}^`)).toBe(base);
    // Only the named files differ from the parent.
    const changed = git(
      '-c',
      'core.quotePath=false',
      'diff-tree',
      '-r',
      '--name-only',
      '--no-commit-id',
      '-z',
      sha,
    )
      .split('\0')
      .filter(Boolean)
      .sort();
    // Every file of each case differs from the base (new, or new content).
    expect(changed).toEqual(files.map(f => f.path).sort());
    for (const file of files) {
      const content = execFileSync(
        'git',
        ['cat-file', 'blob', `${sha}:${file.path}`],
        {
          cwd: repo,
        },
      ).toString('utf8');
      expect(content).toBe(file.content);
    }
    expect(git('log', '-1', '--format=%an <%ae> %aI|%cn|%B', sha)).toBe(
      'Ada Lovelace <ada@example.com> 2026-12-05T10:00:00+00:00|Ada Lovelace|Promote api: v1.0.0 → v1.0.1\n\nGitops-Action: 1234',
    );
    // The executable bit of an untouched file stays; no write ref is left behind.
    expect(git('ls-tree', sha, 'run.sh')).toMatch(/^100755 /);
    expect(git('for-each-ref', 'refs/gitops-writes')).toBe('');
    expect(git('rev-parse', 'main')).toBe(base);
  });

  it('refuses paths outside the repository before running git', async () => {
    for (const bad of ['../etc/passwd', 'apps/../../x', '/abs', 'a\nb']) {
      await expect(
        fastImportCommit(run, {
          baseRevision: base,
          files: [{ path: bad, content: 'x' }],
          message: 'm',
          author: { name: 'a', email: 'a@example.com' },
        }),
      ).rejects.toThrow(/Refusing to write outside the repository/);
    }
    expect(git('for-each-ref', 'refs/gitops-writes')).toBe('');
  });

  it('fails on a base that is not in the repository, leaving no ref', async () => {
    await expect(
      fastImportCommit(run, {
        baseRevision: '0123456789abcdef0123456789abcdef01234567',
        files: [{ path: 'a.yaml', content: 'x' }],
        message: 'm',
        author: { name: 'a', email: 'a@example.com' },
      }),
    ).rejects.toThrow(/fast-import failed/);
    expect(git('for-each-ref', 'refs/gitops-writes')).toBe('');
  });
});
