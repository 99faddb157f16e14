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
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EnvironmentService } from './EnvironmentService';
import { EnvironmentEvidenceService } from './evidence/EnvironmentEvidenceService';
import { CacheRead } from './live/kinds';
import { TimeHorizon } from './live/timeHorizon';
import { FleetEntities, FleetEntity, callerKey } from './fleet/FleetEntities';
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
  Position,
  positionOf,
} from './overviewOrder';

/** Services of an overview computed at the same time. */
const OVERVIEW_CONCURRENCY = 32;

/** Supply-chain evidence not read yet: the row is looked at again after this, then less often. */
const PENDING_RECHECK_MS = 5_000;
const PENDING_RECHECK_MAX_MS = 300_000;

/** Filters and paging of `GET /overview`. */
export type OverviewFilter = OverviewQuery;

/** Response of `GET /overview`. */
export type OverviewPage = OverviewResponse;

/** Options of {@link OverviewService}. */
export interface OverviewServiceOptions {
  catalog: CatalogService;
  environments: EnvironmentService;
  logger: LoggerService;
  /**
   * The GitOps entities and what each caller may see, reused between pages. Default: asked
   * of the catalog on every page.
   */
  entities?: FleetEntities;
  /** The running versions' signature and vulnerability summary (caches only). */
  supplyChain?: EnvironmentEvidenceService;
  /**
   * A page computed for a caller and filter is answered again for this long (the fleet view
   * is polled by many people at once). Default 2000 ms; 0 computes every request.
   */
  reuseMs?: number;
}

/** A service's last row and what it was computed from. */
interface Row {
  item: OverviewItem;
  /** The entity it was computed for (the same object while the catalog list is reused). */
  entity: Entity;
  /** Its repository head (or why it cannot be read) and the clusters' state. */
  basis: string;
  clusters: string;
  /** The cluster cache reads it came from, with their versions. */
  reads: CacheRead[];
  /** When it would come out differently with time alone (Infinity: never). */
  recheckAt: number;
  /** Rechecks in a row that waited for evidence not read yet (backs the next one off). */
  pendingRechecks: number;
  /** It has an error: computed again by the next page (the error may have been passing). */
  failed: boolean;
  /** The fleet stamp it was last found valid at (see `EnvironmentService.fleetStamp`). */
  stamp?: string;
}

/**
 * The fleet view: every GitOps-managed entity the caller may see, one summary per environment,
 * in entity-ref order or by owner or problems. A service's row is computed again only when
 * what it was computed from changed — the entity, its repository head, the clusters' state or
 * one of the cache reads it made — or when a time-based state of it is due (a reconcile
 * becoming overdue, evidence arriving), which a background pass ({@link recheckDue}) does,
 * not the next caller. Never because it is old. The first page in name order is answered
 * from its own rows while the rest of a cold fleet is still being read (`counts.pending`).
 */
export class OverviewService {
  /**
   * Pages being computed, shared by the callers asking for the same one meanwhile; one whose
   * callers all went away is stopped, and a caller after them gets a page of its own.
   */
  private readonly inFlight = new SharedComputations();
  /** Each service's last row (see {@link Row}). */
  private readonly rows = new Map<string, Row>();
  /** Pages computed within `reuseMs`. */
  private readonly recent = new Map<
    string,
    { page: OverviewPage; at: number }
  >();
  /** Rows of a cold fleet being read in the background, after the first page. */
  private warming?: Promise<void>;
  private readonly entities: FleetEntities;

  constructor(private readonly options: OverviewServiceOptions) {
    this.entities =
      options.entities ??
      new FleetEntities({ catalog: options.catalog, freshMs: 0 });
  }

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
    const key = `${callerKey(credentials)} ${JSON.stringify(filter)}`;
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

  /**
   * The background pass: recomputes the rows whose time-based state is due (an overdue
   * reconcile, an event ageing out, evidence that was not read yet), and forgets the rows of
   * entities no longer in the catalog. @returns how many rows it recomputed.
   */
  async recheckDue(now = Date.now()): Promise<number> {
    const due = [...this.rows].filter(([, row]) => row.recheckAt <= now);
    const heads = new Map<string, Promise<string>>();
    const clusters = this.options.environments.clusterState();
    await mapLimited(due, 4, async ([ref, row]) => {
      // Taken by a page meanwhile.
      if (this.rows.get(ref) !== row) return;
      const basis = await this.options.environments.basis(row.entity, {
        heads,
      });
      // No stamp: the next page looks at its inputs once more.
      await this.computeRow(row.entity, ref, basis, { clusters, heads }, row);
    });
    if (due.length > 0) this.recent.clear();
    return due.length;
  }

  /**
   * Runs {@link recheckDue} every `everyMs` in this instance (rows are this instance's), and
   * forgets removed entities' rows once a minute.
   */
  async schedule(scheduler: SchedulerService, everyMs: number): Promise<void> {
    let forgotAt = Date.now();
    await scheduler.scheduleTask({
      id: 'gitops-overview-recheck',
      scope: 'local',
      frequency: { milliseconds: everyMs },
      timeout: { minutes: 5 },
      fn: async () => {
        await this.recheckDue();
        if (Date.now() - forgotAt >= 60_000) {
          forgotAt = Date.now();
          await this.forgetRemoved();
        }
      },
    });
  }

  /** Forgets the rows of entities no longer in the catalog (a pass over the backend's list). */
  async forgetRemoved(): Promise<void> {
    const present = new Set((await this.entities.list()).map(e => e.ref));
    for (const ref of this.rows.keys()) {
      if (!present.has(ref)) this.rows.delete(ref);
    }
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
    const selected = selectEntities(
      await this.entities.visible(credentials),
      filter,
    );
    // Read before any row is computed: a cursor of another order is refused at once.
    const sort = filter.sort ?? 'name';
    const order = filter.order ?? 'asc';
    const after = decodeCursor(filter.cursor, sort, order);
    const heads = new Map<string, Promise<string>>();
    // The same for every row: read once per page, not once per service.
    const clusters = this.options.environments.clusterState();
    const stamp = await this.options.environments.fleetStamp({ heads });
    const rowOf = (entity: Entity, ref: string) =>
      this.reusedOrItem(entity, ref, { clusters, stamp, signal, heads });
    try {
      const firstPage =
        sort === 'name' && !filter.status && filter.limit
          ? await this.pageBeforeFleet(selected, filter, after, rowOf)
          : undefined;
      if (firstPage) return firstPage;
      // Every row matching the other filters: the counts, the status filter and the orders
      // by owner or problems need them all. Rows whose inputs did not change are reused, so
      // this costs what changed since the last page, not the fleet.
      const computed = (await this.rowsOf(selected, stamp, rowOf)).map(item =>
        this.narrow(item, filter),
      );
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

  /**
   * A page in name order while some of the fleet has never been read (after a start): the
   * order is the refs', known without any row, so only the page's rows are computed; the
   * counts cover the rows already read and say how many are `pending`, and the rest is read
   * in the background. Undefined once every row has been read (the page is cut as usual).
   */
  private async pageBeforeFleet(
    selected: FleetEntity[],
    filter: OverviewFilter,
    after: Position | undefined,
    rowOf: (entity: Entity, ref: string) => Promise<OverviewItem>,
  ): Promise<OverviewPage | undefined> {
    const unread = selected.filter(({ ref }) => !this.rows.has(ref));
    if (unread.length === 0) return undefined;
    const order = filter.order ?? 'asc';
    const ordered = selected
      .map(entry => ({ entry, position: { key: entry.ref, ref: entry.ref } }))
      .sort((a, b) => comparePositions(a.position, b.position, order));
    const rest = after
      ? ordered.filter(row => comparePositions(row.position, after, order) > 0)
      : ordered;
    const page = rest.slice(0, filter.limit);
    const items = (
      await mapLimited(page, OVERVIEW_CONCURRENCY, ({ entry }) =>
        rowOf(entry.entity, entry.ref),
      )
    ).map(item => this.narrow(item, filter));
    this.warmInBackground(unread);
    const known = selected
      .map(({ ref }) => this.rows.get(ref)?.item)
      .filter((item): item is OverviewItem => !!item)
      .map(item => this.narrow(item, filter));
    const last = page[page.length - 1];
    return {
      items,
      totalCount: selected.length,
      nextCursor:
        page.length < rest.length && last
          ? encodeCursor('name', order, last.position)
          : null,
      counts: {
        ...countStates(known),
        total: selected.length,
        pending: selected.length - known.length,
      },
    };
  }

  /** Reads the rows of a cold fleet after the first page, one pass at a time. */
  private warmInBackground(unread: FleetEntity[]) {
    if (this.warming) return;
    const heads = new Map<string, Promise<string>>();
    const clusters = this.options.environments.clusterState();
    this.warming = mapLimited(unread, 8, ({ entity, ref }) =>
      this.rows.has(ref)
        ? Promise.resolve()
        : this.reusedOrItem(entity, ref, { clusters, heads }).then(() => {}),
    )
      .then(() => {})
      .catch(error =>
        this.options.logger.warn(
          `GitOps overview: reading the fleet in the background failed: ${error}`,
        ),
      )
      .finally(() => {
        this.warming = undefined;
      });
  }

  private narrow(item: OverviewItem, filter: OverviewFilter): OverviewItem {
    if (!filter.environment) return item;
    return {
      ...item,
      environments: item.environments.filter(
        env => env.name === filter.environment,
      ),
    };
  }

  /**
   * Every selected service's row, in order. Rows validated at this fleet stamp for the same
   * entity are taken as they are without a look at their inputs (nothing in the fleet moved
   * since), so a quiet fleet's page costs no work per service.
   */
  private async rowsOf(
    selected: FleetEntity[],
    stamp: string,
    rowOf: (entity: Entity, ref: string) => Promise<OverviewItem>,
  ): Promise<OverviewItem[]> {
    const items: OverviewItem[] = new Array(selected.length);
    const rest: number[] = [];
    selected.forEach(({ entity, ref }, i) => {
      const row = this.rows.get(ref);
      if (row && !row.failed && row.stamp === stamp && row.entity === entity) {
        items[i] = row.item;
      } else {
        rest.push(i);
      }
    });
    await mapLimited(rest, OVERVIEW_CONCURRENCY, async i => {
      items[i] = await rowOf(selected[i].entity, selected[i].ref);
    });
    return items;
  }

  /** The service's last row when nothing it came from changed, else a new one. */
  private async reusedOrItem(
    entity: Entity,
    ref: string,
    view: {
      clusters: string;
      stamp?: string;
      signal?: AbortSignal;
      heads: Map<string, Promise<string>>;
    },
  ): Promise<OverviewItem> {
    const { clusters, signal, heads } = view;
    if (signal?.aborted) throw signal.reason;
    const { environments } = this.options;
    const last = this.rows.get(ref);
    let basis: string;
    try {
      basis = await environments.basis(entity, { heads });
    } catch (error) {
      // Annotations that cannot be read: the row says why (and is read again next time).
      return this.computeRow(entity, ref, '', view, last, { failed: true });
    }
    if (
      last &&
      !last.failed &&
      last.basis === basis &&
      last.clusters === clusters &&
      sameEntity(last.entity, entity) &&
      environments.isCurrent(last.reads)
    ) {
      // Valid at this stamp too: the next page takes it without a look.
      last.stamp = view.stamp;
      last.entity = entity;
      return last.item;
    }
    return this.computeRow(entity, ref, basis, view, last);
  }

  private async computeRow(
    entity: Entity,
    ref: string,
    basis: string,
    view: {
      clusters: string;
      stamp?: string;
      signal?: AbortSignal;
      heads: Map<string, Promise<string>>;
    },
    last: Row | undefined,
    options: { failed?: boolean } = {},
  ): Promise<OverviewItem> {
    const { clusters, signal, heads } = view;
    const reads: CacheRead[] = [];
    const horizon = new TimeHorizon();
    const item = await this.item(entity, signal, heads, reads, horizon);
    // A row with an error is asked again by the next page: the error may have been passing.
    const failed =
      options.failed || item.environments.some(env => env.error !== null);
    // Evidence not read yet arrives without a version to compare: look again, less often
    // each time the row came out the same.
    const pending = item.environments.some(
      env => env.supplyChain?.signature === 'unknown',
    );
    const same = !!last && JSON.stringify(last.item) === JSON.stringify(item);
    const pendingRechecks =
      pending && same ? (last?.pendingRechecks ?? 0) + 1 : 0;
    let recheckAt = failed ? Infinity : horizon.at;
    if (pending && !failed) {
      recheckAt = Math.min(
        recheckAt,
        Date.now() +
          Math.min(
            PENDING_RECHECK_MAX_MS,
            PENDING_RECHECK_MS * 2 ** Math.min(pendingRechecks, 16),
          ),
      );
    }
    this.rows.set(ref, {
      // The answer a caller already has, when it came out the same: pages compare equal.
      item: same ? last!.item : item,
      entity,
      basis,
      clusters,
      reads,
      recheckAt,
      pendingRechecks,
      failed,
      stamp: view.stamp,
    });
    return same ? last!.item : item;
  }

  private async item(
    entity: Entity,
    signal: AbortSignal | undefined,
    heads: Map<string, Promise<string>>,
    reads?: CacheRead[],
    horizon?: TimeHorizon,
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
        { heads, reads, horizon },
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

/** The filters other than the status, over the caller's entities. */
function selectEntities(
  visible: FleetEntity[],
  filter: OverviewFilter,
): FleetEntity[] {
  const wantedOwner = filter.owner ? normalizeOwner(filter.owner) : undefined;
  const wantedSystem = filter.system
    ? filter.system.replace(/^system:(default\/)?/, '').toLowerCase()
    : undefined;
  const text = filter.q?.toLowerCase();
  if (!wantedOwner && !wantedSystem && !text) return visible;
  return visible.filter(
    ({ entity, ref }) =>
      (!wantedOwner ||
        normalizeOwner(String(entity.spec?.owner ?? '')) === wantedOwner) &&
      (!wantedSystem ||
        String(entity.spec?.system ?? '')
          .replace(/^system:(default\/)?/, '')
          .toLowerCase() === wantedSystem) &&
      (!text ||
        ref.toLowerCase().includes(text) ||
        String(entity.metadata.title ?? '')
          .toLowerCase()
          .includes(text)),
  );
}

/** The same entity as far as a row goes: what locates it and what the row shows of it. */
function sameEntity(a: Entity, b: Entity): boolean {
  return (
    a === b ||
    (a.metadata.title === b.metadata.title &&
      a.spec?.owner === b.spec?.owner &&
      JSON.stringify(a.metadata.annotations) ===
        JSON.stringify(b.metadata.annotations))
  );
}
