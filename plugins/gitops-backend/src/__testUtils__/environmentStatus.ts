import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';

/**
 * One environment of guestbook as `/environments` answers it, for tests of what reads that
 * answer (gates, the policy, verification planning): Git declares `tag` (default v1.0.5), the
 * cluster runs `images` (default that tag) with `sync` (default Synced and Healthy, `null`
 * for no cluster).
 */
export function environmentStatus(
  overrides: {
    name?: string;
    tag?: string | null;
    images?: string[];
    sync?: [string, string] | null;
    error?: string;
  } = {},
): EnvironmentStatus {
  const name = overrides.name ?? 'staging';
  const tag = overrides.tag === undefined ? 'v1.0.5' : overrides.tag;
  const [status, health] = overrides.sync ?? ['Synced', 'Healthy'];
  return {
    name,
    desired: {
      layout: 'kustomize',
      image: 'ghcr.io/acme/guestbook',
      tag,
      digest: null,
      replicas: 2,
      autoscaling: null,
      resources: null,
      namespace: null,
      workload: 'guestbook',
      source: { repo: 'r', branch: 'main', path: 'p', revision: 'abc' },
      warnings: [],
    },
    live:
      overrides.sync === null
        ? null
        : {
            cluster: 'c',
            namespace: `guestbook-${name}`,
            workload: 'guestbook',
            images: overrides.images ?? [`ghcr.io/acme/guestbook:${tag}`],
            replicas: { desired: 2, ready: 2, updated: 2, available: 2 },
            rollout: { status: 'Complete', message: null },
            autoscaling: null,
            pods: { total: 2, ready: 2, restarts: 0 },
          },
    sync:
      overrides.sync === null
        ? null
        : {
            engine: 'argocd',
            status: status as any,
            health: health as any,
            revision: 'abc',
            lastSyncedAt: null,
            message: null,
            object: null,
          },
    drift: [],
    problems: [],
    registry: null,
    error: overrides.error ?? null,
  };
}
