import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitSpawner, GitSpawnRequest } from './gitSpawner';
import { GitCommandError, runGit } from './runGit';

const base = { env: {}, timeoutMs: 10_000, maxBuffer: 64 * 1024 * 1024 };

describe('GitSpawner', () => {
  let dir: string;
  let spawner: GitSpawner;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'git-spawner-'));
    execFileSync('git', ['init', '--quiet', '--bare', dir]);
    spawner = new GitSpawner();
  });
  afterEach(() => {
    spawner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (request: Partial<GitSpawnRequest> & { args: string[] }) =>
    spawner.run({ ...base, cwd: dir, ...request });

  it('runs git in the helper, with standard input, and returns its output', async () => {
    const content = 'image: v1.2.3\n';
    const written = await run({
      args: ['hash-object', '-w', '--stdin'],
      input: content,
    });
    expect(written.error).toBeUndefined();
    const sha = written.stdout.toString('utf8').trim();
    expect(sha).toBe(
      execFileSync('git', ['hash-object', '--stdin'], { input: content })
        .toString('utf8')
        .trim(),
    );
    const read = await run({ args: ['cat-file', '-p', sha] });
    expect(read.stdout.toString('utf8')).toBe(content);
  });

  it('passes the extra environment to git', async () => {
    const tree = (await run({ args: ['write-tree'], env: {} })).stdout
      .toString('utf8')
      .trim();
    const commit = await run({
      args: ['commit-tree', tree, '-F', '-'],
      input: 'message\n',
      env: {
        GIT_AUTHOR_NAME: 'Ada Lovelace',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_COMMITTER_NAME: 'Ada Lovelace',
        GIT_COMMITTER_EMAIL: 'ada@example.com',
        GIT_INDEX_FILE: path.join(dir, 'private-index'),
      },
    });
    expect(commit.error).toBeUndefined();
    const log = await run({
      args: [
        'log',
        '-1',
        '--format=%an <%ae>',
        commit.stdout.toString().trim(),
      ],
    });
    expect(log.stdout.toString('utf8').trim()).toBe(
      'Ada Lovelace <ada@example.com>',
    );
  });

  it('answers many commands at once, each with its own output, large ones whole', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const shas = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        run({
          args: ['hash-object', '-w', '--stdin'],
          input: `${i === 7 ? big : ''}file ${i}\n`,
        }).then(r => r.stdout.toString('utf8').trim()),
      ),
    );
    expect(new Set(shas).size).toBe(20);
    const bigRead = await run({ args: ['cat-file', '-p', shas[7]] });
    expect(bigRead.stdout.length).toBe(big.length + 'file 7\n'.length);
    expect(bigRead.stdout.subarray(-7).toString()).toBe('file 7\n');
  });

  it('reports a failed command with its stderr, and one that ran too long as killed', async () => {
    const failed = await run({ args: ['cat-file', '-p', 'no-such-object'] });
    expect(failed.error?.killed).toBe(false);
    expect(failed.stderr.toString('utf8')).toMatch(/not a valid object name/i);
    // A command that does not end by itself (an alias running sleep) is killed at its time-out.
    const hanging = await spawner.run({
      ...base,
      cwd: dir,
      args: ['-c', 'alias.hang=!sleep 5', 'hang'],
      timeoutMs: 300,
    });
    expect(hanging.error?.killed).toBe(true);
  });

  it('stops a command whose caller went away and answers it as aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = spawner.run({
      ...base,
      cwd: dir,
      args: ['-c', 'alias.hang=!sleep 5', 'hang'],
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const result = await pending;
    expect(result.error?.message).toMatch(/aborted/);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('fails the commands waiting on a helper that died, and starts a new one', async () => {
    const pending = spawner.run({
      ...base,
      cwd: dir,
      args: ['-c', 'alias.hang=!sleep 5', 'hang'],
    });
    // The helper is the only child this spawner started.
    const helper = (spawner as any).helper;
    expect(helper?.pid).toBeGreaterThan(0);
    helper.kill('SIGKILL');
    const result = await pending;
    expect(result.error?.message).toMatch(/git helper exited/);
    const again = await run({ args: ['--version'] });
    expect(again.stdout.toString('utf8')).toMatch(/^git version/);
    expect((spawner as any).helper.pid).not.toBe(helper.pid);
  });
});

describe('runGit', () => {
  it('turns a failure into a GitCommandError with credentials removed', async () => {
    const error = await runGit({
      args: ['ls-remote', 'http://user:secret@127.0.0.1:9/nothing.git'],
      timeoutMs: 10_000,
    }).catch(e => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect(error.message).toMatch(/^git ls-remote failed: /);
    expect(error.message).not.toContain('secret');
  });
});
