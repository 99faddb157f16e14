import { AuthService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_GITOPS_PATH } from '@gitops-backstage/plugin-gitops-common';
import { CacheRead } from './live/kinds';

/** Every GitOps-managed entity of the catalog, as the backend itself sees it. */
export async function listGitopsEntities(
  catalog: CatalogService,
  auth: AuthService,
): Promise<Entity[]> {
  const { items } = await catalog.getEntities(
    {
      filter: {
        [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]:
          CATALOG_FILTER_EXISTS,
      },
    },
    { credentials: await auth.getOwnServiceCredentials() },
  );
  return items;
}

/**
 * The entities a background pass over the fleet (deployment ledger, verification planning)
 * has finished with, and what their state was computed from: until the repository head or one
 * of the cluster cache reads moves, the next pass skips them without computing their state.
 */
export class QuietEntities {
  private readonly quiet = new Map<
    string,
    { basis: string; reads: readonly CacheRead[] }
  >();

  constructor(
    private readonly environments: {
      isCurrent(reads: readonly CacheRead[]): boolean;
    },
  ) {}

  /** Whether the entity is unchanged since it was settled at `basis`. */
  unchanged(entityRef: string, basis: string): boolean {
    const quiet = this.quiet.get(entityRef);
    return (
      !!quiet &&
      quiet.basis === basis &&
      this.environments.isCurrent(quiet.reads)
    );
  }

  settle(entityRef: string, basis: string, reads: readonly CacheRead[]) {
    this.quiet.set(entityRef, { basis, reads });
  }

  forget(entityRef: string) {
    this.quiet.delete(entityRef);
  }
}
