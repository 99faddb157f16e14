import { DesiredState } from '@gitops-backstage/plugin-gitops-common';

/**
 * The source's chart version, when both environments pin a chart version in their definitions
 * and they differ. A target that takes a range keeps it: the engine picks the newest match.
 */
export function chartVersionChange(
  source: DesiredState | null,
  target: DesiredState,
): { chartVersion?: string } {
  const from = source?.chart;
  const to = target.chart;
  if (!from?.version || !to?.version || from.range || to.range) return {};
  if (from.name !== to.name || from.version === to.version) return {};
  return { chartVersion: from.version };
}
