import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { GitopsClient, gitopsApiRef } from './api';
import { isGitopsAvailable } from './lib';

const gitopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitopsClient({ discoveryApi, fetchApi }),
    }),
});

// Only entities with the path annotation get the card, like isGitopsAvailable
// in the legacy system; the extension's `filter` config replaces the condition.
const entityGitopsEnvironmentsCard = EntityCardBlueprint.make({
  name: 'environments',
  params: {
    filter: isGitopsAvailable,
    loader: () =>
      import('./components/EntityGitopsEnvironmentsCard').then(m => (
        <m.EntityGitopsEnvironmentsCard />
      )),
  },
});

/**
 * The GitOps plugin for the new frontend system: the GitOps API and the
 * `entity-card:gitops/environments` card on the entity overview.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'gitops',
  title: 'GitOps',
  info: { packageJson: () => import('../package.json') },
  extensions: [gitopsApi, entityGitopsEnvironmentsCard],
});
