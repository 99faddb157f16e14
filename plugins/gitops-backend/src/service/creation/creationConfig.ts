import { Config } from '@backstage/config';

/** `gitops.serviceCreation`, defaults applied: how `POST /services` lays a new service out. */
export interface ServiceCreationConfig {
  /** The service folder, `{service}` filled: `apps/{service}`. */
  pathTemplate: string;
  /**
   * `commit` to the branch or one `pullRequest` for all files; `null` = a pull request when any
   * environment's promotion mode is `pull-request`, else a commit.
   */
  mode: 'commit' | 'pullRequest' | null;
  argocd: {
    definitionPath: string;
    namespace: string;
    project: string;
    /** `spec.source.repoURL`; `null` = the repository's `url`. */
    repoURL: string | null;
  };
  flux: {
    definitionPath: string;
    namespace: string;
    sourceName: string;
    sourceNamespace: string;
  };
}

/** Reads `gitops.serviceCreation`; throws naming the key on a bad value. */
export function readServiceCreationConfig(
  root: Config | undefined,
): ServiceCreationConfig {
  const creation = root?.getOptionalConfig('serviceCreation');
  const mode = creation?.getOptionalString('mode');
  if (mode !== undefined && mode !== 'commit' && mode !== 'pull-request') {
    throw new Error(
      `gitops.serviceCreation.mode must be "commit" or "pull-request", not "${mode}"`,
    );
  }
  const pathTemplate =
    creation?.getOptionalString('pathTemplate') ?? 'apps/{service}';
  if (!pathTemplate.includes('{service}')) {
    throw new Error(
      'gitops.serviceCreation.pathTemplate must contain {service}',
    );
  }
  const fluxNamespace =
    creation?.getOptionalString('flux.namespace') ?? 'flux-system';
  return {
    pathTemplate,
    mode: mode === undefined ? null : modeOf(mode),
    argocd: {
      definitionPath:
        creation?.getOptionalString('argocd.definitionPath') ??
        'argocd/{service}-{env}.yaml',
      namespace: creation?.getOptionalString('argocd.namespace') ?? 'argocd',
      project: creation?.getOptionalString('argocd.project') ?? 'default',
      repoURL: creation?.getOptionalString('argocd.repoURL') ?? null,
    },
    flux: {
      definitionPath:
        creation?.getOptionalString('flux.definitionPath') ??
        'clusters/{env}/{service}.yaml',
      namespace: fluxNamespace,
      sourceName:
        creation?.getOptionalString('flux.sourceRef.name') ?? 'flux-system',
      sourceNamespace:
        creation?.getOptionalString('flux.sourceRef.namespace') ??
        fluxNamespace,
    },
  };
}

function modeOf(mode: 'commit' | 'pull-request'): 'commit' | 'pullRequest' {
  return mode === 'commit' ? 'commit' : 'pullRequest';
}
