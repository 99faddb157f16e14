import { InputError } from '@backstage/errors';
import { renderNewService } from './renderNewService';
import { exampleSpec } from './__testUtils__/exampleSpec';
import { NewServiceSpec } from './types';

type Edit = (spec: NewServiceSpec) => void;

const env =
  (i: number, change: Partial<NewServiceSpec['environments'][0]>): Edit =>
  spec =>
    Object.assign(spec.environments[i], change);

/** [what is wrong, layout, the edit, the field the refusal names, words of its reason] */
const refusals: Array<
  [string, NewServiceSpec['layout'], Edit, string, RegExp]
> = [
  [
    'name with capitals',
    'kustomize',
    s => void (s.name = 'Hello'),
    'name',
    /not a DNS label/,
  ],
  [
    'name of 64 characters',
    'kustomize',
    s => void (s.name = 'a'.repeat(64)),
    'name',
    /not a DNS label/,
  ],
  [
    'name ending in -',
    'kustomize',
    s => void (s.name = 'hello-'),
    'name',
    /not a DNS label/,
  ],
  [
    'absolute path',
    'kustomize',
    s => void (s.path = '/apps/hello'),
    'path',
    /absolute/,
  ],
  [
    'path leaving the repository',
    'kustomize',
    s => void (s.path = '../apps/hello'),
    'path',
    /"\.\."/,
  ],
  [
    'path with .. inside',
    'kustomize',
    s => void (s.path = 'apps/x/../hello'),
    'path',
    /"\.\."/,
  ],
  [
    'path not normalized',
    'kustomize',
    s => void (s.path = 'apps//hello'),
    'path',
    /not normalized.*apps\/hello/,
  ],
  [
    'path with a trailing /',
    'kustomize',
    s => void (s.path = 'apps/hello/'),
    'path',
    /not normalized/,
  ],
  [
    'path starting ./',
    'kustomize',
    s => void (s.path = './apps/hello'),
    'path',
    /not normalized/,
  ],
  ['empty path', 'kustomize', s => void (s.path = ''), 'path', /required/],
  [
    'absolute overlayPath',
    'kustomize',
    env(1, { overlayPath: '/overlays/staging' }),
    'environments[1].overlayPath',
    /absolute/,
  ],
  [
    'overlayPath with ..',
    'kustomize',
    env(1, { overlayPath: 'apps/hello/../x' }),
    'environments[1].overlayPath',
    /"\.\."/,
  ],
  [
    'overlayPath inside the base',
    'kustomize',
    env(0, { overlayPath: 'apps/hello/base/dev' }),
    'environments[0].overlayPath',
    /inside/,
  ],
  [
    'two environments with one overlayPath',
    'kustomize',
    env(2, { overlayPath: 'apps/hello/overlays/dev' }),
    'environments[2].overlayPath',
    /also environments\[0\]\.overlayPath \(dev\)/,
  ],
  [
    'two environments with one definitionPath',
    'kustomize',
    env(1, { definitionPath: 'argocd/hello-dev.yaml' }),
    'environments[1].definitionPath',
    /also environments\[0\]\.definitionPath/,
  ],
  [
    'definitionPath with ..',
    'kustomize',
    env(0, { definitionPath: '../argocd/hello-dev.yaml' }),
    'environments[0].definitionPath',
    /"\.\."/,
  ],
  [
    'definitionPath not YAML',
    'kustomize',
    env(0, { definitionPath: 'argocd/hello-dev' }),
    'environments[0].definitionPath',
    /not a YAML file/,
  ],
  [
    'definitionPath on a base file',
    'kustomize',
    env(0, { definitionPath: 'apps/hello/base/service.yaml' }),
    'environments[0].definitionPath',
    /also be another file/,
  ],
  [
    'definitionPath on an overlay',
    'kustomize',
    env(0, {
      definitionPath: 'apps/hello/overlays/staging/kustomization.yaml',
    }),
    'environments[0].definitionPath',
    /also be another file/,
  ],
  [
    'two environments with one valuesFile',
    'helm',
    env(1, { valuesFile: 'apps/hello/values-dev.yaml' }),
    'environments[1].valuesFile',
    /also environments\[0\]\.valuesFile/,
  ],
  [
    'valuesFile being the chart defaults',
    'helm',
    env(0, { valuesFile: 'apps/hello/values.yaml' }),
    'environments[0].valuesFile',
    /file of the chart/,
  ],
  [
    'absolute valuesFile',
    'helm',
    env(0, { valuesFile: '/apps/hello/values-dev.yaml' }),
    'environments[0].valuesFile',
    /absolute/,
  ],
  [
    'definitionPath in the chart templates',
    'helm',
    env(0, { definitionPath: 'apps/hello/templates/app.yaml' }),
    'environments[0].definitionPath',
    /templates/,
  ],
  [
    'two environments with one name',
    'kustomize',
    env(1, {
      name: 'dev',
      overlayPath: 'a/b',
      definitionPath: 'argocd/b.yaml',
    }),
    'environments[1].name',
    /also environments\[0\]\.name/,
  ],
  [
    'environment name not a DNS label',
    'kustomize',
    env(1, { name: 'Staging' }),
    'environments[1].name',
    /not a DNS label/,
  ],
  [
    'namespace not a DNS label',
    'kustomize',
    env(1, { namespace: 'hello_staging' }),
    'environments[1].namespace',
    /not a DNS label/,
  ],
  [
    'no environments',
    'kustomize',
    s => void (s.environments = []),
    'environments',
    /at least one/,
  ],
  ['port 0', 'kustomize', s => void (s.port = 0), 'port', /1-65535/],
  ['port 65536', 'kustomize', s => void (s.port = 65536), 'port', /1-65535/],
  ['port not whole', 'kustomize', s => void (s.port = 80.5), 'port', /1-65535/],
  [
    'min above max',
    'kustomize',
    s => void (s.autoscaling = { minReplicas: 5, maxReplicas: 4 }),
    'autoscaling.minReplicas',
    /more than autoscaling.maxReplicas \(4\)/,
  ],
  [
    'min 0',
    'kustomize',
    s => void (s.autoscaling = { minReplicas: 0, maxReplicas: 4 }),
    'autoscaling.minReplicas',
    /at least 1/,
  ],
  [
    'tag latest',
    'kustomize',
    s => void (s.tag = 'latest'),
    'tag',
    /names no version/,
  ],
  [
    'tag LATEST',
    'helm',
    s => void (s.tag = 'LATEST'),
    'tag',
    /names no version/,
  ],
  ['empty tag', 'kustomize', s => void (s.tag = ''), 'tag', /required/],
  [
    'tag with a space',
    'kustomize',
    s => void (s.tag = 'v1 2'),
    'tag',
    /not an image tag/,
  ],
  [
    'image with a tag',
    'kustomize',
    s => void (s.image = 'ghcr.io/acme/hello:latest'),
    'image',
    /holds a tag/,
  ],
  [
    'image in capitals',
    'kustomize',
    s => void (s.image = 'ghcr.io/Acme/hello'),
    'image',
    /not an image repository/,
  ],
  [
    'digest missing with three environments',
    'kustomize',
    s => void (s.digest = null),
    'digest',
    /required/,
  ],
  [
    'digest without its algorithm',
    'kustomize',
    s => void (s.digest = 'a'.repeat(64)),
    'digest',
    /not sha256:/,
  ],
  [
    'digest too short',
    'helm',
    s => void (s.digest = `sha256:${'a'.repeat(63)}`),
    'digest',
    /not sha256:/,
  ],
  [
    'digest in capitals',
    'helm',
    s => void (s.digest = `sha256:${'A'.repeat(64)}`),
    'digest',
    /not sha256:/,
  ],
  [
    'Application name over 53 characters for Helm',
    'helm',
    s => void (s.name = 'a'.repeat(50)),
    'environments[0].name',
    /Helm release/,
  ],
  [
    'annotation the files contradict',
    'kustomize',
    s =>
      void (s.entity.annotations = { 'gitops.backstage.io/path': 'elsewhere' }),
    'entity.annotations.gitops.backstage.io/path',
    /need "apps\/hello"/,
  ],
  [
    'no owner',
    'kustomize',
    s => void (s.entity.owner = ''),
    'entity.owner',
    /required/,
  ],
  [
    'no repository URL for Argo CD',
    'kustomize',
    s => void (s.repository.url = ''),
    'repository.url',
    /required/,
  ],
];

describe('renderNewService refuses', () => {
  it.each(refusals)('%s', (_what, layout, edit, field, reason) => {
    const spec = exampleSpec('argocd', layout);
    edit(spec);
    let error: unknown;
    try {
      renderNewService(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${field.replace(/[.[\]()]/g, '\\$&')}: .*${reason.source}`),
    );
  });

  it.each([
    [
      'one environment without a digest',
      (s: NewServiceSpec) => {
        s.environments = s.environments.slice(2);
        s.digest = null;
      },
    ],
    [
      'a Docker Hub image',
      (s: NewServiceSpec) => void (s.image = 'acme/hello'),
    ],
    [
      'Flux objects in their own namespace',
      (s: NewServiceSpec) => {
        s.engine = 'flux';
        s.flux = {
          namespace: 'apps',
          sourceName: 'fleet.repo',
          sourceNamespace: 'sources',
        };
      },
    ],
  ])('nothing when given %s', (_what, edit) => {
    const spec = exampleSpec('argocd', 'kustomize');
    edit(spec);
    expect(() => renderNewService(spec)).not.toThrow();
  });
});
