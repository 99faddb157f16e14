import { fillTemplate } from '../../environments';
import { NewServiceSpec } from '../types';

/** The path templates of the example `app-config.yaml`'s `gitops.environments`. */
export const TEMPLATES = {
  namespace: '{service}-{env}',
  overlayPath: '{path}/overlays/{env}',
  valuesFile: '{path}/values-{env}.yaml',
  definitionPath: [
    'argocd/{service}-{env}.yaml',
    'clusters/{env}/{service}.yaml',
  ],
};

export const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** A spec as a scaffolder action fills it from `gitops.environments`: prod synced by hand. */
export function exampleSpec(
  engine: NewServiceSpec['engine'],
  layout: NewServiceSpec['layout'],
  envs: string[] = ['dev', 'staging', 'prod'],
): NewServiceSpec {
  const vars = (env: string) => ({ service: 'hello', path: 'apps/hello', env });
  return {
    name: 'hello',
    path: 'apps/hello',
    engine,
    layout,
    image: 'ghcr.io/acme/hello',
    tag: 'v1.4.2',
    digest: DIGEST,
    port: 8080,
    autoscaling: { minReplicas: 3, maxReplicas: 10 },
    environments: envs.map((env, i) => ({
      name: env,
      namespace: fillTemplate(TEMPLATES.namespace, vars(env)),
      overlayPath: fillTemplate(TEMPLATES.overlayPath, vars(env)),
      valuesFile: fillTemplate(TEMPLATES.valuesFile, vars(env)),
      definitionPath: fillTemplate(
        TEMPLATES.definitionPath[engine === 'argocd' ? 0 : 1],
        vars(env),
      ),
      autoSync: i < envs.length - 1,
    })),
    repository: {
      url: 'https://github.com/acme/gitops-repo.git',
      branch: 'main',
    },
    entity: { owner: 'team-a', system: 'shop', description: 'Says hello.' },
  };
}

export const COMBINATIONS = [
  ['argocd', 'kustomize'],
  ['argocd', 'helm'],
  ['flux', 'kustomize'],
  ['flux', 'helm'],
] as const;
