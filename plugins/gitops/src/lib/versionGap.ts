import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';

/**
 * How an environment's version stands against the environment before it in the promotion
 * order: the same, behind by the registry's count of versions between them, ahead, or just
 * different when the registry cannot order them (no registry configured, digests, other tags).
 */
export type VersionGap =
  | { kind: 'same' }
  | { kind: 'behind'; versions: number; target: string }
  | { kind: 'ahead'; versions: number; target: string }
  | { kind: 'different'; target: string };

/** The version that moves between environments: tag, else digest, else the chart's. */
function versionOf(environment: EnvironmentStatus): string | null {
  const desired = environment.desired;
  if (!desired) return null;
  if (desired.tag || desired.digest) return desired.tag ?? desired.digest;
  const chart = desired.chart;
  if (!chart) return null;
  // A range stands for what it installed.
  return chart.range
    ? environment.sync?.chartVersion ?? null
    : chart.version ?? null;
}

/** How many of `newer` (newest first) are newer up to and including `version`; 0 if absent. */
function versionsUpTo(newer: string[] | undefined, version: string): number {
  const index = newer?.indexOf(version) ?? -1;
  return index < 0 ? 0 : newer!.length - index;
}

/**
 * The gap between `lane` and `before`; undefined when either has no version. Counts come
 * from each lane's `registry.newer` (newest first, in the environment's tag policy): the
 * versions newer than this one, up to and including the one before it.
 */
export function versionGap(
  lane: EnvironmentStatus,
  before: EnvironmentStatus,
): VersionGap | undefined {
  const mine = versionOf(lane);
  const theirs = versionOf(before);
  if (!mine || !theirs) return undefined;
  if (mine === theirs) return { kind: 'same' };
  const behind = versionsUpTo(lane.registry?.newer, theirs);
  if (behind > 0) return { kind: 'behind', versions: behind, target: theirs };
  const ahead = versionsUpTo(before.registry?.newer, mine);
  if (ahead > 0) return { kind: 'ahead', versions: ahead, target: theirs };
  return { kind: 'different', target: theirs };
}

/** The gap as a lane says it, e.g. `2 versions behind staging (v1.0.5)`. */
export function describeVersionGap(
  gap: VersionGap | undefined,
  beforeName: string,
): string | undefined {
  if (!gap) return undefined;
  if (gap.kind === 'same') return `same version as ${beforeName}`;
  if (gap.kind === 'different') {
    return `differs from ${beforeName} (${gap.target})`;
  }
  const count = `${gap.versions} version${gap.versions === 1 ? '' : 's'}`;
  const where = gap.kind === 'behind' ? 'behind' : 'ahead of';
  return `${count} ${where} ${beforeName} (${gap.target})`;
}
