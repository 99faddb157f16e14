import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import {
  GitProvider,
  GitProviderFactory,
} from '@gitops-backstage/plugin-gitops-node';
import { CliGitProvider } from '@gitops-backstage/plugin-gitops-repository';
import { GitopsConfig } from '../config';
import {
  observeStaleRepositories,
  recordGitFetch,
} from '../telemetry/gitopsMetrics';
import { GithubGitProvider } from './GithubGitProvider';

/** Options of {@link createGitProviders}. */
export interface GitProvidersOptions {
  config: GitopsConfig;
  integrations: ScmIntegrations;
  /** Where GitHub heads and blobs are shared with the other backend instances. */
  sharedCache: CacheService | undefined;
  logger: LoggerService;
  /** Providers added through `gitopsGitProvidersExtensionPoint`. */
  extra: ReadonlyArray<GitProvider | GitProviderFactory>;
}

/**
 * The Git providers by type: the built-in `git` (command line, a local mirror per
 * repository) and `github` (REST API), then those added through the extension point, which
 * replace a built-in of the same type and may wrap it (a factory gets the default).
 */
export function createGitProviders(options: GitProvidersOptions) {
  const { config, logger } = options;
  const cliGit = new CliGitProvider({
    cacheDir: config.git.cacheDir,
    fetchIntervalSeconds: config.git.fetchIntervalSeconds,
    timeoutMs: config.timeouts.gitMs,
    logger,
    onFetch: result => recordGitFetch('git', result),
  });
  const builtIn = new Map<string, GitProvider>();
  for (const provider of [
    cliGit,
    new GithubGitProvider({
      integrations: options.integrations,
      logger,
      timeoutMs: config.timeouts.gitMs,
      fetchIntervalSeconds: config.git.fetchIntervalSeconds,
      sharedCache: options.sharedCache,
    }),
  ]) {
    builtIn.set(provider.type, provider);
  }
  const providers = new Map(builtIn);
  for (const extra of options.extra) {
    const provider =
      typeof extra === 'function'
        ? extra({ getDefault: type => builtIn.get(type) })
        : extra;
    providers.set(provider.type, provider);
  }
  return { cliGit, providers };
}

/**
 * Reports, per provider that knows them, the repositories it could not fetch (a metric
 * read at collection time). Returns the function that stops it.
 */
export function observeGitProviders(
  providers: ReadonlyMap<string, GitProvider>,
): () => void {
  return observeStaleRepositories(() =>
    [...providers.values()].flatMap(provider =>
      provider.staleRepositories
        ? [
            {
              provider: provider.type,
              stale: provider.staleRepositories().length,
            },
          ]
        : [],
    ),
  );
}
