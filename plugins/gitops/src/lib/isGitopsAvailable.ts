import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_GITOPS_PATH } from '@gitops-backstage/plugin-gitops-common';

/**
 * Whether the entity declares where it lives in the GitOps repository, which is
 * all the backend needs to read its environments.
 *
 * @public
 */
export function isGitopsAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_GITOPS_PATH]);
}
