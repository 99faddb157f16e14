import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import {
  EnvironmentsResponse,
  HistoryResponse,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * Reads the GitOps state of catalog entities from the gitops backend.
 *
 * @public
 */
export interface GitopsApi {
  /**
   * Every configured environment of the entity, in promotion order.
   *
   * @remarks
   * An environment that cannot be read comes back with `error` set instead of
   * failing the whole call, so callers have to handle both per environment.
   */
  getEnvironments(entityRef: CompoundEntityRef): Promise<EnvironmentsResponse>;

  /**
   * The commits that changed the version or scaling of the entity in one
   * environment, newest first.
   */
  getHistory(
    entityRef: CompoundEntityRef,
    environment: string,
  ): Promise<HistoryResponse>;
}

/**
 * Reference of the {@link GitopsApi}.
 *
 * @public
 */
export const gitopsApiRef = createApiRef<GitopsApi>({
  id: 'plugin.gitops.api',
});
