import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { GithubCompare } from './GithubCompare';

const API = 'https://api.github.com/repos/acme/guestbook';
const WEB = 'https://github.com/acme/guestbook';
const sha = (n: number) => n.toString(16).padStart(40, '0');
const BASE = sha(0xba5e);
const HEAD = sha(0xfeed);

/** A user object as GitHub's REST API returns it (the fields of `simple-user`). */
function user(login: string, id: number) {
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    type: 'User',
    site_admin: false,
  };
}

/** A commit of a comparison, as `GET /repos/{owner}/{repo}/compare/{basehead}` lists it. */
function commit(
  id: string,
  parents: string[],
  message: string,
  name: string,
  date: string,
) {
  const person = { name, email: `${name.toLowerCase()}@example.com`, date };
  return {
    sha: id,
    node_id: `C_${id.slice(0, 8)}`,
    url: `${API}/commits/${id}`,
    html_url: `${WEB}/commit/${id}`,
    comments_url: `${API}/commits/${id}/comments`,
    commit: {
      url: `${API}/git/commits/${id}`,
      author: person,
      committer: { ...person, name: 'GitHub', email: 'noreply@github.com' },
      message,
      tree: { sha: sha(0x7ee), url: `${API}/git/trees/${sha(0x7ee)}` },
      comment_count: 0,
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
      },
    },
    author: user(name.toLowerCase(), 1000 + name.length),
    committer: user('web-flow', 19864447),
    parents: parents.map(p => ({
      sha: p,
      url: `${API}/commits/${p}`,
      html_url: `${WEB}/commit/${p}`,
    })),
  };
}

/** The answer of compare, with `commits` oldest first as GitHub lists them. */
function comparison(
  commits: ReturnType<typeof commit>[],
  total = commits.length,
) {
  const basehead = `${BASE}...${HEAD}`;
  return {
    url: `${API}/compare/${basehead}`,
    html_url: `${WEB}/compare/${basehead}`,
    permalink_url: `${WEB}/compare/acme:${BASE.slice(0, 7)}...acme:${HEAD.slice(
      0,
      7,
    )}`,
    diff_url: `${WEB}/compare/${basehead}.diff`,
    patch_url: `${WEB}/compare/${basehead}.patch`,
    base_commit: commit(BASE, [], 'Release 1', 'Ann', '2026-11-01T09:00:00Z'),
    merge_base_commit: commit(
      BASE,
      [],
      'Release 1',
      'Ann',
      '2026-11-01T09:00:00Z',
    ),
    status: 'ahead',
    ahead_by: total,
    behind_by: 0,
    total_commits: total,
    commits,
    files: [],
  };
}

/** A pull request as `GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls` lists it. */
function pullRequest(number: number, title: string, mergedAt: string | null) {
  return {
    url: `${API}/pulls/${number}`,
    id: 100 + number,
    node_id: `PR_${number}`,
    html_url: `${WEB}/pull/${number}`,
    diff_url: `${WEB}/pull/${number}.diff`,
    patch_url: `${WEB}/pull/${number}.patch`,
    issue_url: `${API}/issues/${number}`,
    number,
    state: mergedAt ? 'closed' : 'open',
    locked: false,
    title,
    user: user('dan', 4),
    body: null,
    labels: [],
    milestone: null,
    created_at: '2026-11-02T08:00:00Z',
    updated_at: '2026-11-02T10:00:00Z',
    closed_at: mergedAt,
    merged_at: mergedAt,
    merge_commit_sha: sha(number),
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    head: {
      label: 'acme:tidy',
      ref: 'tidy',
      sha: sha(number),
      user: user('acme', 9),
      repo: null,
    },
    base: {
      label: 'acme:main',
      ref: 'main',
      sha: BASE,
      user: user('acme', 9),
      repo: null,
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: false,
  };
}

describe('GithubCompare', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  function githubCompare(timeoutMs = 2000) {
    return new GithubCompare({
      integrations: ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: { github: [{ host: 'github.com', token: 'gh-token' }] },
        }),
      ),
      logger: mockServices.logger.mock(),
      timeoutMs,
      pullRequestLookups: 5,
    });
  }

  it('lists merged branches, squash and rebase merges with their pull requests, newest first', async () => {
    const [a1, a2, merge, squash, tidy] = [1, 2, 3, 4, 5].map(n =>
      sha(0xa0 + n),
    );
    const seen = {
      authorization: [] as Array<string | null>,
      lookups: [] as string[],
    };
    server.use(
      http.get(`${API}/compare/:basehead`, ({ request, params }) => {
        seen.authorization.push(request.headers.get('authorization'));
        expect(params.basehead).toBe(`${BASE}...${tidy}`);
        return HttpResponse.json(
          comparison([
            commit(a1, [BASE], 'A part 1', 'Bob', '2026-11-02T09:00:00Z'),
            commit(a2, [a1], 'A part 2', 'Bob', '2026-11-02T09:10:00Z'),
            commit(
              merge,
              [BASE, a2],
              'Merge pull request #12 from acme/feature-a\n\nAdd feature A',
              'Bob',
              '2026-11-02T09:20:00Z',
            ),
            commit(
              squash,
              [merge],
              'Fix the cart total (#13)\n\n* one',
              'Cleo',
              '2026-11-02T09:30:00Z',
            ),
            commit(tidy, [squash], 'Tidy up', 'Dan', '2026-11-02T09:40:00Z'),
          ]),
        );
      }),
      http.get(`${API}/commits/:sha/pulls`, ({ params }) => {
        seen.lookups.push(String(params.sha));
        return HttpResponse.json([
          pullRequest(16, 'Draft that never merged', null),
          pullRequest(15, 'Tidy up', '2026-11-02T10:00:00Z'),
        ]);
      }),
    );
    const result = await githubCompare().compare(WEB, {
      from: BASE,
      to: tidy,
      maxCommits: 100,
    });
    expect(
      result.commits.map(c => [c.message.split('\n')[0], c.author]),
    ).toEqual([
      ['Tidy up', 'Dan'],
      ['Fix the cart total (#13)', 'Cleo'],
      ['Merge pull request #12 from acme/feature-a', 'Bob'],
      ['A part 2', 'Bob'],
      ['A part 1', 'Bob'],
    ]);
    expect(result.commits[2].parents).toEqual([BASE, a2]);
    expect(result.commits[0].at).toBe('2026-11-02T09:40:00.000Z');
    expect(
      Object.fromEntries(
        [...result.pullRequests].map(([s, pr]) => [
          s,
          [pr.number, pr.title, pr.url],
        ]),
      ),
    ).toEqual({
      [tidy]: [15, 'Tidy up', `${WEB}/pull/15`],
      [squash]: [13, 'Fix the cart total', null],
      [merge]: [12, 'Add feature A', null],
      [a2]: [12, 'Add feature A', null],
      [a1]: [12, 'Add feature A', null],
    });
    // Only the commit no message explains is asked about.
    expect(seen.lookups).toEqual([tidy]);
    expect(seen.authorization).toEqual(['token gh-token']);
    expect(result).toEqual(
      expect.objectContaining({
        total: 5,
        removed: 0,
        truncated: false,
        missing: [],
      }),
    );
  });

  it('reads only the last pages when more commits than maxCommits lie between', async () => {
    const all = Array.from({ length: 230 }, (_, i) =>
      commit(
        sha(0x1000 + i),
        [i === 0 ? BASE : sha(0x1000 + i - 1)],
        `Change ${i} (#${i + 1})`,
        'Ann',
        '2026-11-02T09:00:00Z',
      ),
    );
    const pages: string[] = [];
    server.use(
      http.get(`${API}/compare/:basehead`, ({ request }) => {
        const url = new URL(request.url);
        const page = Number(url.searchParams.get('page'));
        const perPage = Number(url.searchParams.get('per_page'));
        pages.push(`${page}/${perPage}`);
        return HttpResponse.json(
          comparison(all.slice((page - 1) * perPage, page * perPage), 230),
        );
      }),
    );
    const result = await githubCompare().compare(WEB, {
      from: BASE,
      to: sha(0x1000 + 229),
      maxCommits: 50,
    });
    expect(pages).toEqual(['1/100', '2/100', '3/100']);
    expect(result.commits).toHaveLength(50);
    expect(result.commits[0].message).toBe('Change 229 (#230)');
    expect(result.commits[49].message).toBe('Change 180 (#181)');
    expect(result).toEqual(
      expect.objectContaining({ total: 230, truncated: true }),
    );
  });

  it('says which revisions GitHub does not have (404), without failing', async () => {
    server.use(
      http.get(`${API}/compare/:basehead`, () =>
        HttpResponse.json(
          {
            message: 'Not Found',
            documentation_url:
              'https://docs.github.com/rest/commits/commits#compare-two-commits',
            status: '404',
          },
          { status: 404 },
        ),
      ),
    );
    expect(
      await githubCompare().compare(WEB, {
        from: BASE,
        to: HEAD,
        maxCommits: 10,
      }),
    ).toEqual(
      expect.objectContaining({ commits: [], missing: ['from', 'to'] }),
    );
  });

  it.each([
    [
      401,
      {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      },
    ],
    [
      422,
      {
        message: 'Validation Failed',
        errors: [{ resource: 'Commit', field: 'basehead', code: 'invalid' }],
        documentation_url: 'https://docs.github.com/rest',
        status: '422',
      },
    ],
  ])('answers 502 when GitHub answers %s', async (status, body) => {
    server.use(
      http.get(`${API}/compare/:basehead`, () =>
        HttpResponse.json(body, { status }),
      ),
    );
    await expect(
      githubCompare().compare(WEB, { from: BASE, to: HEAD, maxCommits: 10 }),
    ).rejects.toMatchObject({
      statusCode: 502,
      message: expect.stringMatching(
        `^Comparing ${BASE}...${HEAD} in acme/guestbook: GitHub answered ${status}`,
      ),
    });
  });

  it('answers 504 when GitHub does not answer in time', async () => {
    server.use(
      http.get(`${API}/compare/:basehead`, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    await expect(
      githubCompare(200).compare(WEB, { from: BASE, to: HEAD, maxCommits: 10 }),
    ).rejects.toMatchObject({ statusCode: 504 });
  });
});
