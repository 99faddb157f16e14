import { createBackendModule } from '@backstage/backend-plugin-api';

/**
 * Scaffolder module of the GitOps plugin set: the home of the `gitops:*` template actions.
 *
 * @remarks
 * It adds no action yet; `gitops:service:create` and `gitops:promote` need the promotion
 * engine of the GitOps backend and arrive with it.
 *
 * @public
 */
export const scaffolderModuleGitops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register(reg) {
    reg.registerInit({
      deps: {},
      async init() {},
    });
  },
});
