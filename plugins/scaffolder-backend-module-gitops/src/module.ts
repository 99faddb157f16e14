import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { GitopsBackendClient } from './GitopsBackendClient';
import { createServiceAction } from './actions/createServiceAction';
import { describeEnvironmentsAction } from './actions/describeEnvironmentsAction';
import { promoteAction } from './actions/promoteAction';

/**
 * Scaffolder module of the GitOps plugin set: the `gitops:*` template actions. They call the
 * GitOps backend plugin over HTTP as the user running the template, so its permissions, gates
 * and conflict handling apply; this module never writes to Git itself.
 *
 * @public
 */
export const scaffolderModuleGitops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        const client = new GitopsBackendClient({ discovery, auth });
        scaffolder.addActions(
          createServiceAction(client),
          promoteAction(client),
          describeEnvironmentsAction(client),
        );
      },
    });
  },
});
