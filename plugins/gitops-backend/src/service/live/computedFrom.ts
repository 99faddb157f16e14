import { Reads } from './keptReads';

/**
 * What an answer about one service was computed from: its Git basis
 * (`EnvironmentService.basis`), the clusters' state and the cluster cache reads it made, each
 * noted with its version (`recordReads`).
 */
export interface ComputedFrom {
  basis: string;
  clusters: string;
  reads: Reads;
}

/**
 * Whether an answer computed from `from` would come out the same now, but for the passing of
 * time (each caller knows when its answer comes due): the same Git basis, the same clusters'
 * state and every cache read still at its version. The one rule of the overview rows and of
 * the signals of watched entities.
 */
export function stillHolds(
  from: ComputedFrom | undefined,
  now: { basis: string | undefined; clusters: string },
  cache: { isCurrent(reads: Reads): boolean },
): boolean {
  return (
    from !== undefined &&
    from.basis === now.basis &&
    from.clusters === now.clusters &&
    cache.isCurrent(from.reads)
  );
}
