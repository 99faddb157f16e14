import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { GitProvider } from './GitProvider';

/**
 * Builds a Git provider; `getDefault` returns a built-in provider by type (`git`, `github`),
 * so a module can wrap one (add caching, metrics) instead of rewriting it.
 *
 * @public
 */
export type GitProviderFactory = (options: {
  getDefault: (type: string) => GitProvider | undefined;
}) => GitProvider;

/**
 * The interface of {@link gitopsGitProvidersExtensionPoint}.
 *
 * @public
 */
export interface GitopsGitProvidersExtensionPoint {
  /**
   * Adds a provider, or replaces the built-in one with the same `type`.
   */
  addGitProvider(provider: GitProvider | GitProviderFactory): void;
}

/**
 * Lets backend modules add Git providers (e.g. GitLab) or replace the built-in `git` and
 * `github` ones.
 *
 * @public
 */
export const gitopsGitProvidersExtensionPoint =
  createExtensionPoint<GitopsGitProvidersExtensionPoint>({
    id: 'gitops.git-providers',
  });
