/**
 * One environment of a service in the fleet overview (`GET /overview`).
 *
 * @public
 */
export interface OverviewEnvironment {
  name: string;
  tag: string | null;
  digest: string | null;
  /**
   * The chart version, where the image is the chart's default: the exact one (pinned, or
   * what a range installed), else the range.
   */
  chartVersion: string | null;
  sync: string | null;
  health: string | null;
  problems: number;
  error: string | null;
  /** The cluster's data is not current (it stopped answering). */
  stale: boolean;
}

/**
 * One service's row of the fleet overview.
 *
 * @public
 */
export interface OverviewItem {
  entityRef: string;
  title: string | null;
  owner: string | null;
  environments: OverviewEnvironment[];
}

/**
 * Filters and paging of `GET /overview`.
 *
 * @public
 */
export interface OverviewQuery {
  owner?: string;
  /** The entity's `spec.system` (a name or ref). */
  system?: string;
  environment?: string;
  /** A sync or health value (`OutOfSync`, `Degraded`, …), `problems`, `error` or `stale`. */
  status?: string;
  /** Text in the entity's name, title or ref (case-insensitive). */
  q?: string;
  /** Rows per page; all when absent. */
  limit?: number;
  /** `nextCursor` of the page before. */
  cursor?: string;
}

/**
 * Response of `GET /overview`.
 *
 * @public
 */
export interface OverviewResponse {
  items: OverviewItem[];
  /** Rows matching the filters, over all pages. */
  totalCount: number;
  /** Cursor of the next page; null on the last. */
  nextCursor: string | null;
}
