import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { GitopsClient, gitopsApiRef } from './api';
import { entityContentRouteRef, rootRouteRef } from './routes';

/**
 * The GitOps plugin for the legacy frontend system.
 *
 * @remarks
 * Apps on the new frontend system use the default export of
 * `@gitops-backstage/plugin-gitops/alpha` instead.
 *
 * @public
 */
export const gitopsPlugin = createPlugin({
  id: 'gitops',
  apis: [
    createApiFactory({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitopsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, entityContent: entityContentRouteRef },
});

/**
 * Entity page card listing what Git says should run in each environment.
 *
 * @remarks
 * Guard it with {@link isGitopsAvailable} so that entities without the
 * `gitops.backstage.io/path` annotation do not show an empty card.
 *
 * @public
 */
export const EntityGitopsEnvironmentsCard: () => JSX.Element =
  gitopsPlugin.provide(
    createComponentExtension({
      name: 'EntityGitopsEnvironmentsCard',
      component: {
        lazy: () =>
          import('./components/EntityGitopsEnvironmentsCard').then(
            m => m.EntityGitopsEnvironmentsCard,
          ),
      },
    }),
  );

/**
 * The GitOps tab of an entity: one lane per environment in promotion order, with promote
 * arrows between lanes and each lane's changes.
 *
 * @remarks
 * Mount it under an `EntityLayout.Route` guarded by {@link isGitopsAvailable}.
 *
 * @public
 */
export const EntityGitopsContent: () => JSX.Element = gitopsPlugin.provide(
  createRoutableExtension({
    name: 'EntityGitopsContent',
    component: () =>
      import('./components/EntityGitopsContent').then(
        m => m.EntityGitopsContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);

/**
 * The fleet page: every GitOps-managed service × environment, filtered and paged, the filters
 * in the URL. Mount it at `/gitops` with a sidebar item.
 *
 * @public
 */
export const GitopsFleetPage: () => JSX.Element = gitopsPlugin.provide(
  createRoutableExtension({
    name: 'GitopsFleetPage',
    component: () =>
      import('./components/GitopsFleetPage').then(m => m.GitopsFleetPage),
    mountPoint: rootRouteRef,
  }),
);
