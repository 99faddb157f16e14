import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { GitopsClient, gitopsApiRef } from './api';
import { isGitopsAvailable } from './lib';
import { GitopsIcon } from './components/GitopsIcon';

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

// The GitOps tab: one lane per environment, for entities with the path annotation.
const entityGitopsContent = EntityContentBlueprint.make({
  name: 'environments',
  params: {
    path: 'gitops',
    title: 'GitOps',
    filter: isGitopsAvailable,
    loader: () =>
      import('./components/EntityGitopsContent').then(m => (
        <m.EntityGitopsContent />
      )),
  },
});

// The fleet page at /gitops, with its item in the sidebar (pages with a route ref get one).
const fleetRouteRef = createRouteRef();
const gitopsFleetPage = PageBlueprint.make({
  params: {
    path: '/gitops',
    routeRef: fleetRouteRef,
    title: 'GitOps',
    icon: <GitopsIcon fontSize="inherit" />,
    loader: () =>
      import('./components/GitopsFleetPage').then(m => <m.GitopsFleetPage />),
  },
});

/**
 * The GitOps plugin for the new frontend system: the GitOps API, the
 * `entity-card:gitops/environments` card on the entity overview and the
 * `entity-content:gitops/environments` tab, and the fleet page `page:gitops` at `/gitops`.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'gitops',
  title: 'GitOps',
  info: { packageJson: () => import('../package.json') },
  routes: { root: fleetRouteRef },
  extensions: [
    gitopsApi,
    entityGitopsEnvironmentsCard,
    entityGitopsContent,
    gitopsFleetPage,
  ],
});
