import {
  AuditorService,
  AuthService,
  CacheService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { SignalsService } from '@backstage/plugin-signals-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EvidenceProvider,
  GitProvider,
  GitProviderFactory,
  VerificationCheckKind,
} from '@gitops-backstage/plugin-gitops-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { ANNOTATION_GITOPS_PATH } from '@gitops-backstage/plugin-gitops-common';
import { fillTemplate, readGitopsConfig } from './config';
import { crossInstanceStore } from './cache/SharedCache';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { EnvironmentService } from './EnvironmentService';
import { createGitProviders, observeGitProviders } from './git/gitProviders';
import { CompareService } from './CompareService';
import { HistoryService } from './HistoryService';
import { OverviewService } from './OverviewService';
import { FleetEntities } from './fleet/FleetEntities';
import { actionMetricsListener } from './telemetry/gitopsMetrics';
import { ServiceLocator } from './ServiceLocator';
import { readClusters } from './live/clusterConfig';
import { LiveStateCache } from './live/LiveStateCache';
import { LiveStatusService } from './live/LiveStatusService';
import { OciRegistryClient } from './registry/OciRegistryClient';
import { ServiceCreationService } from './creation/ServiceCreationService';
import { DeploymentRecorder } from './metrics/DeploymentRecorder';
import { MetricsService } from './metrics/MetricsService';
import { DeploymentLedger } from './store/DeploymentLedger';
import { ChartRepositoryClient } from './registry/ChartRepositoryClient';
import { RegistryStatusService } from './registry/RegistryStatusService';
import { parseImageRepository } from './registry/imageRepository';
import { ActionTracker } from './promotion/ActionTracker';
import { UnfinishedWrites } from './promotion/UnfinishedWrites';
import { ChangeWriter } from './promotion/ChangeWriter';
import { PromotionService } from './promotion/PromotionService';
import { ActionStore } from './store/ActionStore';
import { SyncService } from './sync/SyncService';
import { RolloutActionService } from './rollouts/RolloutActionService';
import { EntityChangeSignals } from './signals/EntityChangeSignals';
import { PolicyService } from './policy/PolicyService';
import { EnvironmentEvidenceService } from './evidence/EnvironmentEvidenceService';
import { DigestEvidenceService } from './supplychain';
import { PolicyRequests } from './policy/PolicyRequests';
import { PolicyStore } from './store/PolicyStore';
import { VerificationStore } from './store/VerificationStore';
import { VerificationRunner } from './verification/VerificationRunner';
import { AutomationRunner } from './automation/AutomationRunner';
import { ChangesService } from './changes/ChangesService';
import { CliGitCompare } from './changes/CliGitCompare';
import { GithubCompare } from './changes/GithubCompare';
import { SourceRevisionReader } from './changes/SourceRevisionReader';
import { AutomationStore } from './store/AutomationStore';
import { builtInCheckKinds } from './verification/checks';
import { ChangeAuditor } from './audit/auditChange';

/** Options of {@link createGitopsServices}. */
export interface CreateGitopsServicesOptions {
  config: RootConfigService;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** Backstage's auditor: every change is one event (see service/audit/auditChange.ts). */
  auditor: AuditorService;
  /** Where promotions, rollbacks, scaling and sync requests are recorded. */
  store: ActionStore;
  /** The deployment ledger delivery metrics are computed from. */
  ledger: DeploymentLedger;
  /**
   * Backstage's cache service: registry answers and GitHub heads and blobs are shared with
   * the other backend instances through it (configure `backend.cache`, e.g. Redis).
   */
  cache?: CacheService;
  /** Providers added through `gitopsGitProvidersExtensionPoint`. */
  extraGitProviders: Array<GitProvider | GitProviderFactory>;
  /** Backstage's signals service: open GitOps tabs are told when their entity changed. */
  signals?: SignalsService;
  /** Approvals, proposals and freezes. */
  policyStore: PolicyStore;
  /** Verification runs per (entity, environment, version). */
  verificationStore: VerificationStore;
  /** The portal automation's events and pauses. */
  automationStore: AutomationStore;
  /** Added through `gitopsEvidenceProvidersExtensionPoint`. */
  evidenceProviders?: EvidenceProvider[];
  /** Added through `gitopsVerificationChecksExtensionPoint` (replace built-ins by kind). */
  extraCheckKinds?: VerificationCheckKind[];
}

/**
 * The one composition root of the backend: reads config once and builds every service in
 * dependency order.
 */
export function createGitopsServices(options: CreateGitopsServicesOptions) {
  const { logger } = options;
  const integrations = ScmIntegrations.fromConfig(options.config);
  const config = readGitopsConfig(options.config, integrations);
  const sharedCache = crossInstanceStore(options.config, options.cache);

  const { cliGit, providers } = createGitProviders({
    config,
    integrations,
    sharedCache,
    logger,
    extra: options.extraGitProviders,
  });

  const locator = new ServiceLocator({ config, providers });
  const audit = new ChangeAuditor({
    auditor: options.auditor,
    logger,
    // The last environment of the promotion order (prod in dev → staging → prod) is the one
    // whose changes are audited as `high`.
    productionEnvironments: config.environments.slice(-1).map(e => e.name),
  });
  const cache = new LiveStateCache({
    clusters: readClusters(options.config),
    logger,
    timeoutMs: config.timeouts.clusterMs,
    watchTimeoutSeconds: config.timeouts.watchSeconds,
    maxBackoffMs: config.timeouts.clusterReconnectMaxMs,
    recheckMs: config.timeouts.kindRecheckMs,
    // `namespaces.fromEnvironments`: each environment's namespace for every GitOps service.
    serviceNamespaces: async cluster => {
      const { items } = await options.catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]:
              CATALOG_FILTER_EXISTS,
          },
          fields: ['metadata.name'],
        },
        { credentials: await options.auth.getOwnServiceCredentials() },
      );
      return config.environments
        .filter(environment => environment.cluster === cluster)
        .flatMap(environment =>
          items.map(entity =>
            fillTemplate(environment.namespace, {
              service: entity.metadata.name,
              env: environment.name,
            }),
          ),
        );
    },
  });
  const live = new LiveStatusService({
    cache,
    argoReconcileSeconds: config.argoReconcileSeconds,
    vulnerabilityLimits: Object.fromEntries(
      config.environments.map(env => [
        env.name,
        config.policies[env.name]?.supplyChain?.maxVulnerabilities ?? null,
      ]),
    ),
  });
  const reader = new DesiredStateReader();
  const registryClient = new OciRegistryClient({
    hosts: config.registries,
    logger,
    timeoutMs: config.timeouts.registryMs,
    cacheTtlMs: config.registryCacheMs,
    cacheEntries: config.registryCacheEntries,
    sharedCache,
  });
  const registry = new RegistryStatusService({
    client: registryClient,
    charts: new ChartRepositoryClient({
      hosts: config.registries,
      oci: registryClient,
      logger,
      timeoutMs: config.timeouts.registryMs,
      cacheTtlMs: config.registryCacheMs,
      sharedCache,
    }),
  });
  const environments = new EnvironmentService({
    config,
    locator,
    reader,
    live,
    registry,
    logger,
  });
  const entitySignals = new EntityChangeSignals({
    signals: options.signals,
    environments,
    logger,
    ...config.signals,
  });
  options.store.onChange(action => entitySignals.actionChanged(action));
  options.store.onChange(actionMetricsListener());
  const history = new HistoryService({
    config,
    locator,
    reader,
    store: options.store,
  });
  const resolveDigest = async (
    image: string,
    tag: string,
    signal?: AbortSignal,
  ) => {
    const ref = parseImageRepository(image);
    // Only registries listed in config are asked, as for the registry column.
    if (!config.registries.some(r => r.host === ref.host)) return null;
    return registryClient.getDigest(ref, tag, { signal });
  };
  // Registry evidence only where `gitops.supplyChain` says what to trust.
  const digestEvidence = config.supplyChain
    ? new DigestEvidenceService({
        registry: registryClient,
        config: config.supplyChain,
        logger,
      })
    : null;
  const evidence = new EnvironmentEvidenceService({
    registry: digestEvidence,
    policies: Object.fromEntries(
      config.environments.map(env => [
        env.name,
        config.policies[env.name]?.supplyChain ?? null,
      ]),
    ),
    resolveDigest,
  });
  const policy = new PolicyService({
    config,
    policyStore: options.policyStore,
    verifications: options.verificationStore,
    evidenceProviders: options.evidenceProviders ?? [],
    supplyChain: evidence,
    logger,
  });
  const checkKinds = new Map<string, VerificationCheckKind>();
  for (const kind of [
    ...builtInCheckKinds({
      integrations,
      prometheusUrl: config.policy.verification.prometheusUrl ?? undefined,
    }),
    ...(options.extraCheckKinds ?? []),
  ]) {
    checkKinds.set(kind.kind, kind);
  }
  // The GitOps entities, shared by the fleet view and the background passes.
  const fleet = new FleetEntities({
    catalog: options.catalog,
    auth: options.auth,
    freshMs: config.overviewCatalogMs,
  });
  const verification = new VerificationRunner({
    config,
    fleet,
    catalog: options.catalog,
    auth: options.auth,
    store: options.verificationStore,
    logger,
    kinds: checkKinds,
    environments,
  });
  // Open tabs hear about verifications and approvals of their entity, and freezes.
  options.verificationStore.onChange(record =>
    entitySignals.policyChanged(record.entityRef),
  );
  options.policyStore.onChange(change =>
    entitySignals.policyChanged(
      change.kind === 'freeze' ? null : change.entityRef,
    ),
  );
  const writer = new ChangeWriter({
    logger,
    maxAttempts: config.promotion.maxAttempts,
  });
  const promotions = new PromotionService({
    config,
    locator,
    reader,
    environments,
    history,
    store: options.store,
    writer,
    logger,
    tracks: environment => live.covers(environment),
    resolveDigest,
    policy,
    audit,
  });
  const automation = new AutomationRunner({
    config,
    catalog: options.catalog,
    auth: options.auth,
    store: options.automationStore,
    verifications: options.verificationStore,
    audit,
    logger,
    environments,
    promotions,
  });
  const changes = new ChangesService({
    environments,
    environmentConfigs: config.environments,
    reader: new SourceRevisionReader(registryClient),
    cli: new CliGitCompare({
      cacheDir: config.changes.cacheDir,
      timeoutMs: config.timeouts.gitMs,
      logger,
    }),
    github: new GithubCompare({
      integrations,
      logger,
      timeoutMs: config.timeouts.gitMs,
      pullRequestLookups: config.changes.pullRequestLookups,
    }),
    hasGithubIntegration: host => !!integrations.github.byHost(host),
    config: config.changes,
    logger,
  });
  const creation = new ServiceCreationService({
    config,
    providers,
    writer,
    store: options.store,
    audit,
    logger,
    tracks: environment => live.covers(environment),
    resolveDigest,
    entityExists: async entityRef =>
      Boolean(
        await options.catalog.getEntityByRef(entityRef, {
          credentials: await options.auth.getOwnServiceCredentials(),
        }),
      ),
  });
  let stopGitMetrics: (() => void) | undefined;
  return {
    config,
    providers,
    /** Where each entity's files are, and the configured repositories. */
    locator,
    cache,
    /** Starts the cluster watches and the signals of changed entities. */
    start: () => {
      cache.start();
      stopGitMetrics ??= observeGitProviders(providers);
      entitySignals.start();
    },
    /** Stops watches, signals and long-running git readers. */
    stop: async () => {
      await entitySignals.stop();
      await cache.stop();
      stopGitMetrics?.();
      stopGitMetrics = undefined;
      cliGit.close();
    },
    environments,
    /** The catalog's GitOps entities, shared by views and passes. */
    fleet,
    /** Audits changes refused before they reach a service (a permission said no). */
    audit,
    /** Whether the plugin's database answers, for `/health`. */
    database: () => options.store.ping(config.timeouts.clusterMs),
    entitySignals,
    policy,
    policyRequests: new PolicyRequests({
      config,
      policy,
      policyStore: options.policyStore,
      verifications: options.verificationStore,
      audit,
      logger,
    }),
    verification,
    automation,
    automationStore: options.automationStore,
    changes,
    evidence,
    overview: new OverviewService({
      catalog: options.catalog,
      entities: fleet,
      environments,
      supplyChain: evidence,
      logger,
      reuseMs: config.overviewReuseMs,
    }),
    history,
    promotions,
    creation,
    sync: new SyncService({
      config,
      locator,
      reader,
      live,
      kubeConfig: cluster => cache.kubeConfig(cluster),
      store: options.store,
      audit,
      logger,
    }),
    rollouts: new RolloutActionService({
      config,
      locator,
      reader,
      live,
      kubeConfig: cluster => cache.kubeConfig(cluster),
      store: options.store,
      audit,
      logger,
      timeoutMs: config.timeouts.clusterMs,
    }),
    tracker: new ActionTracker({
      config,
      store: options.store,
      environments,
      catalog: options.catalog,
      auth: options.auth,
      fleet,
      tracks: environment => live.covers(environment),
      logger,
    }),
    unfinishedWrites: new UnfinishedWrites({
      config,
      store: options.store,
      providers,
      logger,
    }),
    compare: new CompareService({ config, locator, reader }),
    metrics: new MetricsService({
      config,
      ledger: options.ledger,
      catalog: options.catalog,
    }),
    recorder: new DeploymentRecorder({
      config,
      fleet,
      catalog: options.catalog,
      auth: options.auth,
      ledger: options.ledger,
      logger,
      environments,
      getHistory: (entity, environment) =>
        history.getHistory(entity, environment),
    }),
  };
}

/** What {@link createGitopsServices} builds. */
export type GitopsServices = ReturnType<typeof createGitopsServices>;
