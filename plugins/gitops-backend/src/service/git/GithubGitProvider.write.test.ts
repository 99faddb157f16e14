import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { GitConflictError } from '@gitops-backstage/plugin-gitops-node';
import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { GithubGitProvider } from './GithubGitProvider';

const API = 'https://api.github.com/repos/acme/gitops';
const repository = { url: 'https://github.com/acme/gitops', branch: 'main' };
const author = { name: 'Alice Platform', email: 'alice@example.com' };
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

type Answer = {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
};

/** The Git Data API of one fake GitHub repository: objects by sha, refs, and every call made. */
class FakeGithub {
  /** `METHOD /path` (below the repository, decoded) of every request, in order. */
  calls: string[] = [];
  requests: Array<{ call: string; body: any; headers: Headers; at: number }> =
    [];
  commits = new Map<string, { tree: string; parents: string[] }>();
  refs = new Map<string, string>();
  blobs = new Map<string, string>();
  /** Answers given instead of the normal one, per call, first in first out. */
  overrides = new Map<string, Answer[]>();
  readonly base: string;

  constructor() {
    this.base = this.addCommit(sha1('tree:base'), []);
    this.refs.set('main', this.base);
  }

  addCommit(tree: string, parents: string[]) {
    const sha = sha1(`commit:${tree}:${parents.join(',')}`);
    this.commits.set(sha, { tree, parents });
    return sha;
  }

  answerOnce(call: string, answer: Answer) {
    this.overrides.set(call, [...(this.overrides.get(call) ?? []), answer]);
  }

  bodiesOf(call: string) {
    return this.requests.filter(r => r.call === call).map(r => r.body);
  }

  private isAncestor(ancestor: string, sha: string): boolean {
    return (
      ancestor === sha ||
      (this.commits.get(sha)?.parents ?? []).some(p =>
        this.isAncestor(ancestor, p),
      )
    );
  }

  handlers() {
    const route = (
      method: 'get' | 'post' | 'patch',
      path: string,
      answer: (body: any, path: string, request: Request) => Response,
    ) =>
      http[method](`${API}${path}`, async ({ request }) => {
        const below = decodeURIComponent(new URL(request.url).pathname).slice(
          '/repos/acme/gitops'.length,
        );
        const call = `${request.method} ${below}`;
        const body = method === 'get' ? undefined : await request.json();
        this.calls.push(call);
        this.requests.push({
          call,
          body,
          headers: request.headers,
          at: Date.now(),
        });
        const override = this.overrides.get(call)?.shift();
        if (override) {
          return HttpResponse.json(override.body, {
            status: override.status,
            headers: override.headers,
          });
        }
        return answer(body, below, request);
      });
    const refused = (status: number, message: string) =>
      HttpResponse.json(
        { message, documentation_url: 'https://docs.github.com/rest' },
        { status },
      );

    return [
      route('get', '/commits/:ref', (_body, path, request) => {
        const head = this.refs.get(path.slice('/commits/'.length));
        if (!head) return refused(422, 'No commit found for SHA: nope');
        const etag = `"${head}"`;
        if (request.headers.get('if-none-match') === etag)
          return new HttpResponse(null, { status: 304 });
        return new HttpResponse(head, {
          headers: { etag, 'content-type': 'application/vnd.github.sha' },
        });
      }),
      route('post', '/git/blobs', body => {
        if (body.encoding !== 'base64' && body.encoding !== 'utf-8')
          return refused(422, 'encoding must be base64 or utf-8');
        const text = Buffer.from(
          body.content,
          body.encoding === 'base64' ? 'base64' : 'utf8',
        ).toString('utf8');
        const sha = sha1(`blob:${text}`);
        this.blobs.set(sha, text);
        return HttpResponse.json(
          { sha, url: `${API}/git/blobs/${sha}` },
          {
            status: 201,
          },
        );
      }),
      route('get', '/git/commits/:sha', (_body, path) => {
        const sha = path.slice('/git/commits/'.length);
        const commit = this.commits.get(sha);
        if (!commit) return refused(404, 'Not Found');
        return HttpResponse.json({
          sha,
          tree: { sha: commit.tree },
          parents: commit.parents.map(p => ({ sha: p })),
        });
      }),
      route('post', '/git/trees', body => {
        const known = [...this.commits.values()].some(
          c => c.tree === body.base_tree,
        );
        if (!known) return refused(422, 'base_tree is not a tree');
        const sha = sha1(`tree:${JSON.stringify(body)}`);
        return HttpResponse.json(
          { sha, truncated: false, tree: [] },
          {
            status: 201,
          },
        );
      }),
      route('post', '/git/commits', body => {
        const sha = this.addCommit(body.tree, body.parents);
        return HttpResponse.json(
          { sha, tree: { sha: body.tree }, message: body.message },
          { status: 201 },
        );
      }),
      route('patch', '/git/refs/*', (body, path) => {
        const branch = path.slice('/git/refs/heads/'.length);
        const current = this.refs.get(branch);
        if (!current) return refused(422, 'Reference does not exist');
        if (!body.force && !this.isAncestor(current, body.sha))
          return refused(422, 'Update is not a fast forward');
        this.refs.set(branch, body.sha);
        return HttpResponse.json({
          ref: `refs/heads/${branch}`,
          object: { sha: body.sha, type: 'commit' },
        });
      }),
      route('post', '/git/refs', body => {
        const branch = String(body.ref).replace(/^refs\/heads\//, '');
        if (this.refs.has(branch))
          return refused(422, 'Reference already exists');
        this.refs.set(branch, body.sha);
        return HttpResponse.json(
          { ref: body.ref, object: { sha: body.sha, type: 'commit' } },
          { status: 201 },
        );
      }),
      route('post', '/pulls', () =>
        HttpResponse.json(
          { number: 42, html_url: 'https://github.com/acme/gitops/pull/42' },
          { status: 201 },
        ),
      ),
    ];
  }
}

/**
 * Runs a call to its end on the fake clock: the throttling plugin paces writes one second apart
 * and waits `retry-after` seconds, which would otherwise make each case take several seconds.
 */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    await jest.advanceTimersByTimeAsync(250);
  }
  return promise;
}

describe('GithubGitProvider writes', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  let fake: FakeGithub;
  let logger: ReturnType<typeof mockServices.logger.mock>;
  beforeEach(() => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    });
    fake = new FakeGithub();
    logger = mockServices.logger.mock();
    server.use(...fake.handlers());
  });
  afterEach(() => jest.useRealTimers());

  function provider() {
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [{ host: 'github.com', token: 'ghp_test_token' }],
        },
      }),
    );
    return new GithubGitProvider({ integrations, logger, timeoutMs: 5000 });
  }

  const files = [
    {
      path: 'apps/guestbook/overlays/prod/kustomization.yaml',
      content: 'a: 1\n',
    },
    { path: 'apps/guestbook/overlays/prod/values.yaml', content: 'ü: 2\n' },
  ];

  it('commits two files directly: blobs, base tree, tree, commit, fast-forward of the branch', async () => {
    const sha = await settle(
      provider().commit({
        repository,
        baseRevision: fake.base,
        files,
        message: 'promote(prod): guestbook v1.0.4',
        author,
      }),
    );

    expect(fake.calls).toEqual([
      'POST /git/blobs',
      'POST /git/blobs',
      `GET /git/commits/${fake.base}`,
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/main',
    ]);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(fake.refs.get('main')).toBe(sha);
    expect([...fake.blobs.values()]).toEqual(['a: 1\n', 'ü: 2\n']);
    const blobShas = [...fake.blobs.keys()];
    expect(fake.bodiesOf('POST /git/trees')).toEqual([
      {
        base_tree: fake.commits.get(fake.base)!.tree,
        tree: files.map((file, i) => ({
          path: file.path,
          mode: '100644',
          type: 'blob',
          sha: blobShas[i],
        })),
      },
    ]);
    expect(fake.bodiesOf('POST /git/commits')).toEqual([
      {
        message: 'promote(prod): guestbook v1.0.4',
        tree: fake.commits.get(sha)!.tree,
        parents: [fake.base],
        author,
      },
    ]);
    expect(fake.bodiesOf('PATCH /git/refs/heads/main')).toEqual([
      { sha, force: false },
    ]);
    expect(
      new Set(fake.requests.map(r => r.headers.get('authorization'))),
    ).toEqual(new Set(['token ghp_test_token']));
  });

  it('creates a new branch instead of moving the branch in pull-request mode, then opens the pull request', async () => {
    const github = provider();
    const sha = await settle(
      github.commit({
        repository,
        baseRevision: fake.base,
        files: files.slice(0, 1),
        message: 'promote(prod): guestbook v1.0.4',
        author,
        newBranch: 'gitops/promote-guestbook-prod',
      }),
    );
    const pull = await settle(
      github.openPullRequest({
        repository,
        head: 'gitops/promote-guestbook-prod',
        title: 'Promote guestbook to prod',
        body: 'v1.0.3 → v1.0.4',
      }),
    );

    expect(fake.calls).toEqual([
      'POST /git/blobs',
      `GET /git/commits/${fake.base}`,
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/refs',
      'POST /pulls',
    ]);
    expect(fake.bodiesOf('POST /git/refs')).toEqual([
      { ref: 'refs/heads/gitops/promote-guestbook-prod', sha },
    ]);
    expect(fake.refs.get('main')).toBe(fake.base);
    expect(fake.bodiesOf('POST /pulls')).toEqual([
      {
        head: 'gitops/promote-guestbook-prod',
        base: 'main',
        title: 'Promote guestbook to prod',
        body: 'v1.0.3 → v1.0.4',
      },
    ]);
    expect(pull).toEqual({
      url: 'https://github.com/acme/gitops/pull/42',
      number: 42,
    });
  });

  it('throws GitConflictError without retrying when the branch moved since the base revision', async () => {
    const moved = fake.addCommit(sha1('tree:other'), [fake.base]);
    fake.refs.set('main', moved);

    await expect(
      settle(
        provider().commit({
          repository,
          baseRevision: fake.base,
          files,
          message: 'promote(prod): guestbook v1.0.4',
          author,
        }),
      ),
    ).rejects.toThrow(GitConflictError);

    expect(fake.calls).toEqual([
      'POST /git/blobs',
      'POST /git/blobs',
      `GET /git/commits/${fake.base}`,
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/main',
    ]);
    expect(fake.refs.get('main')).toBe(moved);
  });

  it('takes a 409 on the branch update for a conflict too and does not retry it', async () => {
    fake.answerOnce('PATCH /git/refs/heads/main', {
      status: 409,
      body: { message: 'Reference update failed' },
    });

    await expect(
      settle(
        provider().commit({
          repository,
          baseRevision: fake.base,
          files: files.slice(0, 1),
          message: 'promote(prod): guestbook v1.0.4',
          author,
        }),
      ),
    ).rejects.toThrow(GitConflictError);

    expect(
      fake.calls.filter(c => c === 'PATCH /git/refs/heads/main'),
    ).toHaveLength(1);
    expect(fake.refs.get('main')).toBe(fake.base);
  });

  it('throws GitConflictError when the pull-request branch already exists', async () => {
    fake.refs.set('gitops/promote-guestbook-prod', fake.base);

    await expect(
      settle(
        provider().commit({
          repository,
          baseRevision: fake.base,
          files: files.slice(0, 1),
          message: 'promote(prod): guestbook v1.0.4',
          author,
          newBranch: 'gitops/promote-guestbook-prod',
        }),
      ),
    ).rejects.toThrow(
      new GitConflictError(
        'Branch gitops/promote-guestbook-prod of acme/gitops already exists',
      ),
    );

    expect(fake.calls).toEqual([
      'POST /git/blobs',
      `GET /git/commits/${fake.base}`,
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/refs',
    ]);
    expect(fake.refs.get('gitops/promote-guestbook-prod')).toBe(fake.base);
  });

  it('waits out a secondary rate limit for retry-after seconds and sends the call again once', async () => {
    fake.answerOnce('POST /git/blobs', {
      status: 403,
      body: {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      },
      headers: { 'retry-after': '1' },
    });

    const sha = await settle(
      provider().commit({
        repository,
        baseRevision: fake.base,
        files,
        message: 'promote(prod): guestbook v1.0.4',
        author,
      }),
    );

    expect(fake.calls).toEqual([
      'POST /git/blobs',
      'POST /git/blobs',
      'POST /git/blobs',
      `GET /git/commits/${fake.base}`,
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/main',
    ]);
    const [limited, retried] = fake.requests;
    expect(retried.body).toEqual(limited.body);
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(1000);
    expect(fake.refs.get('main')).toBe(sha);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('secondary rate limit'),
    );
  });

  it('resolves the branch to the new commit afterwards and builds the next commit on it without reading it', async () => {
    const github = provider();
    expect(await settle(github.resolveBranch({ repository }))).toBe(fake.base);
    const sha = await settle(
      github.commit({
        repository,
        baseRevision: fake.base,
        files: files.slice(0, 1),
        message: 'first',
        author,
      }),
    );
    expect(await settle(github.resolveBranch({ repository }))).toBe(sha);
    const next = await settle(
      github.commit({
        repository,
        baseRevision: sha,
        files: files.slice(1),
        message: 'second',
        author,
      }),
    );

    expect(fake.calls).toEqual([
      'GET /commits/main',
      'POST /git/blobs',
      `GET /git/commits/${fake.base}`,
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/main',
      'GET /commits/main',
      // The tree of a commit written here is known: no GET /git/commits for the second base.
      'POST /git/blobs',
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/main',
    ]);
    // The head the provider remembered was dropped with the commit: an unconditional read.
    const heads = fake.requests.filter(r => r.call === 'GET /commits/main');
    expect(heads.map(r => r.headers.get('if-none-match'))).toEqual([
      null,
      null,
    ]);
    expect(fake.refs.get('main')).toBe(next);
    expect(fake.commits.get(next)!.parents).toEqual([sha]);
  });
});
