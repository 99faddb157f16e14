import { mockServices } from '@backstage/backend-test-utils';
import { GitConflictError } from '@gitops-backstage/plugin-gitops-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { createExampleGitRepo, gitIn } from 'gitops-testkit';
import { KeyedMutex } from '../promotion/KeyedMutex';
import { planChange } from '@gitops-backstage/plugin-gitops-repository';
import {
  CliGitProvider,
  pushUrl,
} from '@gitops-backstage/plugin-gitops-repository';

/** Commits through the git provider to a real bare remote. */
describe('CliGitProvider.commit', () => {
  let workDir: string;
  let remote: string;
  const author = { name: 'Alice Platform', email: 'alice@example.com' };

  beforeEach(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-commit-'));
    const example = createExampleGitRepo(path.join(workDir, 'example'));
    remote = path.join(workDir, 'remote.git');
    gitIn(workDir, 'clone', '--quiet', '--bare', example, remote);
  });
  afterEach(() => fs.rmSync(workDir, { recursive: true, force: true }));

  function provider() {
    return new CliGitProvider({
      cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')),
      fetchIntervalSeconds: 0,
      timeoutMs: 20_000,
      logger: mockServices.logger.mock(),
    });
  }

  it('pushes one commit with the planned change, the author and the message', async () => {
    const git = provider();
    const repository = { url: remote, branch: 'main' };
    const base = await git.resolveBranch({ repository });
    const plan = await planChange(
      {
        layout: 'kustomize',
        path: 'apps/guestbook/overlays/staging',
        image: 'ghcr.io/acme/guestbook',
        workload: 'guestbook',
      },
      { kind: 'version', tag: 'v1.0.5', digest: null },
      file => git.readFile({ repository, revision: base, path: file }),
    );
    const sha = await git.commit({
      repository,
      baseRevision: base,
      files: plan.files.map(f => ({ path: f.path, content: f.after })),
      message: 'promote(staging): guestbook v1.0.4 → v1.0.5 (from dev)',
      author,
    });
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(sha);
    expect(gitIn(remote, 'log', '-1', '--format=%an <%ae>|%s', 'main')).toBe(
      'Alice Platform <alice@example.com>|promote(staging): guestbook v1.0.4 → v1.0.5 (from dev)',
    );
    expect(gitIn(remote, 'rev-parse', 'main^')).toBe(base);
    // The commit's diff is exactly the plan's.
    const diff = gitIn(remote, 'diff', `${base}..${sha}`);
    expect(diff.split('\n').filter(l => /^[-+](?![-+]{2} )/.test(l))).toEqual([
      '-    newTag: v1.0.4 # updated by CI on promotion',
      '+    newTag: v1.0.5 # updated by CI on promotion',
    ]);
    // The provider reads its own commit right away.
    expect(await git.resolveBranch({ repository })).toBe(sha);
  });

  it('pushes to a remote given as a path relative to the working directory', async () => {
    const git = provider();
    const repository = {
      url: path.relative(process.cwd(), remote),
      branch: 'main',
    };
    const base = await git.resolveBranch({ repository });
    const sha = await git.commit({
      repository,
      baseRevision: base,
      files: [{ path: 'a.txt', content: 'a\n' }],
      message: 'a',
      author,
    });
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(sha);
  });

  it('keeps one mirror per resolved remote: the same relative path from another working directory is another repository', async () => {
    const cacheDir = fs.mkdtempSync(path.join(workDir, 'shared-cache-'));
    const make = () =>
      new CliGitProvider({
        cacheDir,
        fetchIntervalSeconds: 0,
        timeoutMs: 20_000,
        logger: mockServices.logger.mock(),
      });
    const other = path.join(workDir, 'elsewhere');
    fs.mkdirSync(path.join(other, 'sub'), { recursive: true });
    gitIn(
      workDir,
      'clone',
      '--quiet',
      '--bare',
      remote,
      path.join(other, 'remote.git'),
    );
    const extra = path.join(workDir, 'extra');
    gitIn(workDir, 'clone', '--quiet', path.join(other, 'remote.git'), extra);
    fs.writeFileSync(path.join(extra, 'only-here.txt'), 'x\n');
    gitIn(extra, 'add', 'only-here.txt');
    gitIn(extra, 'commit', '--quiet', '-m', 'only in the other repository');
    gitIn(extra, 'push', '--quiet', 'origin', 'main');

    const cwd = process.cwd();
    const heads: string[] = [];
    try {
      for (const dir of [workDir, other]) {
        process.chdir(dir);
        heads.push(
          await make().resolveBranch({
            repository: { url: './remote.git', branch: 'main' },
          }),
        );
      }
    } finally {
      process.chdir(cwd);
    }
    expect(heads).toEqual([
      gitIn(remote, 'rev-parse', 'main'),
      gitIn(path.join(other, 'remote.git'), 'rev-parse', 'main'),
    ]);
    expect(heads[0]).not.toBe(heads[1]);
  });

  it.each([
    [
      'https://github.com/acme/gitops.git',
      'https://github.com/acme/gitops.git',
    ],
    ['ssh://git@host/acme/gitops.git', 'ssh://git@host/acme/gitops.git'],
    ['git@github.com:acme/gitops.git', 'git@github.com:acme/gitops.git'],
    ['file:///srv/git/gitops', 'file:///srv/git/gitops'],
    ['/srv/git/gitops', '/srv/git/gitops'],
    ['../data/gitops', path.resolve('../data/gitops')],
  ])('pushes %s to %s', (url, expected) => {
    expect(pushUrl(url)).toBe(expected);
  });

  it('reports a push the remote refuses (a checked-out branch) as an error, not a conflict to retry', async () => {
    const git = provider();
    const repository = { url: path.join(workDir, 'example'), branch: 'main' };
    const base = await git.resolveBranch({ repository });
    const error = await git
      .commit({
        repository,
        baseRevision: base,
        files: [{ path: 'a.txt', content: 'a\n' }],
        message: 'a',
        author,
      })
      .catch(e => e);
    expect(error).not.toBeInstanceOf(GitConflictError);
    expect(error.message).toMatch(/remote rejected.*checked out/);
    expect(gitIn(repository.url, 'rev-parse', 'main')).toBe(base);
  });

  it('refuses to overwrite a branch that moved, leaving the remote unchanged', async () => {
    const git = provider();
    const repository = { url: remote, branch: 'main' };
    const base = await git.resolveBranch({ repository });
    const first = await git.commit({
      repository,
      baseRevision: base,
      files: [{ path: 'a.txt', content: 'a\n' }],
      message: 'a',
      author,
    });
    await expect(
      git.commit({
        repository,
        baseRevision: base,
        files: [{ path: 'b.txt', content: 'b\n' }],
        message: 'b',
        author,
      }),
    ).rejects.toThrow(GitConflictError);
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(first);
  });

  it('pull-request mode: creates a new branch and leaves the main branch alone; never overwrites an existing one', async () => {
    const git = provider();
    const repository = { url: remote, branch: 'main' };
    const base = await git.resolveBranch({ repository });
    const change = {
      repository,
      baseRevision: base,
      files: [{ path: 'a.txt', content: 'a\n' }],
      message: 'a',
      author,
      newBranch: 'gitops/guestbook/prod/abc123',
    };
    const sha = await git.commit(change);
    expect(gitIn(remote, 'rev-parse', 'gitops/guestbook/prod/abc123')).toBe(
      sha,
    );
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(base);
    await expect(
      git.commit({ ...change, files: [{ path: 'b.txt', content: 'b\n' }] }),
    ).rejects.toThrow('Branch gitops/guestbook/prod/abc123 already exists');
    expect(gitIn(remote, 'rev-parse', 'gitops/guestbook/prod/abc123')).toBe(
      sha,
    );
  });

  it('lands 20 concurrent changes from 4 backend instances: none lost, history linear, every file valid', async () => {
    const repository = { url: remote, branch: 'main' };
    const start = gitIn(remote, 'rev-parse', 'main');
    // Four backend replicas (each its own mirror), five requests each.
    const replicas = Array.from({ length: 4 }, () => provider());
    const locks = replicas.map(() => new KeyedMutex());
    const writers = Array.from({ length: 20 }, (_, i) => replicas[i % 4]);
    const services = [
      'apps/guestbook/overlays/dev',
      'sample-app/apps/overlays/dev',
    ];
    const attempts: number[] = [];
    await Promise.all(
      writers.map((git, i) =>
        // Within a replica commits queue; across replicas the push race is settled by retrying.
        locks[i % 4].run(remote, async () => {
          // The re-plan loop a promotion runs: read the fresh head, plan on it, commit, retry on conflict.
          for (let attempt = 1; ; attempt++) {
            const base = await git.resolveBranch({ repository });
            const overlay = services[i % 2];
            const plan = await planChange(
              {
                layout: 'kustomize',
                path: overlay,
                image: overlay.startsWith('apps')
                  ? 'ghcr.io/acme/guestbook'
                  : 'ghcr.io/acme/sample-app',
                workload: null,
              },
              { kind: 'version', tag: `v2.0.${i}`, digest: null },
              file => git.readFile({ repository, revision: base, path: file }),
            );
            try {
              await git.commit({
                repository,
                baseRevision: base,
                files: plan.files.map(f => ({
                  path: f.path,
                  content: f.after,
                })),
                message: `writer ${i}`,
                author,
              });
              attempts.push(attempt);
              return;
            } catch (error) {
              if (!(error instanceof GitConflictError) || attempt > 60)
                throw error;
              await new Promise(resolve =>
                setTimeout(resolve, Math.random() * 50 * Math.min(attempt, 5)),
              );
            }
          }
        }),
      ),
    );
    expect(gitIn(remote, 'rev-list', '--count', `${start}..main`)).toBe('20');
    expect(gitIn(remote, 'rev-list', '--merges', '--count', 'main')).toBe('0');
    const messages = gitIn(remote, 'log', '--format=%s', `${start}..main`)
      .split('\n')
      .sort();
    expect(messages).toEqual(
      Array.from({ length: 20 }, (_, i) => `writer ${i}`).sort(),
    );
    expect(Math.max(...attempts)).toBeGreaterThan(1); // races happened and were retried
    for (const overlay of services) {
      const text = gitIn(remote, 'show', `main:${overlay}/kustomization.yaml`);
      expect(parseDocument(text).errors).toEqual([]);
    }
  }, 120_000);

  it('refuses a path outside the repository', async () => {
    const git = provider();
    const repository = { url: remote, branch: 'main' };
    const base = await git.resolveBranch({ repository });
    const head = gitIn(remote, 'rev-parse', 'main');
    await expect(
      git.commit({
        repository,
        baseRevision: base,
        files: [{ path: '../escape.txt', content: 'x' }],
        message: 'x',
        author,
      }),
    ).rejects.toThrow(
      'Refusing to write outside the repository: ../escape.txt',
    );
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(head);
  });
});
