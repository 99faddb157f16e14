import childProcess, { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitIn } from 'gitops-testkit';
import { CatFileBatch, CatFileBatchClosedError } from './CatFileBatch';

/** The `git cat-file --batch` processes started while `run` runs. */
async function withReaders<T>(
  run: (children: ChildProcess[]) => Promise<T>,
): Promise<T> {
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
    return await run(children);
  } finally {
    spy.mockRestore();
  }
}

describe('CatFileBatch', () => {
  let workDir: string;
  let repo: string;
  const contents = new Map<string, string>();

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-cat-file-'));
    repo = path.join(workDir, 'repo');
    fs.mkdirSync(repo);
    gitIn(repo, 'init', '--quiet', '--initial-branch=main');
    // Big enough that hundreds of answers take many pipe reads to arrive.
    for (let i = 0; i < 40; i++) {
      const text = `file ${i}\n${'x'.repeat(8000 + i)}\n`;
      fs.writeFileSync(path.join(repo, `file-${i}.txt`), text);
      contents.set(`file-${i}.txt`, text);
    }
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '--quiet', '-m', 'files');
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  const files = () => [...contents.keys()];
  const askMany = (batch: CatFileBatch, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const file = files()[i % files().length];
      return batch
        .read(`main:${file}`)
        .then(object => [file, object?.content.toString('utf8')] as const);
    });

  it('answers every read asked before it was closed, and takes none after', async () => {
    const batch = new CatFileBatch(repo);
    const reads = askMany(batch, 400);
    batch.close();
    const answers = await Promise.all(reads);
    for (const [file, text] of answers) expect(text).toBe(contents.get(file));
    await expect(batch.read('main:file-1.txt')).rejects.toBeInstanceOf(
      CatFileBatchClosedError,
    );
  });

  it('leaves the reads a closed reader ended without answering to be asked again', async () => {
    await withReaders(async children => {
      const batch = new CatFileBatch(repo);
      const reads = askMany(batch, 400);
      batch.close();
      // Ended before it could answer (as if it were killed while closing).
      children[0].kill('SIGKILL');
      const outcomes = await Promise.allSettled(reads);
      const failed = outcomes.filter(o => o.status === 'rejected');
      expect(failed.length).toBeGreaterThan(0);
      for (const outcome of failed) {
        expect(outcome.reason).toBeInstanceOf(CatFileBatchClosedError);
      }
    });
  });

  it('fails the reads of a reader that dies without being closed, and starts a new one for the next read', async () => {
    await withReaders(async children => {
      const batch = new CatFileBatch(repo);
      const reads = askMany(batch, 300);
      children[0].kill('SIGKILL');
      const outcomes = await Promise.allSettled(reads);
      const failed = outcomes.filter(o => o.status === 'rejected');
      expect(failed.length).toBeGreaterThan(0);
      for (const outcome of failed) {
        expect(outcome.reason).not.toBeInstanceOf(CatFileBatchClosedError);
        expect(String(outcome.reason)).toContain(
          'git cat-file exited with SIGKILL',
        );
      }
      const again = await batch.read('main:file-3.txt');
      expect(again?.content.toString('utf8')).toBe(contents.get('file-3.txt'));
      expect(children).toHaveLength(2);
      batch.close();
    });
  });

  it("fails with git's message in a folder that is not a repository", async () => {
    const empty = fs.mkdtempSync(path.join(workDir, 'empty-'));
    const batch = new CatFileBatch(empty);
    await expect(batch.read('main:file-1.txt')).rejects.toThrow(
      /git cat-file exited with 128: fatal: not a git repository/,
    );
  });
});
