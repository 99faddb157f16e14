import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { loadExampleFiles } from 'gitops-testkit';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { GithubGitProvider } from './GithubGitProvider';
import { defaultEnvironmentConfig } from '@gitops-backstage/plugin-gitops-repository';

const API = 'https://api.github.com/repos/acme/gitops';
const repository = { url: 'https://github.com/acme/gitops', branch: 'main' };

/** A fake GitHub repository: commits of whole trees, served the way the REST API does. */
class FakeGithubRepo {
  commits: Array<{
    sha: string;
    files: Map<string, string>;
    message: string;
    date: string;
    paths: string[];
  }> = [];
  requests: string[] = [];
  authorizations = new Set<string | null>();

  commit(files: Map<string, string>, message: string, paths: string[]) {
    const sha = createHash('sha1')
      .update(`${this.commits.length}:${message}`)
      .digest('hex');
    const date = new Date(
      Date.UTC(2026, 10, 1 + this.commits.length),
    ).toISOString();
    this.commits.unshift({ sha, files: new Map(files), message, date, paths });
    return sha;
  }

  get head() {
    return this.commits[0];
  }

  handlers() {
    const blobSha = (text: string) =>
      createHash('sha1').update(text).digest('hex');
    const track = (request: Request) => {
      const url = new URL(request.url);
      this.requests.push(
        `${url.pathname.replace('/repos/acme/gitops', '')}${url.search}`,
      );
      this.authorizations.add(request.headers.get('authorization'));
    };
    return [
      http.get(`${API}/commits/:ref`, ({ request, params }) => {
        track(request);
        if (params.ref !== 'main')
          return HttpResponse.json(
            { message: 'No commit found for SHA: nope' },
            { status: 422 },
          );
        const etag = `"${this.head.sha}"`;
        if (request.headers.get('if-none-match') === etag)
          return new HttpResponse(null, { status: 304 });
        return new HttpResponse(this.head.sha, {
          headers: { etag, 'content-type': 'application/vnd.github.sha' },
        });
      }),
      http.get(`${API}/git/trees/:sha`, ({ request, params }) => {
        track(request);
        const commit = this.commits.find(c => c.sha === params.sha);
        if (!commit)
          return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
        const folders = new Set<string>();
        for (const file of commit.files.keys()) {
          file
            .split('/')
            .slice(0, -1)
            .forEach((_, i, parts) =>
              folders.add(parts.slice(0, i + 1).join('/')),
            );
        }
        return HttpResponse.json({
          sha: params.sha,
          truncated: false,
          tree: [
            ...[...folders].map(path => ({
              path,
              type: 'tree',
              sha: blobSha(path),
              mode: '040000',
            })),
            ...[...commit.files].map(([path, text]) => ({
              path,
              type: 'blob',
              sha: blobSha(text),
              mode: '100644',
            })),
          ],
        });
      }),
      http.get(`${API}/git/blobs/:sha`, ({ request, params }) => {
        track(request);
        for (const commit of this.commits) {
          for (const text of commit.files.values()) {
            if (blobSha(text) === params.sha) {
              return HttpResponse.json({
                sha: params.sha,
                encoding: 'base64',
                content: Buffer.from(text).toString('base64'),
              });
            }
          }
        }
        return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      }),
      http.get(`${API}/commits`, ({ request }) => {
        track(request);
        const url = new URL(request.url);
        const from = this.commits.findIndex(
          c => c.sha === url.searchParams.get('sha'),
        );
        const path = url.searchParams.get('path') ?? '';
        const items = this.commits
          .slice(from)
          .filter(c =>
            c.paths.some(p => p === path || p.startsWith(`${path}/`)),
          )
          .slice(0, Number(url.searchParams.get('per_page') ?? 30));
        return HttpResponse.json(
          items.map((c, i) => ({
            sha: c.sha,
            parents: this.commits[this.commits.indexOf(c) + 1]
              ? [{ sha: this.commits[this.commits.indexOf(c) + 1].sha }]
              : [],
            author: { login: 'octocat' },
            commit: {
              message: c.message,
              author: {
                name: `Author ${i}`,
                email: 'a@example.com',
                date: c.date,
              },
              committer: { date: c.date },
            },
          })),
        );
      }),
    ];
  }
}

describe('GithubGitProvider', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  let fake: FakeGithubRepo;
  let files: Map<string, string>;
  beforeEach(() => {
    fake = new FakeGithubRepo();
    files = loadExampleFiles();
    fake.commit(files, 'bootstrap', [...files.keys()]);
    server.use(...fake.handlers());
  });

  function provider(
    options: {
      fetchIntervalSeconds?: number;
      sharedCache?: CacheService;
      timeoutMs?: number;
    } = {
      fetchIntervalSeconds: 0,
    },
  ) {
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [{ host: 'github.com', token: 'ghp_test_token' }],
        },
      }),
    );
    return new GithubGitProvider({
      integrations,
      logger: mockServices.logger.mock(),
      timeoutMs: 5000,
      ...options,
    });
  }

  it('reads files through the trees and blobs API with the integration token', async () => {
    const github = provider();
    const revision = await github.resolveBranch({ repository });
    expect(revision).toBe(fake.head.sha);
    const text = await github.readFile({
      repository,
      revision,
      path: 'apps/guestbook/overlays/prod/kustomization.yaml',
    });
    expect(text).toBe(
      files.get('apps/guestbook/overlays/prod/kustomization.yaml'),
    );
    expect(
      await github.readFile({ repository, revision, path: 'apps/guestbook' }),
    ).toBeUndefined();
    expect(
      await github.readFile({ repository, revision, path: 'apps/none.yaml' }),
    ).toBeUndefined();
    expect(fake.authorizations).toEqual(new Set(['token ghp_test_token']));
  });

  it('costs one conditional request (304, free of rate limit) per view of an unchanged repository', async () => {
    const github = provider();
    const reader = new DesiredStateReader();
    const target = {
      entityRef: 'component:default/guestbook',
      service: 'guestbook',
      path: 'apps/guestbook',
      repository,
      provider: github,
      hints: { workloadName: 'guestbook' },
      selectors: {},
    };
    const environment = defaultEnvironmentConfig('prod');
    const view = async () => {
      const revision = await github.resolveBranch({ repository });
      return (await reader.read({ target, environment, revision })).state;
    };

    const first = await view();
    expect(first).toMatchObject({
      tag: 'v1.0.3',
      replicas: 3,
      autoscaling: { maxReplicas: 10 },
    });
    const firstCount = fake.requests.length;
    expect(fake.requests.filter(r => r.startsWith('/git/trees/'))).toHaveLength(
      1,
    );

    fake.requests = [];
    expect(await view()).toEqual(first);
    expect(fake.requests).toEqual(['/commits/main']);
    expect(firstCount).toBeGreaterThan(2);

    // A new commit changes the ETag: the new tree is read, unchanged blobs come from the cache.
    const changed = new Map(files);
    changed.set(
      'apps/guestbook/overlays/prod/kustomization.yaml',
      files
        .get('apps/guestbook/overlays/prod/kustomization.yaml')!
        .replace('newTag: v1.0.3', 'newTag: v1.0.4'),
    );
    fake.commit(changed, 'promote', [
      'apps/guestbook/overlays/prod/kustomization.yaml',
    ]);
    fake.requests = [];
    expect((await view()).tag).toBe('v1.0.4');
    expect(fake.requests.filter(r => r.startsWith('/git/blobs/'))).toHaveLength(
      1,
    );
  });

  it('asks for the head at most once per fetch interval, and shares heads, trees and blobs with other instances through the cache service', async () => {
    const sharedCache = memoryCacheService();
    const first = provider({ fetchIntervalSeconds: 30, sharedCache });
    const revision = await first.resolveBranch({ repository });
    const path = 'apps/guestbook/overlays/prod/kustomization.yaml';
    const text = await first.readFile({ repository, revision, path });
    expect(text).toContain('newTag: v1.0.3');
    fake.requests = [];
    // Within the interval: no request at all.
    expect(await first.resolveBranch({ repository })).toBe(revision);
    // Another instance: the head, the tree and the blob come from the shared cache.
    const second = provider({ fetchIntervalSeconds: 30, sharedCache });
    expect(await second.resolveBranch({ repository })).toBe(revision);
    expect(await second.readFile({ repository, revision, path })).toBe(text);
    expect(fake.requests).toEqual([]);
  });

  it('asks for the head again at once when a push names the repository, and other instances see the new head', async () => {
    const sharedCache = memoryCacheService();
    const first = provider({ fetchIntervalSeconds: 300, sharedCache });
    const second = provider({ fetchIntervalSeconds: 300, sharedCache });
    const before = await first.resolveBranch({ repository });
    const pushed = fake.commit(files, 'pushed', []);
    expect(await first.resolveBranch({ repository })).toBe(before);
    fake.requests = [];
    await first.refresh(repository);
    expect(fake.requests).toEqual(['/commits/main']);
    expect(await first.resolveBranch({ repository })).toBe(pushed);
    expect(await second.resolveBranch({ repository })).toBe(pushed);
    expect(fake.requests).toEqual(['/commits/main']);
  });

  it('lists the commits of several paths once each, newest first, and caches the list by sha', async () => {
    const overlay = 'apps/guestbook/overlays/dev/kustomization.yaml';
    const values = 'apps/demo-flask-app/values-dev.yaml';
    fake.commit(new Map(files).set(overlay, 'v2'), 'bump guestbook', [overlay]);
    fake.commit(new Map(files).set(values, 'v2'), 'bump flask', [values]);
    const github = provider();
    const revision = await github.resolveBranch({ repository });
    const log = () =>
      github.log({
        repository,
        revision,
        paths: ['apps/guestbook/overlays/dev', 'apps/demo-flask-app'],
        limit: 10,
      });
    const commits = await log();
    expect(commits.map(c => c.message)).toEqual([
      'bump flask',
      'bump guestbook',
      'bootstrap',
    ]);
    expect(commits[0].parents).toEqual([fake.commits[1].sha]);
    fake.requests = [];
    await log();
    expect(fake.requests).toEqual([]);
  });

  it('answers the head read before while GitHub does not answer, says so, and recovers', async () => {
    const github = provider({ fetchIntervalSeconds: 0, timeoutMs: 300 });
    const before = await github.resolveBranch({ repository });
    server.use(http.get(`${API}/commits/:ref`, () => HttpResponse.error()));
    const started = Date.now();
    expect(await github.resolveBranch({ repository })).toBe(before);
    const outageMs = Date.now() - started;
    expect(github.staleness(repository)).toMatchObject({
      repository: repository.url,
      revision: before,
    });
    expect(github.staleRepositories()).toHaveLength(1);
    server.resetHandlers(...fake.handlers());
    expect(await github.resolveBranch({ repository })).toBe(before);
    expect(github.staleness(repository)).toBeUndefined();
    // eslint-disable-next-line no-console
    console.log(
      `github outage: read answered from the cached head in ${outageMs} ms`,
    );
    expect(outageMs).toBeLessThan(2000);
  });

  it('throws NotFoundError for a branch GitHub does not know', async () => {
    await expect(
      provider().resolveBranch({
        repository: { ...repository, branch: 'nope' },
      }),
    ).rejects.toThrow(NotFoundError);
  });

  it('refuses a repository without a GitHub integration', async () => {
    await expect(
      provider().resolveBranch({
        repository: {
          url: 'https://git.example.com/acme/gitops',
          branch: 'main',
        },
      }),
    ).rejects.toThrow(InputError);
  });
});

/** Backstage's cache service, in memory: what Redis is to several backend instances. */
function memoryCacheService(): CacheService {
  const values = new Map<string, any>();
  const service: CacheService = {
    get: async key => structuredClone(values.get(key)),
    set: async (key, value) => {
      values.set(key, structuredClone(value));
    },
    delete: async key => {
      values.delete(key);
    },
    withOptions: () => service,
  };
  return service;
}
