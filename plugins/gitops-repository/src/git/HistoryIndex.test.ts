import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HistoryIndex } from './HistoryIndex';
import { runGit } from './runGit';
import { gitIn } from 'gitops-testkit';

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const FILES = [
  'apps/api/base/deployment.yaml',
  'apps/api/overlays/dev/kustomization.yaml',
  'apps/api/overlays/prod/kustomization.yaml',
  'apps/api-gateway/overlays/dev/kustomization.yaml',
  'apps/web/values.yaml',
  'apps/web/values-prod.yaml',
  'clusters/prod/apps.yaml',
  'README.md',
];
const PATHS = [
  ['apps/api/overlays/dev', 'apps/api/base'],
  ['apps/api'], // must not match apps/api-gateway
  ['apps/api/overlays/prod/kustomization.yaml'],
  ['apps/web/values.yaml', 'apps/web/values-prod.yaml'],
  ['apps/web/'],
  ['./clusters/prod/apps.yaml'],
  ['apps/missing'],
  ['apps/api-gateway/overlays'],
];

describe('HistoryIndex', () => {
  let root: string;
  let work: string;
  const git = (...args: string[]) => gitIn(work, ...args);
  const run = (dir: string, args: string[]) =>
    runGit({ args, cwd: dir, timeoutMs: 10_000 });
  /** What git itself answers. */
  const gitLog = (revision: string, paths: string[], limit: number) =>
    git('log', `--max-count=${limit}`, '--format=%H', revision, '--', ...paths)
      .split('\n')
      .filter(Boolean);

  const commitRandom = (next: () => number, count: number) => {
    for (let c = 0; c < count; c++) {
      const changes = 1 + Math.floor(next() * 3);
      for (let k = 0; k < changes; k++) {
        const file = FILES[Math.floor(next() * FILES.length)];
        fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        if (next() < 0.1 && fs.existsSync(path.join(work, file))) {
          fs.rmSync(path.join(work, file));
        } else {
          fs.writeFileSync(path.join(work, file), `${c}-${k}-${next()}\n`);
        }
      }
      git('add', '-A');
      git('commit', '--quiet', '--allow-empty', '-m', `change ${c}\n\nbody`);
    }
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'history-index-'));
    work = path.join(root, 'work');
    fs.mkdirSync(work);
    git('init', '--quiet', '--initial-branch=main');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it.each([1, 2, 3])(
    'answers exactly as git log on a linear history (seed %i), also after the head moves on',
    async seed => {
      const next = random(seed);
      commitRandom(next, 40);
      const index = new HistoryIndex(run);
      const check = async () => {
        const heads = git('rev-list', 'main').split('\n');
        for (const revision of [heads[0], heads[7], heads[heads.length - 1]]) {
          for (const paths of PATHS) {
            // git's first k commits are the first k of its whole answer: one git log each.
            const all = gitLog(revision, paths, 100);
            for (const limit of [1, 3, 100]) {
              const answer = await index.log(work, revision, paths, limit);
              expect({
                revision,
                paths,
                limit,
                shas: answer?.map(c => c.sha),
              }).toEqual({
                revision,
                paths,
                limit,
                shas: all.slice(0, limit),
              });
            }
          }
        }
      };
      await check();
      commitRandom(next, 5);
      await check();
      const [newest] = (await index.log(
        work,
        git('rev-parse', 'main'),
        ['.'],
        1,
      ))!;
      expect(newest).toEqual({
        sha: git('rev-parse', 'main'),
        parents: [git('rev-parse', 'main^')],
        author: { name: 'Test Author', email: 'test@example.com' },
        committedAt: new Date(git('log', '-1', '--format=%cI')).toISOString(),
        message: 'change 4\n\nbody',
      });
    },
    // 90 commits and 48 git logs: seconds when CI runs three suites at once.
    60_000,
  );

  it('reads only the new commits when the head moves on, and follows a branch off an older commit', async () => {
    commitRandom(random(7), 10);
    const calls: string[][] = [];
    const index = new HistoryIndex((dir, args) => {
      calls.push(args);
      return run(dir, args);
    });
    const first = git('rev-parse', 'main');
    await index.log(work, first, ['apps'], 100);
    commitRandom(random(8), 3);
    const second = git('rev-parse', 'main');
    expect(
      (
        await index.log(work, second, ['apps', 'README.md', 'clusters'], 100)
      )?.map(c => c.sha),
    ).toEqual(gitLog(second, ['apps', 'README.md', 'clusters'], 100));
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(expect.arrayContaining(['--not', first]));
    // Asked again at either head: no git at all.
    await index.log(work, first, ['apps'], 100);
    await index.log(work, second, ['apps'], 100);
    expect(calls).toHaveLength(2);
    git('checkout', '--quiet', '-b', 'side', 'main~5');
    commitRandom(random(9), 2);
    const side = git('rev-parse', 'side');
    expect(
      (await index.log(work, side, ['apps'], 100))?.map(c => c.sha),
    ).toEqual(gitLog(side, ['apps'], 100));
  }, 30_000);

  it('leaves a history with merge commits, glob paths and a short index to git', async () => {
    commitRandom(random(11), 6);
    const index = new HistoryIndex(run, { commits: 4 });
    const head = git('rev-parse', 'main');
    // Within the first 4 commits: exact; beyond them: undefined, never a short answer.
    const recent = gitLog(head, ['.'], 2);
    expect((await index.log(work, head, ['.'], 2))?.map(c => c.sha)).toEqual(
      recent,
    );
    expect(await index.log(work, head, ['apps/missing'], 1)).toBeUndefined();
    expect(await index.log(work, head, ['apps/*'], 1)).toBeUndefined();
    expect(await index.log(work, 'main', ['apps'], 1)).toBeUndefined();

    git('checkout', '--quiet', '-b', 'feature', 'main~2');
    commitRandom(random(12), 2);
    git('checkout', '--quiet', 'main');
    git('merge', '--quiet', '--no-ff', '--no-edit', 'feature', '-X', 'theirs');
    const merged = git('rev-parse', 'main');
    expect(
      await new HistoryIndex(run).log(work, merged, ['apps'], 10),
    ).toBeUndefined();
  }, 30_000);
});
