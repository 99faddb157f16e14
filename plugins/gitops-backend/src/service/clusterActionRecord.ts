import { GitopsAction } from '@gitops-backstage/plugin-gitops-common';
import { randomUUID } from 'node:crypto';

/**
 * The record of a request that went to a cluster instead of Git (an engine sync, a rollout
 * action): nothing to track afterwards, so it is finished when made. A dry run gets no id and
 * is never stored.
 */
export function clusterActionRecord(options: {
  action: 'sync' | 'rollout';
  entityRef: string;
  environment: string;
  actor: string;
  message: string;
  /** What was (or would be) sent, for the record's `diff`. */
  diff?: string;
  dryRun?: boolean;
  at: Date;
}): GitopsAction {
  const at = options.at.toISOString();
  return {
    id: options.dryRun ? null : randomUUID(),
    action: options.action,
    entityRef: options.entityRef,
    status: options.dryRun ? 'DryRun' : 'Requested',
    from: null,
    to: options.environment,
    actor: options.actor,
    gates: [],
    version: null,
    previousVersion: null,
    scaling: null,
    diff: options.diff ?? '',
    commit: null,
    branch: null,
    pullRequest: null,
    message: options.message,
    createdAt: at,
    updatedAt: at,
    finishedAt: at,
  };
}
