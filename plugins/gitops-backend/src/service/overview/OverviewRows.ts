import { LoggerService } from '@backstage/backend-plugin-api';
import {
  internedCopy,
  shareParts,
} from '@gitops-backstage/plugin-gitops-repository';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EnvironmentStatus,
  OverviewEnvironment,
  OverviewItem,
} from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentService } from '../EnvironmentService';
import { EnvironmentEvidenceService } from '../evidence/EnvironmentEvidenceService';
import { FleetEntity } from '../fleet/FleetEntities';
import { CacheRead } from '../live/kinds';
import { keepReads } from '../live/keptReads';
import { TimeHorizon } from '../live/timeHorizon';
import { ComputedFrom, stillHolds } from '../live/computedFrom';
import { mapLimited } from '../mapLimited';
import { exactChartVersion } from '../promotion/gates';

/** Services of an overview computed at the same time. */
const OVERVIEW_CONCURRENCY = 32;

/** Supply-chain evidence not read yet: the row is looked at again after this, then less often. */
const PENDING_RECHECK_MS = 5_000;
const PENDING_RECHECK_MAX_MS = 300_000;

/** What the rows of one page share: read once per page, not once per service. */
export interface RowView {
  /** The clusters' state. */
  clusters: string;
  /** The fleet stamp (see `EnvironmentService.fleetStamp`); none in background passes. */
  stamp?: string;
  signal?: AbortSignal;
  /** Branch heads by repository. */
  heads: Map<string, Promise<string>>;
}

/** Options of {@link OverviewRows}. */
export interface OverviewRowsOptions {
  environments: EnvironmentService;
  logger: LoggerService;
  /** The running versions' signature and vulnerability summary (caches only). */
  supplyChain?: EnvironmentEvidenceService;
}

/** A service's last row and what it was computed from (basis, clusters, cache reads). */
interface Row extends ComputedFrom {
  item: OverviewItem;
  /** The entity it was computed for (the same object while the catalog list is reused). */
  entity: Entity;
  /** When it would come out differently with time alone (Infinity: never). */
  recheckAt: number;
  /** Rechecks in a row that waited for evidence not read yet (backs the next one off). */
  pendingRechecks: number;
  /** It has an error: computed again by the next page (the error may have been passing). */
  failed: boolean;
  /** The fleet stamp it was last found valid at (see `EnvironmentService.fleetStamp`). */
  stamp?: string;
  /**
   * When it waits for evidence not read yet: the evidence version it was computed at. A page
   * takes it again only while no evidence was read since.
   */
  evidenceVersion?: number;
}

/**
 * Each service's overview row, kept with what it was computed from. A row is computed again
 * only when one of those changed — the entity, its repository head, the clusters' state or one
 * of the cache reads it made — or when a time-based state of it is due (a reconcile becoming
 * overdue, an event ageing out, evidence arriving), which {@link recheckDue} finds in the
 * background. Never because it is old.
 */
export class OverviewRows {
  private readonly rows = new Map<string, Row>();
  /** Rows of a cold fleet being read in the background, after the first page. */
  private warming?: Promise<void>;
  /** The rows that background pass is reading now, by ref. */
  private readonly warmingRows = new Map<string, Promise<OverviewItem>>();

  constructor(private readonly options: OverviewRowsOptions) {}

  /** Whether the service's row has been read (it may be due again). */
  has(ref: string): boolean {
    return this.rows.has(ref);
  }

  /** The service's last row, as it was read. */
  last(ref: string): OverviewItem | undefined {
    return this.rows.get(ref)?.item;
  }

  /** Forgets the rows of entities not in `present`. */
  keepOnly(present: Set<string>) {
    for (const ref of this.rows.keys()) {
      if (!present.has(ref)) this.rows.delete(ref);
    }
  }

  /**
   * The background pass: recomputes the rows whose time-based state is due (an overdue
   * reconcile, an event ageing out, evidence that was not read yet).
   * @returns how many rows it recomputed.
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
    return due.length;
  }

  /**
   * Reads the rows of a cold fleet in the background, one pass at a time.
   * @returns whether it started a pass (not when one is running).
   */
  warmInBackground(unread: FleetEntity[]): boolean {
    if (this.warming) return false;
    const heads = new Map<string, Promise<string>>();
    const clusters = this.options.environments.clusterState();
    const started = Date.now();
    let read = 0;
    this.warming = mapLimited(unread, 8, ({ entity, ref }) => {
      if (this.rows.has(ref)) return Promise.resolve();
      const row = this.row(entity, ref, { clusters, heads });
      // A page asking for this row meanwhile takes this read instead of making its own.
      this.warmingRows.set(ref, row);
      return row
        .then(() => {
          read += 1;
        })
        .finally(() => this.warmingRows.delete(ref));
    })
      .then(() => {
        const message = `GitOps overview: read ${read} rows in the background in ${
          Date.now() - started
        } ms`;
        if (read >= 100) this.options.logger.info(message);
        else this.options.logger.debug(message);
      })
      .catch(error =>
        this.options.logger.warn(
          `GitOps overview: reading the fleet in the background failed: ${error}`,
        ),
      )
      .finally(() => {
        this.warming = undefined;
      });
    return true;
  }

  /**
   * Every selected service's row, in order. Rows validated at this fleet stamp for the same
   * entity are taken as they are without a look at their inputs (nothing in the fleet moved
   * since), so a quiet fleet's page costs no work per service.
   */
  async rowsOf(
    selected: readonly FleetEntity[],
    view: RowView,
  ): Promise<OverviewItem[]> {
    const { stamp } = view;
    const items: OverviewItem[] = new Array(selected.length);
    const rest: number[] = [];
    selected.forEach(({ entity, ref }, i) => {
      const row = this.rows.get(ref);
      if (
        row &&
        !row.failed &&
        row.stamp === stamp &&
        row.entity === entity &&
        this.evidenceCurrent(row)
      ) {
        items[i] = row.item;
      } else {
        rest.push(i);
      }
    });
    await mapLimited(rest, OVERVIEW_CONCURRENCY, async i => {
      const { entity, ref } = selected[i];
      const warming = this.warmingRows.get(ref);
      items[i] = warming
        ? await warming.catch(() => this.row(entity, ref, view))
        : await this.row(entity, ref, view);
    });
    return items;
  }

  /** The service's last row when nothing it came from changed, else a new one. */
  async row(entity: Entity, ref: string, view: RowView): Promise<OverviewItem> {
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
      sameEntity(last.entity, entity) &&
      stillHolds(last, { basis, clusters }, environments) &&
      this.evidenceCurrent(last)
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
    view: RowView,
    last: Row | undefined,
    options: { failed?: boolean } = {},
  ): Promise<OverviewItem> {
    const { clusters, signal, heads } = view;
    const reads: CacheRead[] = [];
    const horizon = new TimeHorizon();
    // Taken before the evidence is looked at: a read stored meanwhile makes the row due.
    const evidenceVersion = this.options.supplyChain?.evidenceVersion();
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
    // The answer a caller already has, when it came out the same: pages compare equal.
    // Else kept for the whole fleet: its parts (statuses, chips, evidence summaries) repeat
    // across rows and are kept once, frozen below the top level.
    const kept = same ? last!.item : shareParts(internedCopy(item));
    this.rows.set(ref, {
      item: kept,
      entity,
      basis,
      clusters,
      reads: keepReads(reads),
      recheckAt,
      pendingRechecks,
      failed,
      stamp: view.stamp,
      evidenceVersion: pending ? evidenceVersion : undefined,
    });
    return kept;
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

  /** A row waiting for evidence holds while no evidence was read since it was computed. */
  private evidenceCurrent(row: Row): boolean {
    return (
      row.evidenceVersion === undefined ||
      row.evidenceVersion === this.options.supplyChain?.evidenceVersion()
    );
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
