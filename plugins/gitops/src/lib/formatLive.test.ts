import { LiveState } from '@gitops-backstage/plugin-gitops-common';
import {
  formatLive,
  formatNewer,
  formatSync,
  runningVersion,
} from './formatLive';

const live = (over: Partial<LiveState>): LiveState => ({
  cluster: 'prod',
  namespace: 'guestbook-prod',
  workload: 'guestbook',
  images: ['ghcr.io/acme/guestbook:v1.0.2'],
  replicas: { desired: 3, ready: 3, updated: 3, available: 3 },
  rollout: { status: 'Complete', message: null },
  autoscaling: null,
  pods: { total: 3, ready: 3, restarts: 0 },
  ...over,
});

describe('runningVersion', () => {
  it.each([
    ['ghcr.io/acme/guestbook:v1.0.2', 'v1.0.2'],
    ['localhost:5000/app', '—'],
    ['ghcr.io/acme/app@sha256:4b1e2f0c9d8a7b6c', 'sha256:4b1e2f0c…'],
    [
      'ghcr.io/acme/app:1.4.1@sha256:4b1e2f0c9d8a7b6c',
      '1.4.1@sha256:4b1e2f0c…',
    ],
  ])('reads %s as %s', (image, expected) => {
    expect(runningVersion(image)).toBe(expected);
  });
});

describe('formatLive', () => {
  it.each<[string, LiveState | null, string]>([
    ['no cluster', null, '—'],
    ['a healthy workload', live({}), 'v1.0.2 · 3/3 ready'],
    [
      'a workload scaled by its HPA',
      live({
        autoscaling: {
          minReplicas: 3,
          maxReplicas: 10,
          currentReplicas: 5,
          desiredReplicas: 5,
          metrics: [],
        },
        replicas: { desired: 3, ready: 4, updated: 5, available: 4 },
      }),
      'v1.0.2 · 4/5 ready',
    ],
    [
      'a stuck rollout',
      live({
        rollout: { status: 'Failed', message: 'deadline' },
        replicas: { desired: 3, ready: 1, updated: 1, available: 1 },
      }),
      'v1.0.2 · 1/3 ready · rollout failed',
    ],
    [
      'the state of a cluster that stopped answering',
      live({
        stale: true,
        staleReason:
          'cluster prod: no answer since 03:21:29 UTC; showing the state from then',
      }),
      'v1.0.2 · 3/3 ready · stale',
    ],
    [
      'a missing workload',
      live({ workload: null, images: [], replicas: null }),
      'not found in the cluster',
    ],
  ])('shows %s', (_name, value, expected) => {
    expect(formatLive(value)).toBe(expected);
  });
});

describe('formatSync', () => {
  it.each([
    [null, '—'],
    [{ engine: 'none', status: 'Unknown', health: 'Missing' }, '—'],
    [
      { engine: 'argocd', status: 'OutOfSync', health: 'Degraded' },
      'OutOfSync · Degraded',
    ],
    [
      { engine: 'flux', status: 'Synced', health: 'Healthy' },
      'Synced · Healthy',
    ],
  ] as const)('shows %j as %s', (sync, expected) => {
    expect(formatSync(sync as any)).toBe(expected);
  });
});

describe('formatNewer', () => {
  const registry = (newer: string[]) => ({
    image: 'ghcr.io/acme/guestbook',
    policy: 'semver',
    latest: newer[0] ?? 'v1.0.3',
    newer,
    digest: null,
    tagExists: true,
  });
  it.each([
    [null, '—'],
    [registry([]), '—'],
    [registry(['v1.0.6']), 'v1.0.6'],
    [registry(['v1.0.6', 'v1.0.5', 'v1.0.4']), 'v1.0.6 (+2 more)'],
  ])('shows %j as %s', (value, expected) => {
    expect(formatNewer(value)).toBe(expected);
  });
});
