import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Reading the GitOps state (environments, history) of a catalog entity.
 *
 * @public
 */
export const gitopsEntityReadPermission = createPermission({
  name: 'gitops.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Every permission of the GitOps plugin set.
 *
 * @public
 */
export const gitopsPermissions = [gitopsEntityReadPermission];
