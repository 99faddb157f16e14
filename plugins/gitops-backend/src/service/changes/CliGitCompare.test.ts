import { mockServices } from '@backstage/backend-test-utils';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CliGitCompare } from './CliGitCompare';

/** A source repository with merged branches, served from a bare repository by `file://`. */
class SourceRepository {
  readonly work: string;
  readonly bare: string;

  constructor(readonly root: string) {
    this.work = path.join(root, 'work');
    this.bare = path.join(root, 'guestbook.git');
    fs.mkdirSync(this.work);
    this.git('init', '--quiet', '--initial-branch=main');
  }

  get url() {
    return `file://${this.bare}`;
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.work,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_EMAIL: 'dev@example.com',
        GIT_COMMITTER_NAME: 'CI',
        GIT_COMMITTER_EMAIL: 'ci@example.com',
        GIT_AUTHOR_NAME: this.author,
      },
    }).trim();
  }

  author = 'Ann';

  commit(message: string, author = 'Ann'): string {
    this.author = author;
    fs.writeFileSync(path.join(this.work, 'log.txt'), `${message}\n`, {
      flag: 'a',
    });
    this.git('add', 'log.txt');
    this.git('commit', '--quiet', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  /** A branch of `messages` merged back with a GitHub-style merge commit. */
  mergeBranch(
    branch: string,
    number: number,
    title: string,
    messages: string[],
    author: string,
  ) {
    this.git('checkout', '--quiet', '-b', branch);
    for (const message of messages) this.commit(message, author);
    this.git('checkout', '--quiet', 'main');
    this.author = author;
    this.git(
      'merge',
      '--quiet',
      '--no-ff',
      '-m',
      `Merge pull request #${number} from acme/${branch}\n\n${title}`,
      branch,
    );
    return this.git('rev-parse', 'HEAD');
  }

  publish() {
    if (!fs.existsSync(this.bare)) {
      execFileSync('git', ['clone', '--quiet', '--bare', this.work, this.bare]);
    } else {
      this.git('push', '--quiet', this.bare, 'main');
    }
  }
}

describe('CliGitCompare', () => {
  let root: string;
  let source: SourceRepository;
  let v1: string;
  let v2: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-changes-'));
    source = new SourceRepository(root);
    source.commit('Initial app');
    v1 = source.commit('Release 1');
    source.mergeBranch(
      'feature-a',
      12,
      'Add feature A',
      ['A part 1', 'A part 2'],
      'Bob',
    );
    source.commit('Fix the cart total (#13)', 'Cleo');
    source.mergeBranch('feature-b', 14, 'Add feature B', ['B'], 'Ann');
    v2 = source.commit('Bump version', 'Ann');
    source.publish();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  function compare(cacheName = 'cache', timeoutMs = 10_000) {
    return new CliGitCompare({
      cacheDir: path.join(root, cacheName),
      timeoutMs,
      logger: mockServices.logger.mock(),
    });
  }

  it('lists the commits between two versions, newest first, merges included', async () => {
    const result = await compare().compare(source.url, {
      from: v1,
      to: v2,
      maxCommits: 100,
    });
    expect(result.commits.map(c => c.message.split('\n')[0])).toEqual([
      'Bump version',
      'Merge pull request #14 from acme/feature-b',
      'B',
      'Fix the cart total (#13)',
      'Merge pull request #12 from acme/feature-a',
      'A part 2',
      'A part 1',
    ]);
    expect(result).toEqual(
      expect.objectContaining({
        total: 7,
        removed: 0,
        truncated: false,
        missing: [],
      }),
    );
    expect(result.commits[0]).toEqual({
      sha: v2,
      parents: [expect.stringMatching(/^[0-9a-f]{40}$/)],
      author: 'Ann',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      message: 'Bump version',
    });
    expect(result.commits[1].parents).toHaveLength(2);
    expect(result.commits[1].message).toContain('\n\nAdd feature B');
  });

  it('keeps a bare, blob-less mirror', async () => {
    await compare('mirror').compare(source.url, {
      from: v1,
      to: v2,
      maxCommits: 10,
    });
    const [mirror] = fs
      .readdirSync(path.join(root, 'mirror'))
      .map(name => path.join(root, 'mirror', name));
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: mirror, encoding: 'utf8' }).trim();
    expect(git('rev-parse', '--is-bare-repository')).toBe('true');
    expect(git('config', 'remote.origin.partialclonefilter')).toBe('blob:none');
  });

  it('caps the list at maxCommits and says it is truncated', async () => {
    const result = await compare().compare(source.url, {
      from: v1,
      to: v2,
      maxCommits: 2,
    });
    expect(result.commits.map(c => c.sha)[0]).toBe(v2);
    expect(result.commits).toHaveLength(2);
    expect(result).toEqual(
      expect.objectContaining({ total: 7, truncated: true }),
    );
  });

  it('counts what a rollback removes', async () => {
    const result = await compare().compare(source.url, {
      from: v2,
      to: v1,
      maxCommits: 10,
    });
    expect(result).toEqual(
      expect.objectContaining({
        commits: [],
        total: 0,
        removed: 7,
        missing: [],
      }),
    );
  });

  it('fetches when a revision is missing from the mirror, and names what is still missing', async () => {
    const cli = compare('fetching');
    await cli.compare(source.url, { from: v1, to: v2, maxCommits: 10 });
    const v3 = source.commit('Newer work (#15)', 'Dan');
    source.publish();
    const result = await cli.compare(source.url, {
      from: v2,
      to: v3,
      maxCommits: 10,
    });
    expect(result.commits.map(c => c.sha)).toEqual([v3]);
    const unknown = 'f'.repeat(40);
    expect(
      await cli.compare(source.url, { from: v2, to: unknown, maxCommits: 10 }),
    ).toEqual(expect.objectContaining({ commits: [], missing: ['to'] }));
  });

  it('refuses revisions that are not commit shas', async () => {
    await expect(
      compare().compare(source.url, {
        from: '--output=/tmp/x',
        to: v2,
        maxCommits: 1,
      }),
    ).rejects.toThrow('"--output=/tmp/x" is not a commit sha');
  });

  it('fails with 502 for a repository that does not exist, naming no credentials', async () => {
    const error = await compare()
      .compare(`file://${root}/nope.git`, { from: v1, to: v2, maxCommits: 1 })
      .catch(e => e);
    expect(error).toMatchObject({ statusCode: 502 });
    expect(error.message).toMatch(/^git clone failed:/);
  });

  it('gives up on a Git host that does not answer, with 504', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer(socket => sockets.push(socket));
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const error = await compare('silent', 500)
        .compare(`http://127.0.0.1:${port}/acme/guestbook`, {
          from: v1,
          to: v2,
          maxCommits: 1,
        })
        .catch(e => e);
      expect(error).toMatchObject({ statusCode: 504 });
      expect(error.message).toBe('git clone failed: timed out after 500 ms');
    } finally {
      sockets.forEach(s => s.destroy());
      silent.close();
    }
  });
});
