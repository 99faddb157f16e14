import { mockServices } from '@backstage/backend-test-utils';
import { ServiceUnavailableError } from '@backstage/errors';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createExampleGitRepo, gitIn } from 'gitops-testkit';
import { CliGitProvider } from './CliGitProvider';
import { describeStaleness } from './FetchOutages';

/** A remote that goes away (moved, hanging) after the mirror was fetched once. */
describe('CliGitProvider when the remote does not answer', () => {
  let workDir: string;
  let bare: string;
  const logger = mockServices.logger.mock();

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-cli-outage-'));
    const origin = createExampleGitRepo(path.join(workDir, 'origin'));
    bare = path.join(workDir, 'remote.git');
    gitIn(workDir, 'clone', '--quiet', '--bare', origin, bare);
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  function provider(timeoutMs = 10_000) {
    return new CliGitProvider({
      cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')),
      fetchIntervalSeconds: 0,
      timeoutMs,
      logger,
    });
  }

  /** Reads until the background retry has landed, as a poller would. */
  async function untilCurrent(git: CliGitProvider, url: string) {
    const repository = { url, branch: 'main' };
    for (let i = 0; i < 100 && git.staleness(repository); i++) {
      await git.resolveBranch({ repository });
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    return git.resolveBranch({ repository });
  }

  it('answers the last fetched revision while the remote is moved away, and recovers', async () => {
    const git = provider();
    const repository = { url: bare, branch: 'main' };
    const before = await git.resolveBranch({ repository });
    expect(git.staleness(repository)).toBeUndefined();

    const away = `${bare}-away`;
    fs.renameSync(bare, away);
    try {
      const started = Date.now();
      expect(await git.resolveBranch({ repository })).toBe(before);
      const firstMs = Date.now() - started;
      const staleness = git.staleness(repository)!;
      expect(staleness).toMatchObject({
        repository: bare,
        lastError: expect.stringMatching(/git fetch failed/),
        revision: before,
      });
      expect(describeStaleness(staleness)).toMatch(
        new RegExp(
          `^repository remote: no answer since \\d\\d:\\d\\d:\\d\\d UTC; showing revision ${before.slice(
            0,
            7,
          )}$`,
        ),
      );
      // Files at the shown revision still read from the mirror.
      expect(
        await git.readFile({
          repository,
          revision: before,
          path: 'apps/guestbook/overlays/dev/kustomization.yaml',
        }),
      ).toContain('kind: Kustomization');
      const again = Date.now();
      expect(await git.resolveBranch({ repository })).toBe(before);
      const laterMs = Date.now() - again;
      expect(git.staleness(repository)!.since).toBe(staleness.since);
      expect(git.staleRepositories()).toHaveLength(1);

      // A write cannot land: 503, and the remote's branch is as it was.
      const error = await git
        .commit({
          repository,
          baseRevision: before,
          files: [{ path: 'README.md', content: 'during the outage\n' }],
          message: 'never lands',
          author: { name: 'test', email: 'test@example.com' },
        })
        .catch(e => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toContain(`Cannot write to ${bare}`);
      expect(gitIn(away, 'rev-parse', 'main')).toBe(before);
      // eslint-disable-next-line no-console
      console.log(
        `moved remote: first read ${firstMs} ms, later reads ${laterMs} ms`,
      );
      expect(laterMs).toBeLessThan(1000);
    } finally {
      fs.renameSync(away, bare);
    }

    // Back, with a commit made meanwhile: current again without a restart.
    const work = path.join(workDir, 'work');
    gitIn(workDir, 'clone', '--quiet', bare, work);
    fs.writeFileSync(path.join(work, 'README.md'), 'after the outage\n');
    gitIn(work, 'commit', '--quiet', '-am', 'after the outage');
    gitIn(work, 'push', '--quiet', 'origin', 'main');
    const after = await untilCurrent(git, bare);
    expect(after).toBe(gitIn(bare, 'rev-parse', 'main'));
    expect(after).not.toBe(before);
    expect(git.staleness(repository)).toBeUndefined();
    expect(git.staleRepositories()).toEqual([]);
  });

  it('answers from the mirror within the time-out when the remote hangs', async () => {
    const sockets = new Set<Socket>();
    const server = http.createServer(() => {}); // accepts, never answers
    server.on('connection', socket => sockets.add(socket));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const cacheDir = fs.mkdtempSync(path.join(workDir, 'cache-'));
    const git = new CliGitProvider({
      cacheDir,
      fetchIntervalSeconds: 0,
      timeoutMs: 1000,
      logger,
    });
    const repository = { url: bare, branch: 'main' };
    try {
      const before = await git.resolveBranch({ repository });
      // The mirror's remote now points at the hanging server.
      const [mirror] = fs.readdirSync(cacheDir);
      gitIn(
        path.join(cacheDir, mirror),
        'remote',
        'set-url',
        'origin',
        `http://127.0.0.1:${port}/repo.git`,
      );
      const started = Date.now();
      expect(await git.resolveBranch({ repository })).toBe(before);
      const firstMs = Date.now() - started;
      expect(git.staleness(repository)).toMatchObject({
        lastError: expect.stringMatching(/timed out after 1000 ms/),
        revision: before,
      });
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const again = Date.now();
        expect(await git.resolveBranch({ repository })).toBe(before);
        times.push(Date.now() - again);
      }
      // eslint-disable-next-line no-console
      console.log(
        `hanging remote: first read ${firstMs} ms (time-out 1000 ms), later reads ${times.join(
          ', ',
        )} ms`,
      );
      expect(firstMs).toBeLessThan(3000);
      expect(Math.max(...times)).toBeLessThan(500);
    } finally {
      sockets.forEach(socket => socket.destroy());
      server.close();
      git.close();
    }
  });
});
