import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';

import { rootRouteRef } from './routes';

export const page = PageBlueprint.make({
  params: {
    path: '/gitops',
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/TodoPage').then(m => (
        <m.TodoPage />
      )),
  },
});

export const gitopsPlugin = createFrontendPlugin({
  pluginId: 'gitops',
  extensions: [page],
  routes: {
    root: rootRouteRef,
  }
});
