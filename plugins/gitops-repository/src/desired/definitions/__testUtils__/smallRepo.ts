import { planChange } from '../../../planner/PromotionPlanner';
import { ResolvedDefinition } from '../argoApplication';

/** A Deployment `web` running `ghcr.io/acme/web:<tag>`, as a base manifest. */
export function webDeployment(tag = '1.0.0'): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: 1',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    `          image: ghcr.io/acme/web:${tag}`,
    '',
  ].join('\n');
}

/** Plans a change of a resolved environment the way the promotion service does. */
export function planResolved(
  resolved: ResolvedDefinition,
  files: Record<string, string>,
  change: Parameters<typeof planChange>[1],
) {
  return planChange(
    {
      layout: resolved.layout,
      path: resolved.sourcePath,
      image: resolved.workload.image ?? '',
      workload: resolved.workload.workload,
      origins: resolved.origins,
    },
    change,
    async f => files[f],
  );
}

/** `file:line yamlPath`, or null. */
export function where(o?: { file: string; line: number; yamlPath: string }) {
  return o ? `${o.file}:${o.line} ${o.yamlPath}` : null;
}
