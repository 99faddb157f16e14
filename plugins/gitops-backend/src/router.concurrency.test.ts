import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  GitCommitOptions,
  GitProvider,
  gitopsGitProvidersExtensionPoint,
} from '@gitops-backstage/plugin-gitops-node';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { gitIn } from 'gitops-testkit';
import {
  expectChangedYamlParses,
  startPromotionBackend,
  createExampleRemote,
} from './__testUtils__/promotionBackend';

jest.setTimeout(180_000);

const API = '/api/gitops/entities/default/component';

/**
 * Wraps the built-in git provider so that the first commit of this backend finds the branch
 * moved by someone else between plan and push: the race is forced, not hoped for.
 */
function racingGitModule(remote: string, workDir: string, log: string[]) {
  let raced = false;
  return createBackendModule({
    pluginId: 'gitops',
    moduleId: 'racing-git',
    register(env) {
      env.registerInit({
        deps: { providers: gitopsGitProvidersExtensionPoint },
        async init({ providers }) {
          providers.addGitProvider(({ getDefault }) => {
            const git = getDefault('git')!;
            const wrapped: GitProvider = {
              type: 'git',
              resolveBranch: o => git.resolveBranch(o),
              readFile: o => git.readFile(o),
              log: o => git.log(o),
              commit: async (options: GitCommitOptions) => {
                if (!raced) {
                  raced = true;
                  pushUnrelatedCommit(remote, workDir);
                  log.push('raced');
                }
                try {
                  return await git.commit!(options);
                } catch (error) {
                  log.push(`conflict: ${(error as Error).message}`);
                  throw error;
                }
              },
            };
            return wrapped;
          });
        },
      });
    },
  });
}

/** Another writer's commit (a README change) pushed straight to the remote. */
function pushUnrelatedCommit(remote: string, workDir: string) {
  const clone = fs.mkdtempSync(path.join(workDir, 'other-writer-'));
  gitIn(workDir, 'clone', '--quiet', remote, clone);
  fs.appendFileSync(path.join(clone, 'README.md'), '\nEdited by CI.\n');
  gitIn(clone, 'commit', '--quiet', '-am', 'docs: another writer');
  // It retries as any writer would: the other backend instance may land a commit between
  // this clone and this push (git runs in a helper process, beside this blocked thread).
  for (let attempt = 1; ; attempt++) {
    try {
      gitIn(clone, 'push', '--quiet', 'origin', 'main');
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      gitIn(clone, 'pull', '--quiet', '--rebase', 'origin', 'main');
    }
  }
}

describe('concurrent changes', () => {
  let workDir: string;
  let remote: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ workDir, remote, cleanup } = createExampleRemote('gitops-concurrency-'));
  });
  afterEach(() => cleanup());

  it('lands 20 concurrent promotions and scales on two backend instances: 20 commits, none lost, linear, valid; a forced push race is re-planned', async () => {
    const log: string[] = [];
    // Two replicas of the backend, each with its own clone cache, writing to one remote.
    const replicas = [
      await startPromotionBackend({
        remote,
        workDir,
        features: [racingGitModule(remote, workDir, log)],
      }),
      await startPromotionBackend({ remote, workDir }),
    ];
    const start = gitIn(remote, 'rev-parse', 'main');
    const services = ['guestbook', 'demo-flask-app', 'sample-app'];
    const requests = Array.from({ length: 20 }, (_, i) => {
      const service = services[i % 3];
      // Each request changes something no other request sets, so each must be one commit.
      const change =
        i % 2 === 0
          ? {
              path: 'rollback',
              body: { environment: 'dev', toTag: `9.9.${i}` },
            }
          : { path: 'scale', body: { environment: 'dev', replicas: 10 + i } };
      return { i, service, ...change };
    });
    const started = Date.now();
    const responses = await Promise.all(
      requests.map(r =>
        request(replicas[r.i % 2])
          .post(`${API}/${r.service}/${r.path}`)
          .send(r.body),
      ),
    );
    const elapsed = Date.now() - started;
    for (const res of responses) {
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 201,
        error: undefined,
      });
    }

    // 20 commits of ours plus the other writer's, no merges, none lost.
    expect(gitIn(remote, 'rev-list', '--count', `${start}..main`)).toBe('21');
    expect(gitIn(remote, 'rev-list', '--merges', '--count', 'main')).toBe('0');
    const subjects = gitIn(remote, 'log', '--format=%s', `${start}..main`)
      .split('\n')
      .sort();
    expect(subjects).toContain('docs: another writer');
    const commits = new Set(responses.map(r => r.body.commit));
    expect(commits.size).toBe(20);
    for (const commit of commits) {
      expect(gitIn(remote, 'merge-base', '--is-ancestor', commit, 'main')).toBe(
        '',
      );
    }
    expectChangedYamlParses(remote, start, 'main');

    // The race happened and was re-planned instead of failing the request.
    expect(log[0]).toBe('raced');
    expect(log[1]).toMatch(/^conflict: Branch main moved since/);

    // Every service's dev state is what the last of its requests in commit order set.
    const order = gitIn(remote, 'rev-list', 'main').split('\n');
    const newest = (service: string, route: string) =>
      requests
        .map((r, index) => ({ ...r, commit: responses[index].body.commit }))
        .filter(r => r.service === service && r.path === route)
        .sort((a, b) => order.indexOf(a.commit) - order.indexOf(b.commit))[0]
        .body as any;
    for (const service of services) {
      const res = await request(replicas[0]).get(
        `${API}/${service}/environments`,
      );
      const dev = res.body.environments.find((e: any) => e.name === 'dev');
      expect(dev.desired.tag).toBe(newest(service, 'rollback').toTag);
      expect(dev.desired.replicas).toBe(newest(service, 'scale').replicas);
    }
    // Two cores, 20 commits through git: seconds, not minutes.
    expect(elapsed).toBeLessThan(120_000);
  });

  it.each<[string, string, object]>([
    ['promote', 'promotions', { from: 'dev', to: 'staging' }],
    ['rollback', 'rollback', { environment: 'staging', toTag: 'v1.0.1' }],
    ['scale', 'scale', { environment: 'staging', replicas: 4 }],
    ['sync', 'sync', { environment: 'staging', action: 'refresh' }],
  ])(
    'denies %s without the permission: 403 and nothing written',
    async (_action, route, body) => {
      const server = await startPromotionBackend({
        remote,
        workDir,
        features: [
          mockServices.permissions.mock({
            authorize: async requests =>
              requests.map(r => ({
                result:
                  r.permission.name === 'gitops.entity.read'
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY,
              })),
          }).factory,
        ],
      });
      const base = gitIn(remote, 'rev-parse', 'main');
      const res = await request(server)
        .post(`${API}/guestbook/${route}`)
        .send(body);
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(res.body.error.message).toMatch(
        /^Not allowed to (promote|scale|sync) component:default\/guestbook in staging$/,
      );
      expect(gitIn(remote, 'rev-parse', 'main')).toBe(base);
      expect(gitIn(remote, 'for-each-ref', '--format=%(refname)')).toBe(
        'refs/heads/main',
      );
    },
  );
});
