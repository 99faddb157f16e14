import {
  LiveState,
  RegistryState,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import { NOTHING, formatVersion } from './format';

/** The version part of a running image reference (`repo:tag@digest`). */
export function runningVersion(image: string): string {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : null;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : null;
  return formatVersion({ tag, digest });
}

/**
 * What runs: `v1.0.2 · 3/3 ready`, with the HPA's current count when one scales it, the
 * rollout when it is not complete, and `stale` when the cluster's data is not current.
 */
export function formatLive(live: LiveState | null): string {
  if (!live) return NOTHING;
  if (!live.workload) return 'not found in the cluster';
  const version =
    live.images.length > 0 ? runningVersion(live.images[0]) : NOTHING;
  const desired =
    live.autoscaling?.currentReplicas ?? live.replicas?.desired ?? 0;
  const parts = [version, `${live.replicas?.ready ?? 0}/${desired} ready`];
  if (live.rollout.status !== 'Complete')
    parts.push(`rollout ${live.rollout.status.toLowerCase()}`);
  // The cluster stopped answering: this is how it was, not how it is.
  if (live.stale) parts.push('stale');
  return parts.join(' · ');
}

/** `Synced · Healthy` (Argo CD or Flux alike); a dash without an engine. */
export function formatSync(sync: SyncState | null): string {
  if (!sync || sync.engine === 'none') return NOTHING;
  return `${sync.status} · ${sync.health}`;
}

/**
 * Newer builds in the registry: `v1.0.6` or `v1.0.6 (+2 more)`; a dash when up to date or not
 * looked up.
 */
export function formatNewer(registry: RegistryState | null): string {
  if (!registry || registry.newer.length === 0) return NOTHING;
  const [newest, ...rest] = registry.newer;
  return rest.length > 0 ? `${newest} (+${rest.length} more)` : newest;
}
