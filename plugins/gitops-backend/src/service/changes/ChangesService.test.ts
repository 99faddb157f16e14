import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultEnvironmentConfig } from '../config';
import { OciRegistryClient } from '../registry/OciRegistryClient';
import { ChangesService } from './ChangesService';
import { CliGitCompare } from './CliGitCompare';
import { SourceRevisionReader } from './SourceRevisionReader';

const S = 'org.opencontainers.image.source';
const R = 'org.opencontainers.image.revision';
const IMAGE = 'ghcr.io/acme/guestbook';
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'guestbook', namespace: 'default' },
};

/** A source repository: v1, then PR #12 merged, a squash (#13) and PR #14 by three people. */
function sourceRepository(root: string) {
  const work = path.join(root, 'work');
  fs.mkdirSync(work);
  const git = (author: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd: work,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: author,
        GIT_AUTHOR_EMAIL: 'dev@example.com',
        GIT_COMMITTER_NAME: author,
        GIT_COMMITTER_EMAIL: 'dev@example.com',
      },
    }).trim();
  const commit = (message: string, author = 'Ann') => {
    fs.appendFileSync(path.join(work, 'log.txt'), `${message}\n`);
    git(author, 'add', '.');
    git(author, 'commit', '--quiet', '-m', message);
    return git(author, 'rev-parse', 'HEAD');
  };
  const merge = (branch: string, n: number, title: string, author: string) => {
    git(author, 'checkout', '--quiet', '-b', branch);
    commit(`Work on ${branch}`, author);
    git(author, 'checkout', '--quiet', 'main');
    git(
      author,
      'merge',
      '--quiet',
      '--no-ff',
      '-m',
      `Merge pull request #${n} from acme/${branch}\n\n${title}`,
      branch,
    );
  };
  git('Ann', 'init', '--quiet', '--initial-branch=main');
  const v1 = commit('Release 1');
  merge('feature-a', 12, 'Add feature A', 'Bob');
  commit('Fix the cart total (#13)', 'Cleo');
  merge('feature-b', 14, 'Add feature B', 'Ann');
  const v2 = commit('Release 2');
  const bare = path.join(root, 'guestbook.git');
  execFileSync('git', ['clone', '--quiet', '--bare', work, bare]);
  return { v1, v2, url: `file://${bare}` };
}

function status(name: string, tag: string | null): EnvironmentStatus {
  return {
    name,
    desired: tag
      ? ({ image: IMAGE, tag, digest: null, layout: 'kustomize' } as any)
      : null,
    live: null,
    sync: null,
    drift: [],
    problems: [],
    registry: null,
    error: tag ? null : 'overlay not found',
    warnings: [],
  };
}

describe('ChangesService', () => {
  let root: string;
  let repo: ReturnType<typeof sourceRepository>;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-changes-service-'));
    repo = sourceRepository(root);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  function service(
    options: { source?: string; tags?: Record<string, string | null> } = {},
  ) {
    const source = options.source ?? 'https://github.com/acme/guestbook';
    const annotations: Record<string, Record<string, string>> = {
      'v1.0.1': { [S]: source, [R]: repo.v1 },
      'v1.0.2': { [S]: `${source}.git`, [R]: repo.v2 },
      'v1.0.3': {},
    };
    const registry = {
      serves: (ref: { host: string }) => ref.host === 'ghcr.io',
      getAnnotations: async (_ref: unknown, reference: string) =>
        annotations[reference]
          ? {
              digest: 'sha256:x',
              annotations: annotations[reference],
              labels: {},
              chart: null,
            }
          : null,
    } as unknown as OciRegistryClient;
    const tags = options.tags ?? {
      dev: 'v1.0.2',
      staging: 'v1.0.2',
      prod: 'v1.0.1',
    };
    const cli = new CliGitCompare({
      cacheDir: path.join(root, 'cache'),
      timeoutMs: 10_000,
      logger: mockServices.logger.mock(),
    });
    const compare = jest.spyOn(cli, 'compare');
    const changes = new ChangesService({
      environments: {
        getEnvironments: async () => ({
          entityRef: 'component:default/guestbook',
          environments: Object.entries(tags).map(([name, tag]) =>
            status(name, tag),
          ),
        }),
      },
      environmentConfigs: ['dev', 'staging', 'prod'].map((name, i, all) => ({
        ...defaultEnvironmentConfig(name),
        allowedSources: i > 0 ? [all[i - 1]] : [],
      })),
      reader: new SourceRevisionReader(registry),
      cli,
      hasGithubIntegration: host => host === 'github.com',
      config: {
        // As the demo does: the annotation's GitHub URL is cloned from a local bare repository.
        repositories: [
          { host: 'https://github.com/acme/guestbook', url: repo.url },
        ],
        maxCommits: 100,
        cacheDir: path.join(root, 'cache'),
        cacheSize: 10,
        pullRequestLookups: 0,
      },
      logger: mockServices.logger.mock(),
    });
    return { changes, compare };
  }

  it('lists what will ship to prod: commits, pull requests and authors, linked', async () => {
    const { changes } = service();
    const answer = await changes.getChanges({
      entity,
      environment: 'prod',
      to: 'v1.0.2',
    });
    expect(answer).toEqual(
      expect.objectContaining({
        entityRef: 'component:default/guestbook',
        environment: 'prod',
        from: { version: 'v1.0.1', revision: repo.v1 },
        to: { version: 'v1.0.2', revision: repo.v2 },
        source: 'https://github.com/acme/guestbook',
        unknownSource: null,
        truncated: false,
        totalCommits: 6,
        removedCommits: 0,
        pullRequests: 3,
        authors: 3,
        comparedWith: 'git',
      }),
    );
    expect(
      answer.commits.map(c => [
        c.message,
        c.author,
        c.pullRequest?.number ?? null,
      ]),
    ).toEqual([
      ['Release 2', 'Ann', null],
      ['Merge pull request #14 from acme/feature-b', 'Ann', 14],
      ['Work on feature-b', 'Ann', 14],
      ['Fix the cart total (#13)', 'Cleo', 13],
      ['Merge pull request #12 from acme/feature-a', 'Bob', 12],
      ['Work on feature-a', 'Bob', 12],
    ]);
    expect(answer.commits[1]).toEqual(
      expect.objectContaining({
        url: `https://github.com/acme/guestbook/commit/${answer.commits[1].sha}`,
        pullRequest: {
          number: 14,
          title: 'Add feature B',
          url: 'https://github.com/acme/guestbook/pull/14',
        },
      }),
    );
  });

  it('compares with what the environment before runs when no version is asked for, once per pair', async () => {
    const { changes, compare } = service();
    const first = await changes.getChanges({ entity, environment: 'prod' });
    const second = await changes.getChanges({ entity, environment: 'prod' });
    expect(first.to).toEqual({ version: 'v1.0.2', revision: repo.v2 });
    expect(second).toEqual(first);
    expect(compare).toHaveBeenCalledTimes(1);
  });

  it.each([
    [
      'a version with no annotation',
      'v1.0.3',
      `${IMAGE}:v1.0.3 has no ${S} or ${R} annotation or label`,
    ],
    [
      'a version the registry does not have',
      'v9.9.9',
      `${IMAGE}:v9.9.9 is not in the registry`,
    ],
  ])('answers a clear unknown source for %s', async (_, to, reason) => {
    const { changes, compare } = service();
    const answer = await changes.getChanges({
      entity,
      environment: 'prod',
      to,
    });
    expect(answer).toEqual(
      expect.objectContaining({
        from: { version: 'v1.0.1', revision: repo.v1 },
        to: { version: to, revision: null },
        commits: [],
        unknownSource: reason,
        comparedWith: null,
      }),
    );
    expect(compare).not.toHaveBeenCalled();
  });

  it('never clones a source on a host nobody configured', async () => {
    const { changes, compare } = service({
      source: 'https://evil.example.net/acme/guestbook',
    });
    const answer = await changes.getChanges({
      entity,
      environment: 'prod',
      to: 'v1.0.2',
    });
    expect(answer.unknownSource).toBe(
      'evil.example.net is not in gitops.changes.repositories and has no GitHub integration, so https://evil.example.net/acme/guestbook is not compared',
    );
    expect(compare).not.toHaveBeenCalled();
  });

  it('says why when the environment runs no known version', async () => {
    const { changes } = service({
      tags: { dev: 'v1.0.2', staging: 'v1.0.2', prod: null },
    });
    expect(
      (await changes.getChanges({ entity, environment: 'prod', to: 'v1.0.2' }))
        .unknownSource,
    ).toBe('The version prod runs is not known: overlay not found');
  });

  it.each([
    [
      'an unknown environment',
      { environment: 'qa' },
      'Unknown environment "qa"; configured: dev, staging, prod',
    ],
    [
      'the first environment without "to"',
      { environment: 'dev' },
      'Query parameter "to" is required: dev has no environment before it',
    ],
  ])('refuses %s', async (_, request, message) => {
    const { changes } = service();
    await expect(changes.getChanges({ entity, ...request })).rejects.toThrow(
      message,
    );
  });
});
