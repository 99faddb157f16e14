import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createExampleGitRepo, gitIn } from 'gitops-testkit';
import { CliGitProvider } from './CliGitProvider';
import { isLocalRefRace } from './remoteAnswers';
import { GitCommandError, runGit } from './runGit';

// Every git command runs for real; a test makes some fetches fail first, as git fails them
// when a commit's `update-ref` moves the mirror's branch during the fetch (an interleaving
// only a burst of changes hits, see router.burst.test.ts).
jest.mock('./runGit', () => {
  const actual = jest.requireActual('./runGit');
  return { ...actual, runGit: jest.fn(actual.runGit) };
});
const realRunGit: typeof runGit = jest.requireActual('./runGit').runGit;

/** git's own words when `update-ref` moved the branch between a fetch's read and write. */
const REF_MOVED = [
  "error: cannot lock ref 'refs/heads/main': is at 36e89bc13b1857c90a845b1d94b075dacd5809ab but expected 5efe232d20b562913713950f72d04c0fdc8835d0",
  ' ! 5efe232..36e89bc  main       -> main  (unable to update local ref)',
].join('\n');
const NOT_A_REPOSITORY = [
  "fatal: '/tmp/gone.git' does not appear to be a git repository",
  'fatal: Could not read from remote repository.',
].join('\n');

describe('isLocalRefRace', () => {
  it.each([
    [REF_MOVED, true],
    [
      "error: cannot lock ref 'refs/heads/main': Unable to create '/m/refs/heads/main.lock': File exists.",
      true,
    ],
    [
      "fatal: Unable to create '/m/shallow.lock': File exists.", // another lock of the mirror
      true,
    ],
    [NOT_A_REPOSITORY, false],
    ['fatal: unable to access https://git.example/x.git/: timed out', false],
  ])('%s: %s', (stderr, race) => {
    expect(isLocalRefRace(stderr)).toBe(race);
  });
});

describe('CliGitProvider when a ref of the mirror moves under a fetch', () => {
  let workDir: string;
  let bare: string;
  let work: string;
  const logger = mockServices.logger.mock();
  const mockedRunGit = runGit as jest.MockedFunction<typeof runGit>;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-fetch-race-'));
    const origin = createExampleGitRepo(path.join(workDir, 'origin'));
    bare = path.join(workDir, 'remote.git');
    gitIn(workDir, 'clone', '--quiet', '--bare', origin, bare);
    work = path.join(workDir, 'work');
    gitIn(workDir, 'clone', '--quiet', bare, work);
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));
  afterEach(() => mockedRunGit.mockImplementation(realRunGit));

  /** A new commit on the remote's main, as another writer pushes it. */
  function pushToRemote(message: string): string {
    gitIn(work, 'commit', '--quiet', '--allow-empty', '-m', message);
    gitIn(work, 'push', '--quiet', 'origin', 'HEAD:main');
    return gitIn(work, 'rev-parse', 'HEAD');
  }

  /** The next `failures` fetches fail with `stderr` before running; the rest run. */
  function failFetches(failures: number, stderr: string) {
    let left = failures;
    const attempts = { fetches: 0 };
    mockedRunGit.mockImplementation(options => {
      if (options.args[0] !== 'fetch') return realRunGit(options);
      attempts.fetches += 1;
      if (left-- > 0) {
        return Promise.reject(
          new GitCommandError(
            `git fetch failed: ${stderr.split('\n')[0]}`,
            stderr,
          ),
        );
      }
      return realRunGit(options);
    });
    return attempts;
  }

  async function mirrored() {
    const git = new CliGitProvider({
      cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')),
      fetchIntervalSeconds: 0,
      timeoutMs: 10_000,
      logger,
    });
    const repository = { url: bare, branch: 'main' };
    const before = await git.resolveBranch({ repository });
    return { git, repository, before };
  }

  it('fetches again and answers the new head: the remote answered, no outage', async () => {
    const { git, repository } = await mirrored();
    const pushed = pushToRemote('pushed by another writer');
    const attempts = failFetches(1, REF_MOVED);
    expect(await git.resolveBranch({ repository })).toBe(pushed);
    expect(attempts.fetches).toBe(2);
    expect(git.staleness(repository)).toBeUndefined();
  });

  it('gives up after three more fetches: then it is an outage, as any failed fetch', async () => {
    const { git, repository, before } = await mirrored();
    pushToRemote('not fetched');
    const attempts = failFetches(10, REF_MOVED);
    expect(await git.resolveBranch({ repository })).toBe(before);
    expect(attempts.fetches).toBe(4);
    expect(git.staleness(repository)).toMatchObject({
      lastError: expect.stringContaining('cannot lock ref'),
    });
  });

  it('answers a pushed commit as made when a fetch holds the branch it moves after the push', async () => {
    const { git, repository, before } = await mirrored();
    const locked =
      "fatal: update_ref failed for ref 'refs/heads/main': cannot lock ref 'refs/heads/main': Unable to create '/m/refs/heads/main.lock': File exists.";
    mockedRunGit.mockImplementation(options =>
      options.args[0] === 'update-ref'
        ? Promise.reject(new GitCommandError('git update-ref failed', locked))
        : realRunGit(options),
    );
    const sha = await git.commit({
      repository,
      baseRevision: before,
      files: [{ path: 'NOTES.md', content: 'pushed while a fetch ran\n' }],
      message: 'a change',
      author: { name: 'A', email: 'a@example.com' },
    });
    expect(gitIn(bare, 'rev-parse', 'main')).toBe(sha);
    // The next read fetches: the mirror follows the remote.
    expect(await git.resolveBranch({ repository })).toBe(sha);
  });

  it('does not fetch again when the remote did not answer', async () => {
    const { git, repository, before } = await mirrored();
    const attempts = failFetches(1, NOT_A_REPOSITORY);
    expect(await git.resolveBranch({ repository })).toBe(before);
    expect(attempts.fetches).toBe(1);
    expect(git.staleness(repository)?.lastError).toContain(
      'does not appear to be a git repository',
    );
  });
});
