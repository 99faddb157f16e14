import {
  EnvironmentStatus,
  OverviewEnvironment,
  OverviewItem,
  OverviewQuery,
  OverviewResponse,
} from '@gitops-backstage/plugin-gitops-common';
import { exactChartVersion } from './promotion/gates';
import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_GITOPS_PATH } from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentService } from './EnvironmentService';
import { EnvironmentEvidenceService } from './evidence/EnvironmentEvidenceService';
import { CacheRead } from './live/kinds';
import { mapLimited } from './mapLimited';
import { SharedComputations } from './cache/SharedRequests';
import { measureOverview } from './telemetry/gitopsMetrics';
import {
  comparePositions,
  countStates,
  decodeCursor,
  encodeCursor,
  hasStatus,
  normalizeOwner,
  positionOf,
} from './overviewOrder';

/** Services of an overview computed at the same time. */
const OVERVIEW_CONCURRENCY = 32;

/**
 * Longest a service's row is reused while nothing it was computed from changed: what changes
 * with time alone (a reconcile overdue for StaleReconcile, a registry answer expiring) shows
 * within this long.
 */
export const ROW_MAX_AGE_MS = 30_000;

/** Filters and paging of `GET /overview`. */
export type OverviewFilter = OverviewQuery;

/** Response of `GET /overview`. */
export type OverviewPage = OverviewResponse;

/** Options of {@link OverviewService}. */
export interface OverviewServiceOptions {
  catalog: CatalogService;
  environments: EnvironmentService;
  logger: LoggerService;
  /** The running versions' signature and vulnerability summary (caches only). */
  supplyChain?: EnvironmentEvidenceService;
  /**
   * A page computed for a caller and filter is answered again for this long (the fleet view
   * is polled by many people at once). Default 2000 ms; 0 computes every request.
   */
  reuseMs?: number;
}

/**
 * The fleet view: every GitOps-managed entity the caller may see, one summary per environment,
 * in entity-ref order or by owner or problems. Every row matching the filters other than the
 * status is computed (the counts per state and the orders need them; unchanged rows are
 * reused) and the page is cut from the matches. Branch heads are read once per request, and a
 * request whose client went away stops and logs once.
 */
export class OverviewService {
  /**
   * Pages being computed, shared by the callers asking for the same one meanwhile; one whose
   * callers all went away is stopped, and a caller after them gets a page of its own.
   */
  private readonly inFlight = new SharedComputations();
  /**
   * Each service's last row, with what it was computed from: the entity, the repository head
   * and clusters' state, and the cache reads with their versions. A row whose inputs did not
   * change is taken as it is, so a page costs what changed since the last one, not the fleet.
   */
  private readonly rows = new Map<
    string,
    { item: OverviewItem; inputs: string; reads: CacheRead[]; at: number }
  >();
  /** Pages computed within `reuseMs`. */
  private readonly recent = new Map<
    string,
    { page: OverviewPage; at: number }
  >();

  constructor(private readonly options: OverviewServiceOptions) {}

  /**
   * The page for this caller and filter: computed once for every caller asking for it at the
   * same time, and answered again within `reuseMs`. The computation stops when every caller
   * waiting for it went away.
   */
  async overview(
    filter: OverviewFilter,
    credentials: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<OverviewPage> {
    const key = `${principalKey(credentials)} ${JSON.stringify(filter)}`;
    const reuseMs = this.options.reuseMs ?? 2000;
    const recent = this.recent.get(key);
    if (recent && Date.now() - recent.at < reuseMs) return recent.page;
    return this.inFlight.run(key, signal, computeSignal =>
      // Timed here, where a page is computed, not where a reused or shared one is answered.
      measureOverview(
        () => this.compute(filter, credentials, computeSignal),
        computeSignal,
      ).then(result => {
        if (reuseMs > 0) {
          this.forgetOld(reuseMs);
          this.recent.set(key, { page: result, at: Date.now() });
        }
        return result;
      }),
    );
  }

  private forgetOld(reuseMs: number) {
    const now = Date.now();
    for (const [key, value] of this.recent) {
      if (now - value.at >= reuseMs) this.recent.delete(key);
    }
  }

  private async compute(
    filter: OverviewFilter,
    credentials: BackstageCredentials,
    signal: AbortSignal,
  ): Promise<OverviewPage> {
    const started = Date.now();
    const { items: entities } = await this.options.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]:
            CATALOG_FILTER_EXISTS,
        },
        // What locating a service reads: the rest of each entity is the catalog's work for nothing.
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'metadata.annotations',
          'spec.owner',
          'spec.system',
        ],
      },
      { credentials },
    );
    const wantedOwner = filter.owner ? normalizeOwner(filter.owner) : undefined;
    const wantedSystem = filter.system
      ? filter.system.replace(/^system:(default\/)?/, '').toLowerCase()
      : undefined;
    const text = filter.q?.toLowerCase();
    const selected = entities
      .filter(
        e =>
          !wantedOwner ||
          normalizeOwner(String(e.spec?.owner ?? '')) === wantedOwner,
      )
      .filter(
        e =>
          !wantedSystem ||
          String(e.spec?.system ?? '')
            .replace(/^system:(default\/)?/, '')
            .toLowerCase() === wantedSystem,
      )
      .map(entity => ({ entity, ref: stringifyEntityRef(entity) }))
      .filter(
        ({ entity, ref }) =>
          !text ||
          ref.toLowerCase().includes(text) ||
          String(entity.metadata.title ?? '')
            .toLowerCase()
            .includes(text),
      );
    // Read before any row is computed: a cursor of another order is refused at once.
    const sort = filter.sort ?? 'name';
    const order = filter.order ?? 'asc';
    const after = decodeCursor(filter.cursor, sort, order);
    const heads = new Map<string, Promise<string>>();
    // A bounded number of services at a time: a thousand renders in flight at once only
    // raise the memory peak (and the process's RSS after it), not the speed, on a few cores.
    // The same for every row: read once per page, not once per service.
    const clusters = this.options.environments.clusterState();
    this.forgetOldRows();
    try {
      // Every row matching the other filters: the counts, the status filter and the orders
      // by owner or problems need them all. Rows whose inputs did not change are reused, so
      // this costs what changed since the last page, not the fleet.
      const computed = (
        await mapLimited(selected, OVERVIEW_CONCURRENCY, ({ entity, ref }) =>
          this.reusedOrItem(entity, ref, clusters, signal, heads),
        )
      ).map(item => this.narrow(item, filter));
      const counts = countStates(computed);
      const matching = filter.status
        ? computed.filter(item =>
            item.environments.some(env => hasStatus(env, filter.status!)),
          )
        : computed;
      const ordered = matching
        .map(item => ({ item, position: positionOf(item, sort) }))
        .sort((a, b) => comparePositions(a.position, b.position, order));
      const rest = after
        ? ordered.filter(
            row => comparePositions(row.position, after, order) > 0,
          )
        : ordered;
      const page = filter.limit ? rest.slice(0, filter.limit) : rest;
      const last = page[page.length - 1];
      return {
        items: page.map(row => row.item),
        totalCount: matching.length,
        nextCursor:
          page.length < rest.length && last
            ? encodeCursor(sort, order, last.position)
            : null,
        counts,
      };
    } catch (error) {
      if (signal?.aborted) {
        this.options.logger.info(
          `GitOps overview stopped after ${
            Date.now() - started
          } ms: the client went away`,
        );
      }
      throw error;
    }
  }

  private narrow(item: OverviewItem, filter: OverviewFilter): OverviewItem {
    return {
      ...item,
      environments: item.environments.filter(
        env => !filter.environment || env.name === filter.environment,
      ),
    };
  }

  /** The service's last row when nothing it came from changed, else a new one. */
  private async reusedOrItem(
    entity: Entity,
    ref: string,
    clusters: string,
    signal: AbortSignal | undefined,
    heads: Map<string, Promise<string>>,
  ): Promise<OverviewItem> {
    if (signal?.aborted) throw signal.reason;
    const { environments } = this.options;
    let inputs: string;
    try {
      inputs = `${JSON.stringify([
        entity.metadata.annotations,
        entity.metadata.title,
        entity.spec?.owner,
      ])} ${await environments.basis(entity, { heads })} ${clusters}`;
    } catch {
      // Annotations that cannot be read: the row says why, and costs nothing to make.
      return this.item(entity, signal, heads);
    }
    const last = this.rows.get(ref);
    if (
      last &&
      last.inputs === inputs &&
      Date.now() - last.at < ROW_MAX_AGE_MS &&
      environments.isCurrent(last.reads)
    ) {
      return last.item;
    }
    const reads: CacheRead[] = [];
    const at = Date.now();
    const item = await this.item(entity, signal, heads, reads);
    // A row with an error is asked again next time: the error may have been passing.
    if (item.environments.every(env => env.error === null)) {
      this.rows.set(ref, { item, inputs, reads, at });
    } else {
      this.rows.delete(ref);
    }
    return item;
  }

  private forgetOldRows() {
    const now = Date.now();
    for (const [ref, row] of this.rows) {
      if (now - row.at >= ROW_MAX_AGE_MS) this.rows.delete(ref);
    }
  }

  private async item(
    entity: Entity,
    signal: AbortSignal | undefined,
    heads: Map<string, Promise<string>>,
    reads?: CacheRead[],
  ): Promise<OverviewItem> {
    // Work stops when the client went away; the first to notice ends the request.
    if (signal?.aborted) throw signal.reason;
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
        { heads, reads },
      );
      return {
        ...base,
        environments: environments.map(env => ({
          name: env.name,
          tag: env.desired?.tag ?? null,
          digest: env.desired?.digest ?? null,
          chartVersion:
            env.desired?.imageSource === 'chartDefaults'
              ? exactChartVersion(env) ?? env.desired.chart?.version ?? null
              : null,
          sync: env.sync?.status ?? null,
          health: env.sync?.health ?? null,
          problems: env.problems.length,
          error: env.error,
          // Stale when either side shows an earlier state: the cluster's or the repository's.
          stale: Boolean(env.live?.stale || env.desired?.stale),
          ...this.supplyChainOf(env),
          ...rolloutOf(env),
        })),
      };
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      // An entity whose annotations are wrong still gets its row, with the reason.
      return {
        ...base,
        environments: [
          {
            name: '*',
            tag: null,
            digest: null,
            chartVersion: null,
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

  private supplyChainOf(
    env: EnvironmentStatus,
  ): Pick<OverviewEnvironment, 'supplyChain'> {
    const summary = this.options.supplyChain?.summaryOf(env);
    return summary ? { supplyChain: summary } : {};
  }
}

/**
 * A progressive rollout under way or stopped, for the fleet's "canary 40 %"; nothing for one
 * that is done (Healthy), so a settled fleet's rows stay as they were.
 */
function rolloutOf(
  env: EnvironmentStatus,
): Pick<OverviewEnvironment, 'rollout'> {
  const rollout = env.rollout;
  if (!rollout || rollout.health === 'Healthy') return {};
  return {
    rollout: {
      health: rollout.health,
      weight: rollout.weight,
      step: rollout.step,
      steps: rollout.steps,
    },
  };
}

/** Who a page is for: callers see the entities the catalog lets them see. */
function principalKey(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return `${principal.type}:${
    principal.userEntityRef ?? principal.subject ?? ''
  }`;
}
