import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { GitopsClient, gitopsApiRef } from './api';

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
export const EntityGitopsEnvironmentsCard = gitopsPlugin.provide(
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
