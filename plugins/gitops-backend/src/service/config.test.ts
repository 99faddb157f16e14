import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { fillTemplate, readGitopsConfig } from './config';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({ integrations: { github: [{ host: 'github.com' }] } }),
);

describe('readGitopsConfig', () => {
  it('applies the defaults', () => {
    const config = readGitopsConfig(new ConfigReader({}), integrations);
    expect(config.environments.map(e => e.name)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(config.environments[0]).toMatchObject({
      namespace: '{service}-{env}',
      overlayPath: '{path}/overlays/{env}',
      valuesFile: '{path}/values-{env}.yaml',
      promotionPolicy: 'commit',
      allowedSources: [],
      requireHealthySource: false,
      minSoakMinutes: 0,
    });
    // By default each environment takes promotions from the one before it only.
    expect(config.environments.map(e => e.allowedSources)).toEqual([
      [],
      ['dev'],
      ['staging'],
    ]);
    expect(config.timeouts.gitMs).toBe(20000);
    expect(config.promotion).toEqual({
      trackIntervalSeconds: 15,
      trackTimeoutMinutes: 30,
      pullRequestTimeoutHours: 168,
      maxAttempts: 30,
      unfinishedWriteSeconds: 120,
      fallbackEmail: 'backstage@localhost',
    });
    expect(config.timeouts.clusterReconnectMaxMs).toBe(5000);
    expect(config.timeouts.kindRecheckMs).toBe(300_000);
    expect(config.registryCacheEntries).toBe(50_000);
  });

  it('reads promotion policies', () => {
    const config = readGitopsConfig(
      new ConfigReader({
        gitops: {
          environments: [
            { name: 'dev' },
            { name: 'staging' },
            {
              name: 'prod',
              promotion: {
                mode: 'pull-request',
                allowedSources: ['dev', 'staging'],
                requireHealthySource: true,
                minSoakMinutes: 30,
              },
            },
          ],
        },
      }),
      integrations,
    );
    expect(config.environments[2]).toMatchObject({
      promotionPolicy: 'pullRequest',
      allowedSources: ['dev', 'staging'],
      requireHealthySource: true,
      minSoakMinutes: 30,
    });
  });

  const githubLinks = {
    file: 'https://github.com/acme/gitops/blob/{branch}/{path}',
    commit: 'https://github.com/acme/gitops/commit/{sha}',
  };
  const noLinks = { file: null, commit: null };
  it.each([
    ['https://github.com/acme/gitops.git', 'github', githubLinks],
    ['https://gitlab.example.com/acme/gitops.git', 'git', noLinks],
    ['/srv/git/gitops', 'git', noLinks],
    ['git@github.com:acme/gitops.git', 'git', noLinks],
    [
      'https://gitlab.com/acme/gitops',
      'git',
      {
        file: 'https://gitlab.com/acme/gitops/-/blob/{branch}/{path}',
        commit: 'https://gitlab.com/acme/gitops/-/commit/{sha}',
      },
    ],
  ])('picks the provider and links of %s', (url, provider, links) => {
    const config = readGitopsConfig(
      new ConfigReader({ gitops: { repositories: [{ url }] } }),
      integrations,
    );
    expect(config.repositories[0]).toEqual({
      name: url,
      url,
      branch: 'main',
      provider,
      links,
    });
  });

  it('takes configured links of a plain Git host', () => {
    const config = readGitopsConfig(
      new ConfigReader({
        gitops: {
          repositories: [
            {
              url: '/srv/git/gitops',
              links: { file: 'http://git.local/raw/{branch}/{path}' },
            },
          ],
        },
      }),
      integrations,
    );
    expect(config.repositories[0].links).toEqual({
      file: 'http://git.local/raw/{branch}/{path}',
      commit: null,
    });
  });

  it('reads gitops.serviceCreation with its defaults', () => {
    const read = (serviceCreation?: object) =>
      readGitopsConfig(
        new ConfigReader({ gitops: { serviceCreation } }),
        integrations,
      ).serviceCreation;
    expect(read()).toEqual({
      pathTemplate: 'apps/{service}',
      mode: null,
      argocd: {
        definitionPath: 'argocd/{service}-{env}.yaml',
        namespace: 'argocd',
        project: 'default',
        repoURL: null,
      },
      flux: {
        definitionPath: 'clusters/{env}/{service}.yaml',
        namespace: 'flux-system',
        sourceName: 'flux-system',
        sourceNamespace: 'flux-system',
      },
    });
    expect(
      read({ mode: 'pull-request', flux: { sourceRef: { name: 'repo' } } }),
    ).toMatchObject({ mode: 'pullRequest', flux: { sourceName: 'repo' } });
    expect(() => read({ mode: 'yolo' })).toThrow(
      'gitops.serviceCreation.mode must be "commit" or "pull-request", not "yolo"',
    );
    expect(() => read({ pathTemplate: 'apps/fixed' })).toThrow(
      'gitops.serviceCreation.pathTemplate must contain {service}',
    );
  });

  it.each([
    [{ environments: [{ name: 'dev' }, { name: 'dev' }] }, /lists "dev" twice/],
    [
      { environments: [{ name: 'prod', promotion: { policy: 'yolo' } }] },
      /must be "commit" or "pull-request"/,
    ],
    [
      { environments: [{ name: '../prod' }] },
      /"..\/prod" is not a valid environment name/,
    ],
    [
      {
        environments: [
          { name: 'dev' },
          { name: 'prod', promotion: { allowedSources: ['qa'] } },
        ],
      },
      /allowedSources names unknown environments: qa/,
    ],
    [
      { environments: [{ name: 'dev', promotion: { minSoakMinutes: -1 } }] },
      /minSoakMinutes must be 0 or more/,
    ],
    [
      { signals: { intervalSeconds: 0 } },
      /gitops.signals.intervalSeconds must be a number above 0, not 0/,
    ],
    [
      { signals: { maxEntities: -5 } },
      /gitops.signals.maxEntities must be a number above 0, not -5/,
    ],
    [
      { registryCacheEntries: 0 },
      /gitops.registryCacheEntries must be a number above 0, not 0/,
    ],
  ])('rejects invalid config %#', (gitops, message) => {
    expect(() =>
      readGitopsConfig(new ConfigReader({ gitops }), integrations),
    ).toThrow(message);
  });
});

describe('fillTemplate', () => {
  it.each([
    ['{path}/overlays/{env}', 'apps/web/overlays/dev'],
    ['{path}/values-{env}.yaml', 'apps/web/values-dev.yaml'],
    ['./{path}//{unknown}', 'apps/web/{unknown}'],
  ])('fills %s', (template, expected) => {
    expect(fillTemplate(template, { path: 'apps/web', env: 'dev' })).toBe(
      expected,
    );
  });
});
