import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_GITOPS_PATH } from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentService } from './EnvironmentService';

/** One service's row of the fleet overview. */
export interface OverviewItem {
  entityRef: string;
  title: string | null;
  owner: string | null;
  environments: Array<{
    name: string;
    tag: string | null;
    digest: string | null;
    sync: string | null;
    health: string | null;
    problems: number;
    error: string | null;
    /** The cluster's data is not current (it stopped answering). */
    stale: boolean;
  }>;
}

/** Filters of `GET /overview`. */
export interface OverviewFilter {
  owner?: string;
  environment?: string;
  /** A sync or health value (`OutOfSync`, `Degraded`, …), `problems`, `error` or `stale`. */
  status?: string;
}

/** Options of {@link OverviewService}. */
export interface OverviewServiceOptions {
  catalog: CatalogService;
  environments: EnvironmentService;
}

/** The fleet view: every GitOps-managed entity the caller may see, one summary per environment. */
export class OverviewService {
  constructor(private readonly options: OverviewServiceOptions) {}

  async overview(
    filter: OverviewFilter,
    credentials: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<{ items: OverviewItem[] }> {
    const { items: entities } = await this.options.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata', 'spec.owner'],
      },
      { credentials },
    );
    const wantedOwner = filter.owner ? normalizeOwner(filter.owner) : undefined;
    const selected = entities.filter(
      e =>
        !wantedOwner ||
        normalizeOwner(String(e.spec?.owner ?? '')) === wantedOwner,
    );
    const items = await Promise.all(
      selected.map(entity => this.item(entity, signal)),
    );
    return {
      items: items
        .map(item => ({
          ...item,
          environments: item.environments.filter(
            env => !filter.environment || env.name === filter.environment,
          ),
        }))
        .filter(
          item =>
            !filter.status ||
            item.environments.some(env => hasStatus(env, filter.status!)),
        ),
    };
  }

  private async item(
    entity: Entity,
    signal?: AbortSignal,
  ): Promise<OverviewItem> {
    const entityRef = stringifyEntityRef(entity);
    const base = {
      entityRef,
      title: entity.metadata.title ?? null,
      owner: entity.spec?.owner ? String(entity.spec.owner) : null,
    };
    try {
      const { environments } = await this.options.environments.getEnvironments(
        entity,
        signal,
      );
      return {
        ...base,
        environments: environments.map(env => ({
          name: env.name,
          tag: env.desired?.tag ?? null,
          digest: env.desired?.digest ?? null,
          sync: env.sync?.status ?? null,
          health: env.sync?.health ?? null,
          problems: env.problems.length,
          error: env.error,
          stale: env.live?.stale ?? false,
        })),
      };
    } catch (error) {
      // An entity whose annotations are wrong still gets its row, with the reason.
      return {
        ...base,
        environments: [
          {
            name: '*',
            tag: null,
            digest: null,
            sync: null,
            health: null,
            problems: 0,
            error: String((error as Error).message),
            stale: false,
          },
        ],
      };
    }
  }
}

/** `guests`, `default/guests` and `group:default/guests` name the same owner. */
function normalizeOwner(owner: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return owner.toLowerCase();
  }
}

function hasStatus(
  env: OverviewItem['environments'][number],
  status: string,
): boolean {
  const wanted = status.toLowerCase();
  if (wanted === 'problems') return env.problems > 0;
  if (wanted === 'error') return env.error !== null;
  if (wanted === 'stale') return env.stale;
  return (
    env.sync?.toLowerCase() === wanted || env.health?.toLowerCase() === wanted
  );
}
