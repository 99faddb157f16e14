import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  GitProvider,
  GitProviderFactory,
  gitopsGitProvidersExtensionPoint,
} from '@gitops-backstage/plugin-gitops-node';
import { gitopsPermissions } from '@gitops-backstage/plugin-gitops-common';
import { createRouter } from './router';
import { createGitopsServices } from './service/createGitopsServices';

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
      }) {
        const services = createGitopsServices({
          config,
          logger,
          extraGitProviders,
          catalog,
        });
        // Watches start now so the first page view finds warm caches.
        services.start();
        lifecycle.addShutdownHook(() => services.stop());
        permissionsRegistry.addPermissions(gitopsPermissions);
        httpRouter.use(
          await createRouter({ httpAuth, permissions, catalog, services }),
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
