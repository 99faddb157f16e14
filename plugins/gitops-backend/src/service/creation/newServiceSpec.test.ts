import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { CreateServiceRequest } from '@gitops-backstage/plugin-gitops-common';
import { readGitopsConfig } from '../config';
import { newServiceSpec } from './newServiceSpec';

const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
const config = readGitopsConfig(
  new ConfigReader({
    gitops: {
      repositories: [
        { name: 'main', url: 'https://github.com/acme/gitops.git' },
        {
          name: 'team',
          url: 'https://github.com/acme/team-gitops.git',
          layout: { overlayPath: 'deploy/{env}' },
        },
      ],
      environments: [{ name: 'dev', autoSync: true }, { name: 'prod' }],
    },
  }),
  integrations,
);
const request: CreateServiceRequest = {
  name: 'hello',
  owner: 'group:default/team-a',
  engine: 'argocd',
  layout: 'kustomize',
  image: 'ghcr.io/acme/hello',
  tag: '1.0.0',
};
const digest = `sha256:${'a'.repeat(64)}`;

describe('newServiceSpec', () => {
  it.each<{
    name: string;
    repository: 'main' | 'team';
    given: Partial<CreateServiceRequest>;
    expected: Record<string, unknown>;
  }>([
    {
      name: 'defaults, the first repository: no repo annotation',
      repository: 'main',
      given: {},
      expected: {
        port: 8080,
        autoscaling: { minReplicas: 3, maxReplicas: 10 },
        progressiveDelivery: 'none',
        entity: expect.objectContaining({ annotations: {} }),
      },
    },
    {
      name: "another repository is named, with its source location, in the entity's annotations",
      repository: 'team',
      given: { sourceLocation: 'https://github.com/acme/hello' },
      expected: {
        entity: expect.objectContaining({
          annotations: {
            'gitops.backstage.io/repo': 'team',
            'backstage.io/source-location': 'url:https://github.com/acme/hello',
          },
        }),
      },
    },
  ])('$name', ({ repository, given, expected }) => {
    const spec = newServiceSpec({
      request: { ...request, ...given },
      repository: config.repositories.find(r => r.name === repository)!,
      servicePath: 'apps/hello',
      config,
      digest,
    });
    expect(spec).toMatchObject({ digest, path: 'apps/hello', ...expected });
  });

  it("lays each environment out as its repository does, with the environment's settings", () => {
    const spec = newServiceSpec({
      request,
      repository: config.repositories[1],
      servicePath: 'apps/hello',
      config,
      digest,
    });
    expect(
      spec.environments.map(e => [e.name, e.overlayPath, e.autoSync]),
    ).toEqual([
      ['dev', 'deploy/dev', true],
      ['prod', 'deploy/prod', false],
    ]);
  });

  it('refuses a service without a digest, naming the pinned environment', () => {
    expect(() =>
      newServiceSpec({
        request,
        repository: config.repositories[0],
        servicePath: 'apps/hello',
        config,
        digest: null,
      }),
    ).toThrow(
      'ghcr.io/acme/hello:1.0.0 has no digest in a configured registry, and prod is pinned by digest',
    );
  });
});
