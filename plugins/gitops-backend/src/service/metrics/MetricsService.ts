import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_GITOPS_PATH,
  DeliveryMetrics,
} from '@gitops-backstage/plugin-gitops-common';
import { GitopsConfig, findEnvironment } from '../config';
import { normalizeOwner } from '../overviewOrder';
import { DeploymentLedger } from '../store/DeploymentLedger';
import { computeDeliveryMetrics } from './doraMetrics';

const DAY_MS = 86_400_000;

/** `7d`, `30d`, `90d` (any whole number of days up to 365) → days. */
export function parseWindow(window: string | undefined): number {
  if (window === undefined) return 30;
  const match = /^(\d{1,3})d$/.exec(window);
  const days = match ? Number(match[1]) : NaN;
  if (!(days >= 1 && days <= 365)) {
    throw new InputError(
      `window must be a number of days from 1d to 365d (e.g. 7d, 30d, 90d), not "${window}"`,
    );
  }
  return days;
}

/**
 * Delivery metrics of one entity, or of every GitOps entity the caller may see (of an owner),
 * from the deployment ledger over a window ending now.
 */
export class MetricsService {
  constructor(
    private readonly options: {
      config: GitopsConfig;
      ledger: DeploymentLedger;
      catalog: CatalogService;
      now?: () => Date;
    },
  ) {}

  async forEntity(entity: Entity, days: number): Promise<DeliveryMetrics> {
    return this.compute([stringifyEntityRef(entity)], days);
  }

  async forFleet(
    filter: { owner?: string; environment?: string; days: number },
    credentials: BackstageCredentials,
  ): Promise<DeliveryMetrics> {
    const environment = filter.environment
      ? findEnvironment(this.options.config, filter.environment).name
      : undefined;
    // Only what the caller may read in the catalog is counted; owners match as on the
    // overview (`team-a`, `group:team-a` and `group:default/team-a` are one owner).
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.owner'],
      },
      { credentials },
    );
    const owner = filter.owner ? normalizeOwner(filter.owner) : undefined;
    return this.compute(
      items
        .filter(
          e => !owner || normalizeOwner(String(e.spec?.owner ?? '')) === owner,
        )
        .map(e => stringifyEntityRef(e)),
      filter.days,
      environment,
    );
  }

  private async compute(
    entityRefs: string[],
    days: number,
    environment?: string,
  ): Promise<DeliveryMetrics> {
    const { config, ledger } = this.options;
    const to = this.options.now?.() ?? new Date();
    const from = new Date(to.getTime() - days * DAY_MS);
    const metrics = computeDeliveryMetrics({
      records: await ledger.list({ entityRefs }),
      environments: config.environments.map(e => e.name),
      window: { from, to },
      failureWindowHours: config.metrics.failureWindowHours,
      entities: entityRefs.length,
    });
    return environment
      ? {
          ...metrics,
          environments: metrics.environments.filter(
            e => e.environment === environment,
          ),
        }
      : metrics;
  }
}
