import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { VerificationContext } from '@gitops-backstage/plugin-gitops-node';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createCommitStatusCheck } from './commitStatusCheck';

const SHA = '3f2a1b9';
const HEAD_SHA = '3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
const API = 'https://api.github.com/repos/acme/guestbook';
/** GitHub's largest page: what the check asks for, so 150 runs take two pages. */
const MAX_PER_PAGE = 100;

/** A check run as `GET /repos/{owner}/{repo}/commits/{ref}/check-runs` lists it. */
function checkRun(
  id: number,
  name: string,
  status: string,
  conclusion: string | null,
  startedAt = '2026-05-04T10:00:00Z',
) {
  return {
    id,
    node_id: `CR_${id}`,
    head_sha: HEAD_SHA,
    external_id: '',
    url: `${API}/check-runs/${id}`,
    html_url: `https://github.com/acme/guestbook/runs/${id}`,
    details_url: `https://github.com/acme/guestbook/actions/runs/9/job/${id}`,
    name,
    status,
    conclusion,
    started_at: startedAt,
    completed_at: status === 'completed' ? '2026-05-04T10:05:00Z' : null,
    output: { title: null, summary: null, text: null, annotations_count: 0 },
    check_suite: { id: 5 },
    app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
    pull_requests: [],
  };
}

/** A commit status as the combined status (`GET …/commits/{ref}/status`) lists it. */
function commitStatus(id: number, name: string, state: string) {
  return {
    url: `${API}/statuses/${HEAD_SHA}`,
    avatar_url: 'https://avatars.githubusercontent.com/u/1?v=4',
    id,
    node_id: `SC_${id}`,
    state,
    description: `${name} is ${state}`,
    target_url: `https://ci.example.com/builds/${id}`,
    context: name,
    created_at: '2026-05-04T10:00:00Z',
    updated_at: '2026-05-04T10:06:00Z',
  };
}

/** The combined `state`: failure if any is red, pending if any (or none) is pending. */
function combinedState(states: string[]) {
  if (states.includes('failure') || states.includes('error')) return 'failure';
  if (states.includes('pending') || states.length === 0) return 'pending';
  return 'success';
}

type Commit = {
  checkRuns: ReturnType<typeof checkRun>[];
  statuses: ReturnType<typeof commitStatus>[];
};

/** Serves the two endpoints for `acme/guestbook`, by ref, paginated as GitHub does. */
function githubHandlers(commits: Record<string, Commit>, requests: URL[]) {
  const noCommit = (ref: string) =>
    HttpResponse.json(
      {
        message: `No commit found for SHA: ${ref}`,
        documentation_url: 'https://docs.github.com/rest/checks/runs',
      },
      { status: 422 },
    );
  return [
    http.get(`${API}/commits/:ref/check-runs`, ({ request, params }) => {
      const url = new URL(request.url);
      requests.push(url);
      const commit = commits[params.ref as string];
      if (!commit) return noCommit(params.ref as string);
      const perPage = Math.min(
        Number(url.searchParams.get('per_page') ?? 30),
        MAX_PER_PAGE,
      );
      const page = Number(url.searchParams.get('page') ?? 1);
      const pages = Math.max(1, Math.ceil(commit.checkRuns.length / perPage));
      const pageUrl = (n: number) => {
        const next = new URL(url);
        next.searchParams.set('page', String(n));
        return next.href;
      };
      const links = [
        ...(page < pages ? [`<${pageUrl(page + 1)}>; rel="next"`] : []),
        ...(pages > 1 ? [`<${pageUrl(pages)}>; rel="last"`] : []),
      ];
      return HttpResponse.json(
        {
          total_count: commit.checkRuns.length,
          check_runs: commit.checkRuns.slice(
            (page - 1) * perPage,
            page * perPage,
          ),
        },
        { headers: links.length ? { link: links.join(', ') } : {} },
      );
    }),
    http.get(`${API}/commits/:ref/status`, ({ request, params }) => {
      requests.push(new URL(request.url));
      const commit = commits[params.ref as string];
      if (!commit) return noCommit(params.ref as string);
      const states = commit.statuses.map(s => s.state);
      return HttpResponse.json({
        state: combinedState(states),
        statuses: commit.statuses,
        sha: HEAD_SHA,
        total_count: commit.statuses.length,
        repository: { id: 1, full_name: 'acme/guestbook' },
        commit_url: `${API}/commits/${HEAD_SHA}`,
        url: `${API}/commits/${HEAD_SHA}/status`,
      });
    }),
    http.get('https://api.github.com/repos/acme/gone/*', () =>
      HttpResponse.json(
        {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
        },
        { status: 404 },
      ),
    ),
  ];
}

function context(
  overrides: Partial<VerificationContext> = {},
): VerificationContext {
  return {
    entityRef: 'component:default/guestbook',
    service: 'guestbook',
    environment: 'staging',
    namespace: 'guestbook-staging',
    version: { tag: `main-${SHA}`, digest: null },
    image: 'ghcr.io/acme/guestbook',
    revision: null,
    annotations: { 'github.com/project-slug': 'acme/guestbook' },
    templateValues: {},
    ...overrides,
  };
}

describe('commitStatus check', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  let requests: URL[];
  let authorizations: Set<string | null>;
  function serve(commits: Record<string, Commit>) {
    requests = [];
    authorizations = new Set();
    server.use(...githubHandlers(commits, requests));
    server.events.on('request:start', ({ request }) => {
      authorizations.add(request.headers.get('authorization'));
    });
  }
  afterEach(() => server.events.removeAllListeners());

  const check = createCommitStatusCheck({
    integrations: ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [{ host: 'github.com', token: 'ghp_test_token' }],
        },
      }),
    ),
  });
  const run = (options: Record<string, unknown> = {}, ctx = context()) =>
    check.run(
      { name: 'ci', kind: 'commitStatus', options },
      ctx,
      new AbortController().signal,
    );

  it('passes when every check run and status is green, asking with the integration token', async () => {
    serve({
      [SHA]: {
        checkRuns: [
          checkRun(1, 'build', 'completed', 'success'),
          checkRun(2, 'lint', 'completed', 'skipped'),
          checkRun(3, 'docs', 'completed', 'neutral'),
        ],
        statuses: [commitStatus(11, 'ci/jenkins', 'success')],
      },
    });
    const outcome = await run();
    expect(outcome).toEqual({
      state: 'Passed',
      value: '4/4 green',
      threshold: 'all green',
      detail: `4 green on ${SHA}: build, lint, docs, ci/jenkins`,
      links: [
        { title: 'build', url: 'https://github.com/acme/guestbook/runs/1' },
        { title: 'lint', url: 'https://github.com/acme/guestbook/runs/2' },
        { title: 'docs', url: 'https://github.com/acme/guestbook/runs/3' },
        { title: 'ci/jenkins', url: 'https://ci.example.com/builds/11' },
      ],
    });
    expect(requests.map(url => url.pathname).sort()).toEqual([
      `/repos/acme/guestbook/commits/${SHA}/check-runs`,
      `/repos/acme/guestbook/commits/${SHA}/status`,
    ]);
    expect([...authorizations]).toEqual(['token ghp_test_token']);
  });

  it('fails naming every red check run and status', async () => {
    serve({
      [SHA]: {
        checkRuns: [
          checkRun(1, 'build', 'completed', 'success'),
          checkRun(2, 'e2e', 'completed', 'failure'),
          checkRun(3, 'deploy', 'completed', 'cancelled'),
          checkRun(4, 'slow', 'in_progress', null),
        ],
        statuses: [commitStatus(11, 'security/snyk', 'error')],
      },
    });
    const outcome = await run();
    expect(outcome).toMatchObject({
      state: 'Failed',
      value: '1/5 green',
      detail: `failed on ${SHA}: e2e (failure), deploy (cancelled), security/snyk (error)`,
      links: [
        { title: 'e2e', url: 'https://github.com/acme/guestbook/runs/2' },
        { title: 'deploy', url: 'https://github.com/acme/guestbook/runs/3' },
        { title: 'security/snyk', url: 'https://ci.example.com/builds/11' },
      ],
    });
  });

  it('judges the newest run of a re-run check', async () => {
    serve({
      [SHA]: {
        checkRuns: [
          checkRun(7, 'e2e', 'completed', 'success', '2026-05-04T11:00:00Z'),
          checkRun(2, 'e2e', 'completed', 'timed_out', '2026-05-04T10:00:00Z'),
        ],
        statuses: [],
      },
    });
    expect(await run()).toMatchObject({ state: 'Passed', value: '1/1 green' });
  });

  it('is an Error (retried) while checks still run', async () => {
    serve({
      [SHA]: {
        checkRuns: [
          checkRun(1, 'build', 'completed', 'success'),
          checkRun(2, 'e2e', 'in_progress', null),
          checkRun(3, 'perf', 'queued', null),
        ],
        statuses: [commitStatus(11, 'ci/jenkins', 'pending')],
      },
    });
    const outcome = await run();
    expect(outcome).toMatchObject({
      state: 'Error',
      value: '1/4 green',
      detail:
        'waiting for: e2e (in_progress), perf (queued), ci/jenkins (pending)',
    });
  });

  it('with contexts, looks only at those and is an Error while one is not reported', async () => {
    serve({
      [SHA]: {
        checkRuns: [
          checkRun(1, 'build', 'completed', 'success'),
          checkRun(2, 'flaky-optional', 'completed', 'failure'),
        ],
        statuses: [commitStatus(11, 'ci/jenkins', 'success')],
      },
    });
    const missing = await run({ contexts: ['build', 'ci/jenkins', 'e2e'] });
    expect(missing).toMatchObject({
      state: 'Error',
      value: '2/3 green',
      threshold: 'green: build, ci/jenkins, e2e',
      detail: 'not reported yet: e2e',
    });
    const present = await run({ contexts: ['build', 'ci/jenkins'] });
    expect(present).toMatchObject({ state: 'Passed', value: '2/2 green' });
  });

  it('is an Error while the commit has no checks at all', async () => {
    serve({ [SHA]: { checkRuns: [], statuses: [] } });
    expect(await run()).toMatchObject({
      state: 'Error',
      detail: `no check runs or commit statuses on ${SHA} yet`,
    });
  });

  it('reads every page of check runs', async () => {
    const runs = Array.from({ length: 150 }, (_, i) =>
      checkRun(i + 1, `shard-${i + 1}`, 'completed', 'success'),
    );
    runs[140] = checkRun(141, 'shard-141', 'completed', 'failure');
    serve({ [SHA]: { checkRuns: runs, statuses: [] } });
    const outcome = await run();
    expect(outcome).toMatchObject({
      state: 'Failed',
      value: '149/150 green',
      detail: `failed on ${SHA}: shard-141 (failure)`,
    });
    const pages = requests
      .filter(url => url.pathname.endsWith('/check-runs'))
      .map(
        url =>
          `${url.searchParams.get('per_page')}:${url.searchParams.get('page')}`,
      );
    expect(pages).toEqual(['100:null', '100:2']);
  });

  it('fails naming the ref GitHub does not know (422) or the repository it does not find (404)', async () => {
    serve({});
    expect(await run()).toMatchObject({
      state: 'Failed',
      detail: `ref ${SHA} not found in acme/guestbook on github.com (HTTP 422)`,
    });
    expect(await run({ repository: 'acme/gone' })).toMatchObject({
      state: 'Failed',
      detail: `ref ${SHA} not found in acme/gone on github.com (HTTP 404)`,
    });
  });

  it('is an Error when GitHub fails', async () => {
    serve({});
    server.use(
      http.get(`${API}/commits/:ref/status`, () =>
        HttpResponse.json({ message: 'Server Error' }, { status: 502 }),
      ),
    );
    const outcome = await run();
    expect(outcome.state).toBe('Error');
    expect(outcome.detail).toMatch(
      /^GitHub github.com, acme\/guestbook@3f2a1b9: /,
    );
  });

  it('uses the tag as the ref when it carries no sha, and a ref template when given', async () => {
    serve({
      '1.4.2': {
        checkRuns: [checkRun(1, 'build', 'completed', 'success')],
        statuses: [],
      },
      'v1.4.2': {
        checkRuns: [checkRun(2, 'release', 'completed', 'success')],
        statuses: [],
      },
    });
    const semver = context({ version: { tag: '1.4.2', digest: null } });
    expect(await run({}, semver)).toMatchObject({
      state: 'Passed',
      detail: '1 green on 1.4.2: build',
    });
    expect(await run({ ref: 'v{tag}' }, semver)).toMatchObject({
      state: 'Passed',
      detail: '1 green on v1.4.2: release',
    });
  });

  it.each([
    [
      'no repository',
      {},
      context({ annotations: {} }),
      "config error: commitStatus check ci: no repository (set the check's repository or the entity annotation github.com/project-slug)",
    ],
    [
      'no ref',
      {},
      context({ version: { tag: null, digest: 'sha256:abc' } }),
      "config error: commitStatus check ci: no Git ref to check (the version has no tag; set the check's ref)",
    ],
    [
      'no integration for the host',
      { host: 'ghe.example.com' },
      context(),
      'config error: no GitHub integration for ghe.example.com; add it under integrations.github',
    ],
    [
      'an unknown placeholder',
      { ref: '{branch}' },
      context(),
      /^config error: unknown placeholder \{branch\}/,
    ],
  ])('is Inconclusive with %s', async (_, options, ctx, detail) => {
    serve({});
    const outcome = await run(options, ctx);
    expect(outcome.state).toBe('Inconclusive');
    expect(outcome.detail).toMatch(detail);
    expect(requests).toEqual([]);
  });

  it.each([
    [
      { repository: 'guestbook' },
      'commitStatus check ci: repository must be owner/repo',
    ],
    [
      { contexts: [1] },
      'commitStatus check ci: contexts must be a list of non-empty strings',
    ],
    [
      { timeoutSeconds: -1 },
      'commitStatus check ci: timeoutSeconds must be a positive number',
    ],
  ])('validate %j', (options, message) => {
    const validate = () =>
      check.validate!({ name: 'ci', kind: 'commitStatus', options });
    expect(validate).toThrow(message);
  });

  it('validate accepts a single context as a string', () => {
    expect(() =>
      check.validate!({
        name: 'ci',
        kind: 'commitStatus',
        options: { contexts: 'build', host: 'github.com', ref: '{tag}' },
      }),
    ).not.toThrow();
  });
});
