import { Config } from '@backstage/config';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { RepositoryLayout } from '@gitops-backstage/plugin-gitops-repository';

/*
 * Readers of `gitops.repositories[]` entries (see readGitopsConfig): the provider, layout and
 * links of one repository.
 */

/**
 * Links to a repository's files and commits: `links.file`/`links.commit` when configured (any
 * Git host's web view, e.g. a plain one's raw files), otherwise derived for GitHub and GitLab
 * HTTPS URLs; `null` for other hosts and local paths.
 */
export function repositoryLinks(
  url: string,
  repo: Config,
): { file: string | null; commit: string | null } {
  const web = /^https:\/\/(github\.com|gitlab\.com)\/(.+?)(\.git)?\/?$/.exec(
    url,
  );
  const base = web ? `https://${web[1]}/${web[2]}` : null;
  const infix = web?.[1] === 'gitlab.com' ? '/-' : '';
  return {
    file:
      repo.getOptionalString('links.file') ??
      (base ? `${base}${infix}/blob/{branch}/{path}` : null),
    commit:
      repo.getOptionalString('links.commit') ??
      (base ? `${base}${infix}/commit/{sha}` : null),
  };
}

/** The provider of a repository without `provider`: `github` where an integration has its host. */
export function defaultProviderFor(
  url: string,
  integrations: ScmIntegrationRegistry,
): string {
  try {
    return integrations.github.byUrl(url) ? 'github' : 'git';
  } catch {
    // Not a URL (a local path or scp-like `git@host:repo`): only the git CLI reads those.
    return 'git';
  }
}

/** A repository's own layout (`layout`), where it differs from the environments'. */
export function readLayout(
  config: Config | undefined,
): RepositoryLayout | undefined {
  if (!config) return undefined;
  const definitionPath = config.has('definitionPath')
    ? config.getOptional<string | string[]>('definitionPath')
    : undefined;
  if (
    definitionPath !== undefined &&
    !(
      typeof definitionPath === 'string' ||
      (Array.isArray(definitionPath) &&
        definitionPath.every(p => typeof p === 'string'))
    )
  ) {
    throw new Error(
      'gitops.repositories[].layout.definitionPath must be a path template or a list of them',
    );
  }
  const folders = config.getOptionalConfig('environmentFolders');
  return {
    overlayPath: config.getOptionalString('overlayPath'),
    valuesFile: config.getOptionalString('valuesFile'),
    definitionPath,
    environmentFolders: folders
      ? Object.fromEntries(folders.keys().map(k => [k, folders.getString(k)]))
      : undefined,
  };
}
