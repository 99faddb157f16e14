import { AuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_GITOPS_PATH } from '@gitops-backstage/plugin-gitops-common';
import { KeptReads, Reads, keepReads } from './live/keptReads';
import { FleetEntities, GITOPS_ENTITY_FIELDS } from './fleet/FleetEntities';

/**
 * Every GitOps-managed entity of the catalog, as the backend itself sees it: from the shared
 * list when there is one (the same array while it is reused), else asked of the catalog.
 */
export async function listGitopsEntities(
  catalog: CatalogService,
  auth: AuthService,
  fleet?: FleetEntities,
): Promise<Entity[]> {
  if (fleet) return fleet.entities();
  const { items } = await catalog.getEntities(
    {
      filter: {
        [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]:
          CATALOG_FILTER_EXISTS,
      },
      // What the passes read (locating the service, its owner): not the whole entity.
      fields: GITOPS_ENTITY_FIELDS,
    },
    { credentials: await auth.getOwnServiceCredentials() },
  );
  return items;
}

/**
 * One entity as the backend itself sees it: from the shared list when there is one (no
 * catalog request for an entity it holds), else asked of the catalog.
 */
export async function gitopsEntity(
  catalog: CatalogService,
  auth: AuthService,
  entityRef: string,
  fleet?: FleetEntities,
): Promise<Entity | undefined> {
  if (fleet) return fleet.entity(entityRef);
  const entity = await catalog.getEntityByRef(entityRef, {
    credentials: await auth.getOwnServiceCredentials(),
  });
  return entity ?? undefined;
}

/**
 * The entities a background pass over the fleet (deployment ledger, verification planning)
 * has finished with, and what their state was computed from: until the repository head or one
 * of the cluster cache reads moves, the next pass skips them without computing their state.
 */
export class QuietEntities {
  private readonly quiet = new Map<
    string,
    { basis: string; reads: KeptReads }
  >();

  /** The last pass that left every entity quiet: what it ran over and at which stamp. */
  private quietPass?: { stamp: string; entities: readonly Entity[] };

  constructor(
    private readonly environments: {
      isCurrent(reads: Reads): boolean;
    },
  ) {}

  /**
   * Whether a whole pass can be skipped: it would run over the same entities (the same
   * list) at the same fleet stamp (`EnvironmentService.fleetStamp`) as a pass that left
   * every one of them quiet. An idle fleet then costs a pass nothing per entity.
   */
  passUnchanged(stamp: string, entities: readonly Entity[]): boolean {
    return (
      this.quietPass?.stamp === stamp && this.quietPass.entities === entities
    );
  }

  /** After a pass begun at `stamp`: remembered when it left every entity quiet. */
  passEnded(stamp: string, entities: readonly Entity[]) {
    const allQuiet = entities.every(entity =>
      this.quiet.has(stringifyEntityRef(entity)),
    );
    this.quietPass = allQuiet ? { stamp, entities } : undefined;
  }

  /** Whether the entity is unchanged since it was settled at `basis`. */
  unchanged(entityRef: string, basis: string): boolean {
    const quiet = this.quiet.get(entityRef);
    return (
      !!quiet &&
      quiet.basis === basis &&
      this.environments.isCurrent(quiet.reads)
    );
  }

  settle(entityRef: string, basis: string, reads: Reads) {
    this.quiet.set(entityRef, { basis, reads: keepReads(reads) });
  }

  forget(entityRef: string) {
    this.quietPass = undefined;
    this.quiet.delete(entityRef);
  }
}
