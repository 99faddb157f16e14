import { DesiredState } from '@gitops-backstage/plugin-gitops-common';

/**
 * The chart version to write into the target: the exact version the source runs (the one its
 * Git pins, or for a range the one its cluster installed), when both environments install the
 * same chart and the target pins another version. A target that takes a range keeps it: the
 * engine picks the newest match; a target that asks for no version is left so.
 */
export function chartVersionChange(
  source: DesiredState | null,
  sourceExact: string | null,
  target: DesiredState,
): { chartVersion?: string } {
  const from = source?.chart;
  const to = target.chart;
  if (!from || !to?.version || to.range || !sourceExact) return {};
  if (from.name !== to.name || to.version === sourceExact) return {};
  return { chartVersion: sourceExact };
}
