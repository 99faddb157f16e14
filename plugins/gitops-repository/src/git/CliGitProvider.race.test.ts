import { mockServices } from '@backstage/backend-test-utils';
import childProcess, { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitIn } from 'gitops-testkit';
import { CatFileBatch } from './CatFileBatch';
import { CliGitProvider } from './CliGitProvider';

jest.setTimeout(60_000);

const nextTurn = () => new Promise(resolve => setImmediate(resolve));

/**
 * Reads queued on a mirror's `git cat-file --batch` reader while a fetch replaces it (issue
 * 32: at 5,000 services the first overview answered 21 environments "git cat-file exited
 * with 0"), against a real repository.
 */
describe('CliGitProvider reads while a fetch replaces the reader', () => {
  let workDir: string;
  let origin: string;
  const contents = new Map<string, string>();
  const logger = mockServices.logger.mock();

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-cat-file-race-'));
    origin = path.join(workDir, 'origin');
    fs.mkdirSync(origin);
    gitIn(origin, 'init', '--quiet', '--initial-branch=main');
    // Overlay-sized: many answers fit in the pipe, so a reader closed with reads queued has
    // often written them all and exited before they are read (what the old reader failed on).
    for (let i = 0; i < 40; i++) {
      const text = `overlay ${i}\n${'x'.repeat(1500 + 10 * i)}\n`;
      fs.writeFileSync(path.join(origin, `overlay-${i}.yaml`), text);
      contents.set(`overlay-${i}.yaml`, text);
    }
    gitIn(origin, 'add', '-A');
    gitIn(origin, 'commit', '--quiet', '-m', 'overlays');
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  const repository = () => ({ url: origin, branch: 'main' });
  function provider(
    onFetch?: ConstructorParameters<typeof CliGitProvider>[0]['onFetch'],
  ) {
    return new CliGitProvider({
      cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')),
      // Only the test's fetches: the reader is replaced exactly when the test says.
      fetchIntervalSeconds: 300,
      timeoutMs: 20_000,
      logger,
      onFetch,
    });
  }

  it('answers every read queued on a reader that a fetch closes: thousands of reads, twenty fetches', async () => {
    const git = provider();
    await git.resolveBranch({ repository: repository() });
    const close = CatFileBatch.prototype.close;
    const queuedAtClose: number[] = [];
    const spy = jest
      .spyOn(CatFileBatch.prototype, 'close')
      .mockImplementation(function record(this: CatFileBatch) {
        queuedAtClose.push(this.pending);
        close.call(this);
      });
    const files = [...contents.keys()];
    const wrong: string[] = [];
    const failures: unknown[] = [];
    const reads: Promise<void>[] = [];
    const queued = { count: 0 };
    // Keeps about 200 reads queued, as a fleet view does, by revision name (not cached).
    const topUp = () => {
      while (queued.count < 200) {
        const file = files[reads.length % files.length];
        queued.count += 1;
        reads.push(
          git
            .readFile({
              repository: repository(),
              revision: 'main',
              path: file,
            })
            .then(
              text => {
                if (text !== contents.get(file)) wrong.push(file);
              },
              error => {
                failures.push(error);
              },
            )
            .finally(() => {
              queued.count -= 1;
            }),
        );
      }
    };
    try {
      for (let round = 0; round < 20; round++) {
        let fetched = false;
        const fetch = git.refresh(repository()).then(() => {
          fetched = true;
        });
        while (!fetched) {
          topUp();
          await nextTurn();
        }
        await fetch;
        // The first read after the fetch replaces the reader the others are queued on.
        topUp();
      }
      await Promise.all(reads);
    } finally {
      spy.mockRestore();
    }
    expect(failures.map(String)).toEqual([]);
    expect(wrong).toEqual([]);
    expect(reads.length).toBeGreaterThan(2000);
    // The race happened: readers were closed with reads still queued on them.
    expect(queuedAtClose.filter(count => count > 0).length).toBeGreaterThan(0);
  });

  it('fails the reads of a reader that dies for another reason, and reads again afterwards', async () => {
    const children: ChildProcess[] = [];
    const spawn = childProcess.spawn;
    const spy = jest.spyOn(childProcess, 'spawn').mockImplementation(((
      ...args: unknown[]
    ) => {
      const child = (spawn as (...a: unknown[]) => ChildProcess)(...args);
      children.push(child);
      return child;
    }) as typeof childProcess.spawn);
    try {
      const git = provider();
      const head = await git.resolveBranch({ repository: repository() });
      const files = [...contents.keys()];
      const reads = files.map(file =>
        git.readFile({ repository: repository(), revision: head, path: file }),
      );
      // The reads reach the reader within a few promise turns; no answer can arrive before
      // the event loop polls the pipe.
      for (let i = 0; i < 20 && children.length === 0; i++) {
        await Promise.resolve();
      }
      expect(children).toHaveLength(1);
      children[0].kill('SIGKILL');
      const outcomes = await Promise.allSettled(reads);
      // Not asked again elsewhere: the error reaches the caller.
      const seen = outcomes.map((outcome, i) => {
        if (outcome.status === 'rejected') return String(outcome.reason);
        return outcome.value === contents.get(files[i]) ? 'answered' : 'wrong';
      });
      const errors = seen.filter(answer => answer !== 'answered');
      expect(errors.length).toBeGreaterThan(0);
      expect(new Set(errors)).toEqual(
        new Set(['Error: git cat-file exited with SIGKILL']),
      );
      expect(
        await git.readFile({
          repository: repository(),
          revision: head,
          path: files[0],
        }),
      ).toBe(contents.get(files[0]));
      git.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('fetches at once on refresh whatever the interval; pushes arriving together share a fetch', async () => {
    const fetches: Array<{
      repository: string;
      durationMs: number;
      ok: boolean;
    }> = [];
    const git = provider(result => fetches.push(result));
    const before = await git.resolveBranch({ repository: repository() });
    expect(fetches).toEqual([
      { repository: origin, durationMs: expect.any(Number), ok: true },
    ]);
    fs.writeFileSync(path.join(origin, 'pushed.txt'), 'pushed\n');
    gitIn(origin, 'add', '-A');
    gitIn(origin, 'commit', '--quiet', '-m', 'pushed');
    const pushed = gitIn(origin, 'rev-parse', 'main');
    try {
      expect(await git.resolveBranch({ repository: repository() })).toBe(
        before,
      );
      fetches.length = 0;
      // The first starts a fetch; the others came after it started, so they wait for one
      // more, which they share.
      await Promise.all([1, 2, 3].map(() => git.refresh(repository())));
      expect(fetches).toHaveLength(2);
      expect(fetches.every(f => f.ok && f.durationMs >= 0)).toBe(true);
      expect(await git.resolveBranch({ repository: repository() })).toBe(
        pushed,
      );
      expect(
        await git.readFile({
          repository: repository(),
          revision: 'main',
          path: 'pushed.txt',
        }),
      ).toBe('pushed\n');
    } finally {
      gitIn(origin, 'reset', '--quiet', '--hard', before);
      git.close();
    }
  });

  it('reports a failed fetch to onFetch and still answers from the mirror', async () => {
    const fetches: boolean[] = [];
    const remote = path.join(workDir, 'moving.git');
    gitIn(workDir, 'clone', '--quiet', '--bare', origin, remote);
    const git = new CliGitProvider({
      cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')),
      fetchIntervalSeconds: 300,
      timeoutMs: 20_000,
      logger,
      onFetch: ({ ok }) => {
        fetches.push(ok);
        throw new Error('a broken metrics hook changes nothing');
      },
    });
    const moving = { url: remote, branch: 'main' };
    const head = await git.resolveBranch({ repository: moving });
    fs.renameSync(remote, `${remote}-away`);
    await git.refresh(moving);
    expect(fetches).toEqual([true, false]);
    expect(git.staleness(moving)).toBeDefined();
    expect(await git.resolveBranch({ repository: moving })).toBe(head);

    // The remote answers again. A write asks for a fetch newer than the failure: the one
    // running now counts, so it waits for one fetch, not for that one and another.
    fs.renameSync(`${remote}-away`, remote);
    const since = Date.now();
    fetches.length = 0;
    await Promise.all([git.refresh(moving), git.refresh(moving, { since })]);
    expect(fetches).toEqual([true]);
    expect(git.staleness(moving)).toBeUndefined();
  });
});
