import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createExampleGitRepo, gitIn } from 'gitops-testkit';
import { CliGitProvider } from './CliGitProvider';

describe('CliGitProvider', () => {
  let workDir: string;
  let origin: string;
  const logger = mockServices.logger.mock();

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-cli-provider-'));
    origin = createExampleGitRepo(path.join(workDir, 'origin'));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  function provider(fetchIntervalSeconds = 0, timeoutMs = 10_000) {
    return new CliGitProvider({
      cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')),
      fetchIntervalSeconds,
      timeoutMs,
      logger,
    });
  }
  const repository = () => ({ url: origin, branch: 'main' });

  it('clones a local repository and resolves its branch to the head sha', async () => {
    const sha = await provider().resolveBranch({ repository: repository() });
    expect(sha).toBe(gitIn(origin, 'rev-parse', 'main'));
  });

  it('reads files at old and new revisions', async () => {
    const git = provider();
    const head = await git.resolveBranch({ repository: repository() });
    const first = gitIn(origin, 'rev-list', '--max-parents=0', 'main');
    const file = 'apps/guestbook/overlays/dev/kustomization.yaml';
    expect(
      await git.readFile({
        repository: repository(),
        revision: head,
        path: file,
      }),
    ).toContain('newTag: v1.0.5');
    expect(
      await git.readFile({
        repository: repository(),
        revision: first,
        path: file,
      }),
    ).toContain('newTag: v1.0.3');
  });

  it('reads many files concurrently through one reader, in order', async () => {
    const git = provider();
    const head = await git.resolveBranch({ repository: repository() });
    const files = [
      'apps/guestbook/overlays/dev/kustomization.yaml',
      'apps/nope.yaml',
      'apps/demo-flask-app/values.yaml',
      'apps/guestbook',
      'sample-app/apps/base/deployment.yaml',
    ];
    const texts = await Promise.all(
      [...files, ...files].map(file =>
        git.readFile({ repository: repository(), revision: head, path: file }),
      ),
    );
    const expected = files.map(file =>
      fs.existsSync(path.join(origin, file)) &&
      fs.statSync(path.join(origin, file)).isFile()
        ? fs.readFileSync(path.join(origin, file), 'utf8')
        : undefined,
    );
    expect(texts).toEqual([...expected, ...expected]);
    git.close();
  });

  it('answers undefined for a missing path and for a folder', async () => {
    const git = provider();
    const head = await git.resolveBranch({ repository: repository() });
    expect(
      await git.readFile({
        repository: repository(),
        revision: head,
        path: 'apps/nope.yaml',
      }),
    ).toBeUndefined();
    expect(
      await git.readFile({
        repository: repository(),
        revision: head,
        path: 'apps/guestbook',
      }),
    ).toBeUndefined();
  });

  it('logs the commits of a path, newest first, with author, time and parents', async () => {
    const git = provider();
    const head = await git.resolveBranch({ repository: repository() });
    const commits = await git.log({
      repository: repository(),
      revision: head,
      paths: ['apps/guestbook/overlays/dev'],
      limit: 10,
    });
    expect(commits.map(c => c.message)).toEqual([
      'ci: deploy guestbook v1.0.5 to dev',
      'ci: deploy guestbook v1.0.4 to dev',
      'Bootstrap GitOps repository: guestbook, demo-flask-app, sample-app',
    ]);
    expect(commits[0]).toMatchObject({
      author: { name: 'ci-bot', email: 'ci.bot@example.com' },
      committedAt: expect.stringMatching(/^2026-11-\d\dT\d\d:00:00.000Z$/),
      parents: [gitIn(origin, 'rev-parse', `${commits[0].sha}^`)],
    });
    expect(commits[2].parents).toEqual([]);
    const limited = await git.log({
      repository: repository(),
      revision: head,
      paths: ['apps', 'sample-app'],
      limit: 2,
    });
    expect(limited).toHaveLength(2);
  });

  it('fetches new commits once the fetch interval has passed, not before', async () => {
    const clone = path.join(workDir, 'moving');
    gitIn(workDir, 'clone', '--quiet', origin, clone);
    const cached = provider(3600);
    const eager = provider(0);
    const repo = { url: clone, branch: 'main' };
    const before = await cached.resolveBranch({ repository: repo });
    await eager.resolveBranch({ repository: repo });
    fs.writeFileSync(path.join(clone, 'README.md'), 'changed\n');
    gitIn(clone, 'commit', '--quiet', '-am', 'change readme');
    const after = gitIn(clone, 'rev-parse', 'HEAD');
    expect(await cached.resolveBranch({ repository: repo })).toBe(before);
    expect(await eager.resolveBranch({ repository: repo })).toBe(after);
  });

  it('shares one clone between concurrent callers', async () => {
    const git = provider();
    const shas = await Promise.all(
      [1, 2, 3, 4].map(() => git.resolveBranch({ repository: repository() })),
    );
    expect(new Set(shas).size).toBe(1);
  });

  it('stops waiting when its caller aborts, while the shared clone goes on for the others', async () => {
    const git = provider();
    const controller = new AbortController();
    const aborted = git.resolveBranch({
      repository: repository(),
      signal: controller.signal,
    });
    const other = git.resolveBranch({ repository: repository() });
    controller.abort(new Error('client went away'));
    await expect(aborted).rejects.toThrow('client went away');
    expect(await other).toBe(gitIn(origin, 'rev-parse', 'main'));
  });

  it('leaves no half-made mirror behind when a clone fails', async () => {
    const cacheDir = fs.mkdtempSync(path.join(workDir, 'cache-'));
    const git = new CliGitProvider({
      cacheDir,
      fetchIntervalSeconds: 0,
      timeoutMs: 5000,
      logger,
    });
    await expect(
      git.resolveBranch({
        repository: { url: path.join(workDir, 'missing'), branch: 'main' },
      }),
    ).rejects.toThrow(/git clone failed/);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it('throws NotFoundError for an unknown branch', async () => {
    await expect(
      provider().resolveBranch({ repository: { url: origin, branch: 'nope' } }),
    ).rejects.toThrow(NotFoundError);
  });

  it("fails with git's message, without the credentials of the URL", async () => {
    const error = await provider()
      .resolveBranch({
        repository: {
          url: 'https://user:s3cret@127.0.0.1:9/acme/gitops.git',
          branch: 'main',
        },
      })
      .catch(e => e);
    expect(error.message).toMatch(/^git clone failed: /);
    expect(error.message).not.toContain('s3cret');
  });

  it('gives up on a remote that does not answer within the time-out', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = http.createServer(() => {}); // accepts, never answers
    server.on('connection', socket => sockets.add(socket));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const started = Date.now();
    try {
      const error = await provider(0, 500)
        .resolveBranch({
          repository: {
            url: `http://127.0.0.1:${port}/hung.git`,
            branch: 'main',
          },
        })
        .catch(e => e);
      expect(error.message).toMatch(/timed out after 500 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      sockets.forEach(socket => socket.destroy());
      server.close();
    }
  });

  it('keeps a process with nothing else to do alive until its read answers', () => {
    // A tool (the demo cluster's first pass) reads before anything else holds the event
    // loop: the idle reader is unref'd, a reader with a read in flight must not be.
    const script = path.join(workDir, 'read-one-file.ts');
    fs.writeFileSync(
      script,
      `import { CliGitProvider } from ${JSON.stringify(
        path.join(__dirname, 'CliGitProvider'),
      )};
const logger: any = { info() {}, warn() {}, error() {}, debug() {}, child() { return logger; } };
const git = new CliGitProvider({ cacheDir: ${JSON.stringify(
        path.join(workDir, 'script-cache'),
      )}, fetchIntervalSeconds: 60, timeoutMs: 10000, logger });
const repository = { url: ${JSON.stringify(origin)}, branch: 'main' };
git.resolveBranch({ repository }).then(revision =>
  git.readFile({ repository, revision, path: 'apps/guestbook/overlays/dev/kustomization.yaml' }),
).then(text => process.stdout.write('read ' + String(text?.includes('kind: Kustomization'))));
`,
    );
    const out = execFileSync(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        script,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(out).toBe('read true');
  });

  it('lists the folders inside a folder at a revision', async () => {
    const git = new CliGitProvider({
      cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')),
      fetchIntervalSeconds: 60,
      timeoutMs: 10_000,
      logger: mockServices.logger.mock(),
    });
    const repo = { url: origin, branch: 'main' };
    const revision = await git.resolveBranch({ repository: repo });
    expect(
      await git.listFolders({ repository: repo, revision, path: 'apps' }),
    ).toEqual([
      'apps/checkout',
      'apps/demo-flask-app',
      'apps/guestbook',
      'apps/podinfo',
    ]);
    expect(
      await git.listFolders({
        repository: repo,
        revision,
        path: 'apps/guestbook/overlays/',
      }),
    ).toEqual([
      'apps/guestbook/overlays/dev',
      'apps/guestbook/overlays/prod',
      'apps/guestbook/overlays/staging',
    ]);
    expect(
      await git.listFolders({ repository: repo, revision, path: 'nope' }),
    ).toEqual([]);
  });
});
