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
    });
    expect(config.timeouts.gitMs).toBe(20000);
  });

  it.each([
    ['https://github.com/acme/gitops.git', 'github'],
    ['https://gitlab.example.com/acme/gitops.git', 'git'],
    ['/srv/git/gitops', 'git'],
    ['git@github.com:acme/gitops.git', 'git'],
  ])('picks the provider of %s', (url, provider) => {
    const config = readGitopsConfig(
      new ConfigReader({ gitops: { repositories: [{ url }] } }),
      integrations,
    );
    expect(config.repositories[0]).toEqual({
      name: url,
      url,
      branch: 'main',
      provider,
    });
  });

  it.each([
    [{ environments: [{ name: 'dev' }, { name: 'dev' }] }, /lists "dev" twice/],
    [
      { environments: [{ name: 'prod', promotion: { policy: 'yolo' } }] },
      /must be "commit" or "pullRequest"/,
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
