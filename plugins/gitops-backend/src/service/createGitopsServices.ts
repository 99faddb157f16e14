import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import {
  GitProvider,
  GitProviderFactory,
} from '@gitops-backstage/plugin-gitops-node';
import { readGitopsConfig } from './config';
import { DesiredStateReader } from './desired/DesiredStateReader';
import { EnvironmentService } from './EnvironmentService';
import { CliGitProvider } from './git/CliGitProvider';
import { GithubGitProvider } from './git/GithubGitProvider';
import { HistoryService } from './HistoryService';
import { ServiceLocator } from './ServiceLocator';

/** Options of {@link createGitopsServices}. */
export interface CreateGitopsServicesOptions {
  config: RootConfigService;
  logger: LoggerService;
  /** Providers added through `gitopsGitProvidersExtensionPoint`. */
  extraGitProviders: Array<GitProvider | GitProviderFactory>;
}

/**
 * The one composition root of the backend: reads config once and builds every service in
 * dependency order.
 */
export function createGitopsServices(options: CreateGitopsServicesOptions) {
  const { logger } = options;
  const integrations = ScmIntegrations.fromConfig(options.config);
  const config = readGitopsConfig(options.config, integrations);

  const builtIn = new Map<string, GitProvider>();
  for (const provider of [
    new CliGitProvider({
      cacheDir: config.git.cacheDir,
      fetchIntervalSeconds: config.git.fetchIntervalSeconds,
      timeoutMs: config.timeouts.gitMs,
      logger,
    }),
    new GithubGitProvider({
      integrations,
      logger,
      timeoutMs: config.timeouts.gitMs,
    }),
  ]) {
    builtIn.set(provider.type, provider);
  }
  const providers = new Map(builtIn);
  for (const extra of options.extraGitProviders) {
    const provider =
      typeof extra === 'function'
        ? extra({ getDefault: type => builtIn.get(type) })
        : extra;
    providers.set(provider.type, provider);
  }

  const locator = new ServiceLocator({ config, providers });
  const reader = new DesiredStateReader();
  return {
    config,
    providers,
    environments: new EnvironmentService({ config, locator, reader, logger }),
    history: new HistoryService({ config, locator, reader }),
  };
}

/** What {@link createGitopsServices} builds. */
export type GitopsServices = ReturnType<typeof createGitopsServices>;
