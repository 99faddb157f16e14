import {
  BackstageCredentials,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  OverviewItem,
  OverviewQuery,
  OverviewResponse,
} from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentService } from './EnvironmentService';
import { SharedComputations } from './cache/SharedRequests';
import { EnvironmentEvidenceService } from './evidence/EnvironmentEvidenceService';
import { FleetEntities, FleetEntity, callerKey } from './fleet/FleetEntities';
import { OverviewRows, RowView } from './overview/OverviewRows';
import {
  Position,
  comparePositions,
  countStates,
  decodeCursor,
  encodeCursor,
  hasStatus,
  normalizeOwner,
  positionOf,
} from './overviewOrder';
import { measureOverview } from './telemetry/gitopsMetrics';

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
  /**
   * How long the background warm-up ({@link OverviewService.warmUnread}) waits for the
   * clusters' first read after a start before it reads the rows anyway. Default 60000 ms.
   */
  startGraceMs?: number;
}

/**
 * The fleet view: every GitOps-managed entity the caller may see, one summary per environment,
 * in entity-ref order or by owner or problems. Rows come from {@link OverviewRows} (computed
 * again only when what they were computed from changed, or a time-based state came due);
 * while nothing in the fleet moved (its stamp), a page takes them without looking at each.
 * The first page in name order is answered from its own rows while the rest of a cold fleet
 * is still being read (`counts.pending`).
 */
export class OverviewService {
  /**
   * Pages being computed, shared by the callers asking for the same one meanwhile; one whose
   * callers all went away is stopped, and a caller after them gets a page of its own.
   */
  private readonly inFlight = new SharedComputations();
  private readonly rows: OverviewRows;
  /** Pages computed within `reuseMs`. */
  private readonly recent = new Map<
    string,
    { page: OverviewPage; at: number }
  >();
  private readonly entities: FleetEntities;

  constructor(private readonly options: OverviewServiceOptions) {
    this.entities =
      options.entities ??
      new FleetEntities({ catalog: options.catalog, freshMs: 0 });
    this.rows = new OverviewRows(options);
  }

  /**
   * Reads in the background the rows of services no page has read yet — after a start, and
   * as services are added — so the first visitor does not wait for the fleet. Waits for the
   * clusters' first read (rows computed before it would all be computed again), or for
   * `startGraceMs` after the service was made when a cluster neither answers nor fails.
   * @returns how many rows it set out to read.
   */
  async warmUnread(now = Date.now()): Promise<number> {
    // Without the shared list there is no backend's list to warm from.
    if (!this.options.entities) return 0;
    if (
      !this.options.environments.clustersSettled() &&
      now - this.createdAt < (this.options.startGraceMs ?? 60_000)
    ) {
      return 0;
    }
    const list = await this.entities.listForPasses();
    const unread = list.filter(({ ref }) => !this.rows.has(ref));
    if (unread.length === 0) return 0;
    return this.rows.warmInBackground(unread) ? unread.length : 0;
  }

  private readonly createdAt = Date.now();

  /** The rows' background pass (see `OverviewRows.recheckDue`). */
  async recheckDue(now = Date.now()): Promise<number> {
    const recomputed = await this.rows.recheckDue(now);
    if (recomputed > 0) this.recent.clear();
    return recomputed;
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
   * Runs the rows' background pass (`OverviewRows.recheckDue`: time-based states that came
   * due) and the warm-up of rows never read ({@link warmUnread}) every `everyMs` in this
   * instance (rows are this instance's), and forgets removed entities' rows once a minute.
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
        await this.warmUnread();
        if (Date.now() - forgotAt >= 60_000) {
          forgotAt = Date.now();
          await this.forgetRemoved();
        }
      },
    });
  }

  /** Forgets the rows of entities no longer in the catalog (a pass over the backend's list). */
  async forgetRemoved(): Promise<void> {
    this.rows.keepOnly(
      new Set((await this.entities.listForPasses()).map(e => e.ref)),
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
    const view: RowView = { clusters, stamp, signal, heads };
    try {
      const firstPage =
        sort === 'name' && !filter.status && filter.limit
          ? await this.pageBeforeFleet(selected, filter, after, view)
          : undefined;
      if (firstPage) return firstPage;
      // Every row matching the other filters: the counts, the status filter and the orders
      // by owner or problems need them all. Rows whose inputs did not change are reused, so
      // this costs what changed since the last page, not the fleet.
      const computed = (await this.rows.rowsOf(selected, view)).map(item =>
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
    view: RowView,
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
      await this.rows.rowsOf(
        page.map(row => row.entry),
        view,
      )
    ).map(item => this.narrow(item, filter));
    this.rows.warmInBackground(unread);
    const known = selected
      .map(({ ref }) => this.rows.last(ref))
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

  private narrow(item: OverviewItem, filter: OverviewFilter): OverviewItem {
    if (!filter.environment) return item;
    return {
      ...item,
      environments: item.environments.filter(
        env => env.name === filter.environment,
      ),
    };
  }
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
