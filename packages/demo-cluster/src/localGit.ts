import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a `git` run in the demo may take: the demo's repositories are small and local. */
const LIMITS = { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 };

/**
 * DEMO ONLY. What the demo needs of its repositories beyond the plugins' `GitProvider`, which
 * reads files and lists folders but not the files of a folder, and reads text, not bytes. The
 * demo follows local repositories (bare or not; `startDemoCluster` resolves their paths), so
 * it asks `git` in them directly.
 */
export class LocalGit {
  /**
   * The files (blobs) of a folder at a revision, full paths, sorted; with `recursive`, those
   * of its subfolders too. Empty when there is no such folder.
   */
  async listFiles(
    repository: string,
    revision: string,
    folder: string,
    recursive: boolean,
  ): Promise<string[]> {
    const dir = path.posix.normalize(folder).replace(/^(\.?\/)+|\/+$/g, '');
    const out = await this.git(repository, [
      'ls-tree',
      '-z',
      ...(recursive ? ['-r'] : []),
      revision,
      '--',
      dir && dir !== '.' ? `${dir}/` : '.',
    ]).catch(() => Buffer.from(''));
    return out
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map(line => {
        // `<mode> <type> <sha>\t<path>`
        const [meta, file] = line.split('\t');
        return meta.split(' ')[1] === 'blob' ? file : undefined;
      })
      .filter((f): f is string => Boolean(f))
      .sort();
  }

  /** The commit a branch points at, or `undefined` when there is no such branch. */
  async resolveBranch(
    repository: string,
    branch: string,
  ): Promise<string | undefined> {
    const out = await this.git(repository, [
      'rev-parse',
      '--verify',
      '--quiet',
      `refs/heads/${branch}^{commit}`,
    ]).catch(() => undefined);
    return out?.toString('utf8').trim() || undefined;
  }

  /** A file's bytes at a commit, or `undefined` when it is not a file there. */
  async readBlob(
    repository: string,
    revision: string,
    file: string,
  ): Promise<Buffer | undefined> {
    const object = `${revision}:${file}`;
    const type = await this.git(repository, ['cat-file', '-t', object]).catch(
      () => undefined,
    );
    if (type?.toString('utf8').trim() !== 'blob') return undefined;
    return this.git(repository, ['cat-file', 'blob', object]);
  }

  private async git(repository: string, args: string[]): Promise<Buffer> {
    const { stdout } = await run('git', args, {
      ...LIMITS,
      cwd: repository,
      encoding: 'buffer',
    });
    return stdout;
  }
}
