import {
  SupplyChainConfig,
  readSupplyChainConfig,
} from './supplychain/supplyChainConfig';
import { Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import os from 'node:os';
import path from 'node:path';
import {
  EnvironmentConfig,
  RepositoryLayout,
} from '@gitops-backstage/plugin-gitops-repository';
import { RegistryHostConfig } from './registry/OciRegistryClient';
import {
  ServiceCreationConfig,
  readServiceCreationConfig,
} from './creation/creationConfig';
import {
  EnvironmentPolicy,
  EnvironmentVerificationConfig,
  PolicySettings,
  readEnvironmentPolicy,
  readEnvironmentVerification,
  readPolicySettings,
} from './policy/policyConfig';
import {
  AutomationSettings,
  readAutomationSettings,
} from './automation/automationConfig';
import { ChangesConfig, readChangesConfig } from './changes/changesConfig';
import { readEnvironment } from './environmentConfig';
import {
  defaultProviderFor,
  readLayout,
  repositoryLinks,
} from './repositoryConfig';

export type { EnvironmentConfig, RepositoryLayout };
export {
  defaultEnvironmentConfig,
  environmentInRepository,
  fillTemplate,
} from '@gitops-backstage/plugin-gitops-repository';

/** A configured GitOps repository, defaults applied. */
export interface RepositoryConfig {
  name: string;
  url: string;
  branch: string;
  provider: string;
  /** Path templates of this repository that replace the environments' own. */
  layout?: RepositoryLayout;
  /** Web addresses of a file (`{branch}`, `{path}`) and a commit (`{sha}`); `null` when unknown. */
  links: { file: string | null; commit: string | null };
}

/** The whole `gitops` config block, defaults applied in this one place. */
export interface GitopsConfig {
  repositories: RepositoryConfig[];
  environments: EnvironmentConfig[];
  git: { cacheDir: string; fetchIntervalSeconds: number };
  timeouts: {
    gitMs: number;
    clusterMs: number;
    registryMs: number;
    /** Server-side time-out of each cluster watch; a watch silent for longer is restarted. */
    watchSeconds: number;
    /** Cap of the jittered reconnect backoff of a failed cluster watch. */
    clusterReconnectMaxMs: number;
    /** How often a kind the cluster does not serve or the account may not list is listed again. */
    kindRecheckMs: number;
  };
  /** Registries looked up for newer tags and digests; images on other hosts are not. */
  registries: RegistryHostConfig[];
  registryCacheMs: number;
  /** Tag lists and digests kept in memory. */
  registryCacheEntries: number;
  /** Argo CD's reconciliation period (`timeout.reconciliation`), in seconds. */
  argoReconcileSeconds: number;
  historyLimit: number;
  /** A fleet overview page is answered again for this long (per caller and filter). */
  overviewReuseMs: number;
  /** How long the fleet view reuses the catalog's list of GitOps entities (per caller). */
  overviewCatalogMs: number;
  /** How often rows whose time-based state is due are recomputed in the background. */
  overviewRecheckMs: number;
  /** Change requests a user may make per minute (`rateLimit.changesPerMinute`); 0: no limit. */
  changesPerMinute: number;
  /** Live updates pushed with Backstage signals (see EntityChangeSignals). */
  signals: { intervalMs: number; watchMs: number; maxEntities: number };
  /** Delivery metrics and the deployment ledger (`gitops.metrics`). */
  metrics: {
    recordIntervalSeconds: number;
    failureWindowHours: number;
    failAfterMinutes: number;
    freshMinutes: number;
    historyReadsPerPass: number;
  };
  /** The gates of changes into each environment, by environment name. */
  policies: Record<string, EnvironmentPolicy>;
  /** The checks run after each deployment, by environment name (no checks: none). */
  verifications: Record<string, EnvironmentVerificationConfig>;
  /** `gitops.automation`: the portal's auto-promotion and auto-rollback. */
  automation: AutomationSettings;
  /** `gitops.changes`: what will ship between two versions. */
  changes: ChangesConfig;
  /** `gitops.supplyChain`: what signatures to trust; `null` when absent (none are read). */
  supplyChain: SupplyChainConfig | null;
  /** `gitops.verification` (runner) and `gitops.policy` (time zone). */
  policy: PolicySettings;
  /** How `POST /services` lays a new service out (`gitops.serviceCreation`). */
  serviceCreation: ServiceCreationConfig;
  promotion: {
    /** How often the tracker checks pending changes. */
    trackIntervalSeconds: number;
    /** A committed change not running Synced and Healthy by then is Failed. */
    trackTimeoutMinutes: number;
    /**
     * A change still `Writing` this long after its last attempt began was cut off (the backend
     * stopped): recovery settles it from the branch. At least twice the Git fetch interval, so
     * the branch it looks at is new enough to hold the push.
     */
    unfinishedWriteSeconds: number;
    /** How long an open pull request is followed before it is Failed. */
    pullRequestTimeoutHours: number;
    /** Push attempts (re-planned on the new head) before a 409. */
    maxAttempts: number;
    /** Author e-mail when the catalog User has none. */
    fallbackEmail: string;
  };
}

/** Environment names end up in paths, branch names and commit messages. */
export const ENVIRONMENT_NAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'prod'];

/**
 * Reads `gitops.*` from the app config.
 *
 * Without `gitops.environments`, dev → staging → prod is assumed, which is what the seeds'
 * platforms use.
 */
export function readGitopsConfig(
  config: Config,
  integrations: ScmIntegrationRegistry,
): GitopsConfig {
  const root = config.getOptionalConfig('gitops');
  const repositories = (root?.getOptionalConfigArray('repositories') ?? []).map(
    repo => {
      const url = repo.getString('url');
      return {
        name: repo.getOptionalString('name') ?? url,
        url,
        branch: repo.getOptionalString('branch') ?? 'main',
        provider:
          repo.getOptionalString('provider') ??
          defaultProviderFor(url, integrations),
        layout: readLayout(repo.getOptionalConfig('layout')),
        links: repositoryLinks(url, repo),
      };
    },
  );

  const environmentConfigs = root?.getOptionalConfigArray('environments');
  const environments = environmentConfigs
    ? environmentConfigs.map((env, index) =>
        readEnvironment(
          env.getString('name'),
          index === 0 ? null : environmentConfigs[index - 1].getString('name'),
          env,
        ),
      )
    : DEFAULT_ENVIRONMENTS.map((name, index) =>
        readEnvironment(name, DEFAULT_ENVIRONMENTS[index - 1] ?? null),
      );
  const names = new Set<string>();
  for (const env of environments) {
    if (!ENVIRONMENT_NAME.test(env.name)) {
      throw new Error(
        `gitops.environments: "${env.name}" is not a valid environment name (letters, digits, '.', '_', '-')`,
      );
    }
    if (names.has(env.name)) {
      throw new Error(`gitops.environments lists "${env.name}" twice`);
    }
    names.add(env.name);
  }
  for (const env of environments) {
    const unknown = env.allowedSources.filter(s => !names.has(s));
    if (unknown.length > 0) {
      throw new Error(
        `gitops.environments[${
          env.name
        }] allowedSources names unknown environments: ${unknown.join(', ')}`,
      );
    }
  }

  const policy = readPolicySettings(root);
  const envConfig = (name: string) =>
    environmentConfigs?.find(e => e.getString('name') === name);
  const policies = Object.fromEntries(
    environments.map(env => [
      env.name,
      readEnvironmentPolicy(env.name, envConfig(env.name), policy.timeZone),
    ]),
  );
  const verifications = Object.fromEntries(
    environments.map(env => [
      env.name,
      readEnvironmentVerification(env.name, envConfig(env.name)),
    ]),
  );
  for (const env of environments) {
    const auto = policies[env.name].autoPromotion;
    if (auto) {
      if (!names.has(auto.from) || auto.from === env.name) {
        throw new Error(
          `gitops.environments[${env.name}].policy.autoPromotion.from names "${auto.from}", not another known environment`,
        );
      }
      if (verifications[auto.from].checks.length === 0) {
        throw new Error(
          `gitops.environments[${env.name}].policy.autoPromotion.from names "${auto.from}", which has no verification.checks: it takes versions verified there`,
        );
      }
    }
    if (
      policies[env.name].rollbackOnFailedVerification &&
      verifications[env.name].checks.length === 0
    ) {
      throw new Error(
        `gitops.environments[${env.name}].policy.rollbackOnFailedVerification needs verification.checks in ${env.name}`,
      );
    }
    for (const other of policies[env.name].verifiedIn) {
      if (!names.has(other)) {
        throw new Error(
          `gitops.environments[${env.name}].policy.verifiedIn names unknown environment "${other}"`,
        );
      }
      if (verifications[other].checks.length === 0) {
        throw new Error(
          `gitops.environments[${env.name}].policy.verifiedIn names "${other}", which has no verification.checks`,
        );
      }
    }
  }

  return {
    repositories,
    environments,
    policies,
    verifications,
    policy,
    automation: readAutomationSettings(root),
    changes: readChangesConfig(root),
    supplyChain: root?.has('supplyChain') ? readSupplyChainConfig(root) : null,
    git: {
      cacheDir:
        root?.getOptionalString('git.cacheDir') ??
        path.join(os.tmpdir(), 'gitops-git-cache'),
      fetchIntervalSeconds:
        root?.getOptionalNumber('git.fetchIntervalSeconds') ?? 30,
    },
    timeouts: {
      gitMs: (root?.getOptionalNumber('timeouts.gitSeconds') ?? 20) * 1000,
      clusterMs:
        (root?.getOptionalNumber('timeouts.clusterSeconds') ?? 5) * 1000,
      registryMs:
        (root?.getOptionalNumber('timeouts.registrySeconds') ?? 5) * 1000,
      watchSeconds: root?.getOptionalNumber('timeouts.watchSeconds') ?? 60,
      clusterReconnectMaxMs:
        positive(root, 'timeouts.clusterReconnectMaxSeconds', 5) * 1000,
      kindRecheckMs: positive(root, 'timeouts.kindRecheckSeconds', 300) * 1000,
    },
    registries: (root?.getOptionalConfigArray('registries') ?? []).map(r => ({
      host: r.getString('host'),
      username: r.getOptionalString('username'),
      password: r.getOptionalString('password'),
      insecure: r.getOptionalBoolean('insecure'),
      url: r.getOptionalString('url'),
    })),
    registryCacheMs:
      (root?.getOptionalNumber('registryCacheSeconds') ?? 300) * 1000,
    registryCacheEntries: Math.floor(
      positive(root, 'registryCacheEntries', 50_000),
    ),
    overviewReuseMs:
      (root?.getOptionalNumber('overview.reuseSeconds') ?? 2) * 1000,
    overviewCatalogMs:
      (root?.getOptionalNumber('overview.catalogSeconds') ?? 10) * 1000,
    overviewRecheckMs: positive(root, 'overview.recheckSeconds', 5) * 1000,
    changesPerMinute:
      root?.getOptionalNumber('rateLimit.changesPerMinute') ?? 30,
    signals: {
      intervalMs: positive(root, 'signals.intervalSeconds', 5) * 1000,
      watchMs: positive(root, 'signals.watchMinutes', 10) * 60_000,
      maxEntities: positive(root, 'signals.maxEntities', 200),
    },
    argoReconcileSeconds:
      root?.getOptionalNumber('argocd.reconciliationSeconds') ?? 180,
    serviceCreation: readServiceCreationConfig(root),
    metrics: {
      recordIntervalSeconds: positive(
        root,
        'metrics.recordIntervalSeconds',
        30,
      ),
      failureWindowHours: positive(root, 'metrics.failureWindowHours', 24),
      failAfterMinutes: positive(root, 'metrics.failAfterMinutes', 10),
      freshMinutes: positive(root, 'metrics.freshMinutes', 30),
      historyReadsPerPass: positive(root, 'metrics.historyReadsPerPass', 100),
    },
    historyLimit: root?.getOptionalNumber('historyLimit') ?? 100,
    promotion: {
      trackIntervalSeconds:
        root?.getOptionalNumber('promotion.trackIntervalSeconds') ?? 15,
      trackTimeoutMinutes:
        root?.getOptionalNumber('promotion.trackTimeoutMinutes') ?? 30,
      pullRequestTimeoutHours:
        root?.getOptionalNumber('promotion.pullRequestTimeoutHours') ?? 168,
      maxAttempts: root?.getOptionalNumber('promotion.maxAttempts') ?? 30,
      unfinishedWriteSeconds: Math.max(
        root?.getOptionalNumber('promotion.unfinishedWriteSeconds') ?? 120,
        2 * (root?.getOptionalNumber('git.fetchIntervalSeconds') ?? 30),
      ),
      fallbackEmail:
        root?.getOptionalString('promotion.fallbackEmail') ??
        'backstage@localhost',
    },
  };
}

/** The configured environment of that name; 404 naming the configured ones otherwise. */
export function findEnvironment(
  config: GitopsConfig,
  name: string,
): EnvironmentConfig {
  const environment = config.environments.find(e => e.name === name);
  if (!environment) {
    throw new NotFoundError(
      `Unknown environment "${name}"; configured: ${config.environments
        .map(e => e.name)
        .join(', ')}`,
    );
  }
  return environment;
}

/** A number under `gitops` that must be above 0, or its default. */
function positive(
  root: Config | undefined,
  key: string,
  fallback: number,
): number {
  const value = root?.getOptionalNumber(key) ?? fallback;
  if (!(value > 0)) {
    throw new Error(`gitops.${key} must be a number above 0, not ${value}`);
  }
  return value;
}
