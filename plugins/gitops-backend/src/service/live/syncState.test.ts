import {
  FIXTURE_NOW,
  healthyArgoService,
  healthyFluxHelmService,
  healthyFluxService,
} from './__fixtures__/clusterObjects';
import { failureScenarios } from './__fixtures__/failureScenarios';
import { liveState } from './liveState';
import { memoryCluster } from './memoryCluster';
import { selectServiceObjects } from './selectServiceObjects';
import { syncState } from './syncState';

function objectsOf(snapshot: Record<string, any>) {
  return selectServiceObjects(memoryCluster(snapshot), {
    namespace: 'guestbook-prod',
    environment: 'prod',
    kubernetesId: 'guestbook',
    argoAppSelector: 'app.kubernetes.io/name=guestbook',
  });
}
const scenario = (name: string) =>
  failureScenarios.find(s => s.name === name)!.snapshot;

describe('syncState', () => {
  it.each([
    [
      'a healthy Argo CD app',
      healthyArgoService({
        service: 'guestbook',
        env: 'prod',
        tag: 'v1.0.3',
        replicas: 3,
      }),
      { engine: 'argocd', status: 'Synced', health: 'Healthy', message: null },
    ],
    [
      'a healthy Flux Kustomization',
      healthyFluxService({
        service: 'guestbook',
        env: 'prod',
        tag: 'v1.0.3',
        replicas: 3,
      }),
      { engine: 'flux', status: 'Synced', health: 'Healthy', message: null },
    ],
    [
      'a healthy Flux HelmRelease',
      healthyFluxHelmService({
        service: 'guestbook',
        env: 'prod',
        tag: 'v1.0.3',
        replicas: 3,
      }),
      { engine: 'flux', status: 'Synced', health: 'Healthy' },
    ],
    [
      'a failed Argo CD sync',
      scenario('syncFailedArgo'),
      {
        engine: 'argocd',
        status: 'OutOfSync',
        health: 'Degraded',
        message: expect.any(String),
      },
    ],
    [
      'a failed Flux build',
      scenario('syncFailedFlux'),
      {
        engine: 'flux',
        status: 'OutOfSync',
        health: 'Degraded',
        message: expect.any(String),
      },
    ],
    [
      'a suspended Kustomization',
      scenario('suspendedFlux'),
      { engine: 'flux', health: 'Suspended' },
    ],
    [
      'an unreachable Argo CD source',
      scenario('sourceNotReadyArgo'),
      { engine: 'argocd', status: 'Unknown' },
    ],
    [
      'a service no engine deploys',
      {
        deployments: healthyArgoService({
          service: 'guestbook',
          env: 'prod',
          tag: 'v1',
          replicas: 1,
        }).deployments,
      },
      { engine: 'none', status: 'Unknown', health: 'Unknown', object: null },
    ],
  ])('reads %s', (_name, snapshot, expected) => {
    const sync = syncState(objectsOf(snapshot));
    expect(sync).toMatchObject(expected);
    expect(Object.keys(sync).sort()).toEqual([
      'chartVersion',
      'deployed',
      'engine',
      'health',
      'lastSyncedAt',
      'message',
      'object',
      'revision',
      'status',
      'suspendedBy',
    ]);
  });

  it('reads the applied revision and when it synced', () => {
    const sync = syncState(
      objectsOf(
        healthyArgoService({
          service: 'guestbook',
          env: 'prod',
          tag: 'v1.0.3',
          replicas: 3,
        }),
      ),
    );
    expect(sync.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(Date.parse(sync.lastSyncedAt!)).toBeLessThanOrEqual(
      Date.parse(FIXTURE_NOW),
    );
  });
});

describe('liveState', () => {
  it('reads images, replicas, rollout, autoscaler and pods of a healthy service', () => {
    const snapshot = healthyArgoService({
      service: 'guestbook',
      env: 'prod',
      tag: 'v1.0.3',
      replicas: 3,
      hpa: { min: 3, max: 10, current: 4, cpu: 70, currentCpu: 73 },
    });
    expect(liveState('prod', 'guestbook-prod', objectsOf(snapshot))).toEqual({
      cluster: 'prod',
      namespace: 'guestbook-prod',
      workload: 'guestbook',
      images: ['ghcr.io/acme/guestbook:v1.0.3'],
      replicas: { desired: 4, ready: 4, updated: 4, available: 4 },
      rollout: { status: 'Complete', message: null },
      autoscaling: {
        minReplicas: 3,
        maxReplicas: 10,
        currentReplicas: 4,
        desiredReplicas: 4,
        metrics: [{ name: 'cpu', current: 73, target: 70 }],
      },
      pods: { total: 4, ready: 4, restarts: 0 },
    });
  });

  it.each([
    ['rolloutStuck', 'Failed'],
    ['crashLoopBackOff', 'Progressing'],
  ])('reads the rollout of %s as %s', (name, status) => {
    expect(
      liveState('prod', 'guestbook-prod', objectsOf(scenario(name))).rollout
        .status,
    ).toBe(status);
  });

  it('counts restarts of crash-looping pods', () => {
    expect(
      liveState(
        'prod',
        'guestbook-prod',
        objectsOf(scenario('crashLoopBackOff')),
      ).pods.restarts,
    ).toBeGreaterThan(0);
  });

  it('answers with empty state when the workload is missing', () => {
    expect(liveState('prod', 'guestbook-prod', objectsOf({}))).toMatchObject({
      workload: null,
      images: [],
      replicas: null,
      rollout: { status: 'Unknown' },
      pods: { total: 0, ready: 0, restarts: 0 },
    });
  });
});
