/**
 * Environments as the GitOps repository sees them: path templates of overlays, values files
 * and engine definitions, filled per service. The backend reads them from `gitops.environments`;
 * tools and the demo build them with {@link defaultEnvironmentConfig}.
 */

/**
 * How a repository is laid out, where it differs from `gitops.environments`.
 *
 * @public
 */
export interface RepositoryLayout {
  overlayPath?: string;
  valuesFile?: string;
  definitionPath?: string | string[];
  /** What `{env}` stands for, per environment name. */
  environmentFolders?: Record<string, string>;
}

/**
 * An environment as one repository's services see it: its path templates replaced by the
 * repository's, and `{env}` in them by the repository's folder name for it.
 *
 * @public
 */
export function environmentInRepository(
  environment: EnvironmentConfig,
  layout: RepositoryLayout | undefined,
): EnvironmentConfig {
  if (!layout) return environment;
  const folder = layout.environmentFolders?.[environment.name];
  const inFolder = (template: string) =>
    folder ? template.replace(/\{env\}/g, folder) : template;
  const definitionPath = layout.definitionPath ?? environment.definitionPath;
  return {
    ...environment,
    overlayPath: inFolder(layout.overlayPath ?? environment.overlayPath),
    valuesFile: inFolder(layout.valuesFile ?? environment.valuesFile),
    definitionPath:
      definitionPath === null ? null : [definitionPath].flat().map(inFolder),
  };
}

/**
 * A configured environment, defaults applied.
 *
 * @public
 */
export interface EnvironmentConfig {
  name: string;
  cluster: string | null;
  namespace: string;
  overlayPath: string;
  valuesFile: string;
  /**
   * The GitOps engine object of the environment (an Argo CD Application), as a path template;
   * when the file exists, the desired state is resolved from it.
   */
  definitionPath: string | string[] | null;
  promotionPolicy: 'commit' | 'pullRequest';
  /** Environments a promotion into this one may come from. */
  allowedSources: string[];
  /** The source must run the version Synced and Healthy. */
  requireHealthySource: boolean;
  /** The source must have had the version at least this long; 0 = no soak gate. */
  minSoakMinutes: number;
  /** The engine is expected to sync this environment on its own. */
  autoSync: boolean;
  /**
   * The environment's policy requires images pinned by digest
   * (`policy.supplyChain.requireDigest`): an unpinned image is a failing manifest check of
   * its desired state rather than a warning.
   */
  requireDigest?: boolean;
}

/**
 * Fills `{name}` placeholders; unknown placeholders are left as they are.
 *
 * @public
 */
export function fillTemplate(
  template: string,
  values: Record<string, string>,
): string {
  return template
    .replace(/\{(\w+)\}/g, (all, key: string) => values[key] ?? all)
    .replace(/\/+/g, '/')
    .replace(/^\.\//, '');
}

/**
 * An environment with the config defaults applied and some fields set, for code that reads
 * desired state without an app config (tools, tests) and as the base of the config reader.
 *
 * @public
 */
export function defaultEnvironmentConfig(
  name: string,
  overrides: Partial<EnvironmentConfig> = {},
): EnvironmentConfig {
  return {
    name,
    cluster: null,
    namespace: '{service}-{env}',
    overlayPath: '{path}/overlays/{env}',
    valuesFile: '{path}/values-{env}.yaml',
    definitionPath: null,
    promotionPolicy: 'commit',
    allowedSources: [],
    requireHealthySource: false,
    minSoakMinutes: 0,
    autoSync: false,
    ...overrides,
  };
}
