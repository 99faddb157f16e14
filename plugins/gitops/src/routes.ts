import { createRouteRef } from '@backstage/core-plugin-api';

/** The GitOps tab of an entity (legacy frontend system). */
export const entityContentRouteRef = createRouteRef({
  id: 'gitops:entity-content',
});

/** The fleet page, `/gitops` (legacy frontend system). */
export const rootRouteRef = createRouteRef({ id: 'gitops' });
