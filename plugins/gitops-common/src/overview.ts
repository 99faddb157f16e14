import type { SignatureState } from './evidence';

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
  /**
   * The cluster's data is not current (it stopped answering), or the desired state comes from
   * the last fetched revision of a repository that does not answer (`desired.stale`).
   */
  stale: boolean;
  /**
   * The running version's signature state and its critical and high vulnerabilities, from the
   * evidence caches; absent when no evidence was read for it yet.
   */
  supplyChain?: {
    signature: SignatureState;
    critical: number | null;
    high: number | null;
  } | null;
  /**
   * A progressive rollout under way or stopped (Argo Rollouts, Flagger): its health, canary
   * weight and step, e.g. "canary 40 %"; absent or `null` when the environment has none or it
   * is Healthy (done).
   */
  rollout?: {
    health: 'Progressing' | 'Paused' | 'Degraded' | 'Unknown';
    weight: number | null;
    step: number | null;
    steps: number | null;
  } | null;
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
  /**
   * A sync or health value (`OutOfSync`, `Degraded`, …), `problems`, `error`, `stale`,
   * `insecure` (unsigned, invalid signature, or critical or high vulnerabilities), or
   * `rollout` (a progressive rollout under way, paused or aborted).
   */
  status?: string;
  /** Text in the entity's name, title or ref (case-insensitive). */
  q?: string;
  /** Row order: `name` (entity ref, the default), `owner` or `problems`; ties by name. */
  sort?: OverviewSort;
  /** `asc` (the default) or `desc`. */
  order?: 'asc' | 'desc';
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
  /**
   * How many services are in each state, over every row matching the filters except
   * `status` (so each count says what choosing that status would show): a service counts
   * once per state when at least one of its environments (or the `environment` filtered to)
   * is in it. Absent from backends older than this field.
   */
  counts?: OverviewCounts;
}

/**
 * Orders of the fleet overview: by entity ref, by owner, or by the sum of the problems of the
 * environments shown.
 *
 * @public
 */
export type OverviewSort = 'name' | 'owner' | 'problems';

/**
 * The states `OverviewResponse.counts` counts, each also a value of `OverviewQuery.status`.
 *
 * @public
 */
export const OVERVIEW_COUNTED_STATUSES = [
  'problems',
  'OutOfSync',
  'Degraded',
  'Progressing',
  'stale',
  'error',
  'insecure',
] as const;

/**
 * Services per state in the fleet overview, and `total`: the services matching the filters
 * other than `status`.
 *
 * @public
 */
export type OverviewCounts = Record<
  (typeof OVERVIEW_COUNTED_STATUSES)[number],
  number
> & {
  total: number;
  /**
   * Services not read yet (after a start, while the first pages are answered): the other
   * counts cover the rest. 0 or absent once the whole fleet has been read.
   */
  pending?: number;
};
