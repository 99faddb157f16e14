import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  EvidenceProvider,
  GitProvider,
  GitProviderFactory,
  VerificationCheckKind,
  gitopsEvidenceProvidersExtensionPoint,
  gitopsGitProvidersExtensionPoint,
  gitopsVerificationChecksExtensionPoint,
} from '@gitops-backstage/plugin-gitops-node';
import {
  gitopsApprovePermission,
  gitopsOverridePermission,
  gitopsAutomationManagePermission,
  gitopsPermissions,
  gitopsPromotePermission,
  gitopsRolloutPermission,
  gitopsScalePermission,
  gitopsSyncPermission,
  parseGitopsEnvironmentResourceRef,
} from '@gitops-backstage/plugin-gitops-common';
import {
  gitopsEnvironmentPermissionResourceRef,
  gitopsEnvironmentRules,
} from './permissions/rules';
import { ActionStore } from './service/store/ActionStore';
import { DeploymentLedger } from './service/store/DeploymentLedger';
import { PolicyStore } from './service/store/PolicyStore';
import { VerificationStore } from './service/store/VerificationStore';
import { AutomationStore } from './service/store/AutomationStore';
import { createRouter } from './router';
import { createGitopsServices } from './service/createGitopsServices';
import { subscribePushEvents } from './service/git/pushEvents';
import { scheduleRepositoryPrefetch } from './service/git/repositoryPrefetch';

/**
 * The GitOps backend plugin: desired state from Git per environment, and its history.
 *
 * @public
 */
export const gitopsPlugin = createBackendPlugin({
  pluginId: 'gitops',
  register(env) {
    const extraGitProviders: Array<GitProvider | GitProviderFactory> = [];
    env.registerExtensionPoint(gitopsGitProvidersExtensionPoint, {
      addGitProvider(provider) {
        extraGitProviders.push(provider);
      },
    });
    const evidenceProviders: EvidenceProvider[] = [];
    env.registerExtensionPoint(gitopsEvidenceProvidersExtensionPoint, {
      addEvidenceProvider(provider) {
        evidenceProviders.push(provider);
      },
    });
    const extraCheckKinds: VerificationCheckKind[] = [];
    env.registerExtensionPoint(gitopsVerificationChecksExtensionPoint, {
      addCheckKind(kind) {
        extraCheckKinds.push(kind);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        cache: coreServices.cache,
        signals: signalsServiceRef,
        events: eventsServiceRef,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
      },
      async init({
        config,
        logger,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        catalog,
        lifecycle,
        auth,
        database,
        scheduler,
        cache,
        signals,
        events,
        userInfo,
        auditor,
      }) {
        const store = await ActionStore.create(database);
        const ledger = await DeploymentLedger.create(database);
        const policyStore = await PolicyStore.create(database);
        const verificationStore = await VerificationStore.create(database);
        const automationStore = await AutomationStore.create(database);
        const services = createGitopsServices({
          config,
          logger,
          auditor,
          extraGitProviders,
          catalog,
          auth,
          store,
          ledger,
          cache,
          signals,
          policyStore,
          verificationStore,
          automationStore,
          evidenceProviders,
          extraCheckKinds,
        });
        // Watches start now so the first page view finds warm caches.
        services.start();
        lifecycle.addShutdownHook(() => services.stop());
        // A push webhook (GitHub, GitLab events modules) fetches its repository at once.
        await subscribePushEvents({
          events,
          logger,
          config: services.config,
          providers: services.providers,
          checkNow: affected => services.entitySignals.checkNow(affected),
        });
        // Mirrors fetched ahead of their interval: views do not wait for a fetch.
        await scheduleRepositoryPrefetch({
          scheduler,
          logger,
          repositories: () => services.locator.repositories(),
          fetchIntervalSeconds: services.config.git.fetchIntervalSeconds,
        });
        await services.tracker.schedule(scheduler);
        await services.unfinishedWrites.schedule(scheduler);
        await services.recorder.schedule(scheduler);
        await services.overview.schedule(
          scheduler,
          services.config.overviewRecheckMs,
        );
        await services.verification.schedule(scheduler);
        await services.automation.schedule(scheduler);
        permissionsRegistry.addPermissions(gitopsPermissions);
        // Change permissions are about an entity in an environment, so policies can treat
        // prod differently from dev (see the README's permission section).
        permissionsRegistry.addResourceType({
          resourceRef: gitopsEnvironmentPermissionResourceRef,
          permissions: [
            gitopsPromotePermission,
            gitopsScalePermission,
            gitopsSyncPermission,
            gitopsRolloutPermission,
            gitopsApprovePermission,
            gitopsOverridePermission,
            gitopsAutomationManagePermission,
          ],
          rules: Object.values(gitopsEnvironmentRules),
          getResources: async refs => {
            const parsed = refs.map(parseGitopsEnvironmentResourceRef);
            const { items } = await catalog.getEntitiesByRefs(
              { entityRefs: parsed.map(p => p?.entityRef ?? '') },
              { credentials: await auth.getOwnServiceCredentials() },
            );
            return parsed.map((p, i) =>
              p && items[i]
                ? { entity: items[i]!, environment: p.environment }
                : undefined,
            );
          },
        });
        httpRouter.use(
          await createRouter({
            auth,
            httpAuth,
            permissions,
            catalog,
            userInfo,
            services,
            logger,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info(
          `GitOps: ${
            services.config.repositories.length
          } repositories, environments ${services.config.environments
            .map(e => e.name)
            .join(' → ')}`,
        );
      },
    });
  },
});
