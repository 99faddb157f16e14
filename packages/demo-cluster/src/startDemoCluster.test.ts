import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  exampleRepository,
  fluxFleetRepository,
} from './__testUtils__/exampleRepository';
import { startDemoCluster } from './startDemoCluster';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../../..');

describe('demo cluster', () => {
  let workDir: string;
  let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
  let base: string;
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cluster-'));
    cluster = await startDemoCluster({
      port: 0,
      repositoryUrl: exampleRepository(workDir),
      repositories: { 'flux-fleet': fluxFleetRepository(workDir) },
      seedsDir: path.join(root, 'examples/demo-cluster'),
      logger: mockServices.logger.mock(),
      intervalMs: 200,
      stepMs: 200,
    });
    base = `http://127.0.0.1:${cluster.port}`;
  });
  afterAll(async () => {
    await cluster.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const get = async (url: string) => (await fetch(`${base}${url}`)).json();

  it('starts with every service synced, the seeded failures failing', async () => {
    const apps = await get('/apis/argoproj.io/v1alpha1/applications');
    expect(
      apps.items.map((a: any) => [
        a.metadata.name,
        a.status.sync.status,
        a.status.health.status,
      ]),
    ).toEqual([
      ['guestbook-dev', 'Synced', 'Healthy'],
      ['guestbook-staging', 'Synced', 'Healthy'],
      ['guestbook-prod', 'Synced', 'Healthy'],
      ['demo-flask-app-dev', 'Synced', 'Healthy'],
      ['demo-flask-app-staging', 'Synced', 'Degraded'], // a crashing build
      ['demo-flask-app-prod', 'Synced', 'Healthy'],
    ]);
    const flux = await get(
      '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
    );
    expect(
      flux.items.map((k: any) => [
        k.metadata.name,
        k.status.conditions[0].status,
        k.status.conditions[0].reason,
      ]),
    ).toEqual([
      ['sample-app-dev', 'False', 'HealthCheckFailed'], // 1.4.2 is not in the registry
      ['sample-app-staging', 'True', 'ReconciliationSucceeded'],
      ['sample-app-prod', 'True', 'ReconciliationSucceeded'],
      ['podinfo-dev', 'True', 'ReconciliationSucceeded'],
      ['podinfo-staging', 'True', 'ReconciliationSucceeded'],
      ['podinfo-prod', 'True', 'ReconciliationSucceeded'],
      ['flux-podinfo-dev', 'True', 'ReconciliationSucceeded'],
      ['flux-podinfo-staging', 'True', 'ReconciliationSucceeded'],
      ['flux-podinfo-prod', 'True', 'ReconciliationSucceeded'],
    ]);
    // A chart from its Helm repository: the version the range selects, its default image.
    const releases = await get(
      '/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps-staging/helmreleases',
    );
    expect(
      releases.items.map((r: any) => [
        r.metadata.name,
        r.status.history[0].chartVersion,
        r.status.lastAttemptedRevision,
      ]),
    ).toEqual([['podinfo', '6.9.0', '6.9.0']]);
    const index = await fetch(
      `${base}/helm/stefanprodan.github.io/podinfo/index.yaml`,
    );
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('version: 6.9.1-rc.1');
    // The HelmRelease values of each overlay, as Flux would render them.
    const podinfo = await get(
      '/apis/apps/v1/namespaces/podinfo-staging/deployments',
    );
    expect(
      podinfo.items.map((d: any) => [
        d.spec.template.spec.containers[0].image,
        d.spec.replicas,
      ]),
    ).toEqual([['ghcr.io/acme/podinfo:6.7.0', 2]]);
    const pods = await get('/api/v1/namespaces/sample-app-dev/pods');
    expect(
      pods.items.map(
        (p: any) => p.status.containerStatuses[0].state.waiting?.reason,
      ),
    ).toContain('ImagePullBackOff');
    const crashing = await get(
      '/api/v1/namespaces/demo-flask-app-staging/pods',
    );
    expect(
      crashing.items.map(
        (p: any) => p.status.containerStatuses[0].state.waiting?.reason,
      ),
    ).toEqual(['CrashLoopBackOff', 'CrashLoopBackOff']);
  });

  it('scales the prod autoscaler step by step up to its maximum', async () => {
    const hpa = async () =>
      (
        await get(
          '/apis/autoscaling/v2/namespaces/guestbook-prod/horizontalpodautoscalers',
        )
      ).items[0];
    const first = await hpa();
    expect(first.spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    for (let i = 0; i < 50 && (await hpa()).status.currentReplicas < 10; i++) {
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    const last = await hpa();
    expect(last.status.currentReplicas).toBe(10);
    expect(last.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'ScalingLimited',
        status: 'True',
        reason: 'TooManyReplicas',
      }),
    );
  });

  it('serves the demo registry: tags and digests', async () => {
    expect(await get('/v2/acme/guestbook/tags/list')).toEqual({
      name: 'acme/guestbook',
      tags: ['v1.0.1', 'v1.0.2', 'v1.0.3', 'v1.0.4', 'v1.0.5', 'v1.0.6'],
    });
    const head = await fetch(`${base}/v2/acme/sample-app/manifests/1.4.1`, {
      method: 'HEAD',
    });
    expect(head.headers.get('docker-content-digest')).toBe(
      'sha256:4b1e2f0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
    );
    const missing = await fetch(`${base}/v2/acme/sample-app/manifests/1.4.2`, {
      method: 'HEAD',
    });
    expect(missing.status).toBe(404);
  });

  it('answers a merge patch with a stale resourceVersion with 409, as the API server does', async () => {
    const url = `${base}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/guestbook-prod`;
    const res = await fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({
        metadata: { resourceVersion: '1' },
        operation: {},
      }),
    });
    expect(res.status).toBe(409);
    const json = await fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: '[]',
    });
    expect(json.status).toBe(415);
  });

  it('answers a watch at once, sends no event it does not have, and ends it after timeoutSeconds', async () => {
    const started = Date.now();
    const response = await fetch(
      `${base}/apis/autoscaling/v2/horizontalpodautoscalers?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=999999`,
    );
    // Headers arrive before any event, as from a real API server.
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(500);
    await response.text();
    const ended = Date.now() - started;
    expect(ended).toBeGreaterThanOrEqual(900);
    expect(ended).toBeLessThan(3000);
  });
});
