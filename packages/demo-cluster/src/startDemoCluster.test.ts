import { mockServices } from '@backstage/backend-test-utils';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  exampleRepository,
  fluxFleetRepository,
} from './__testUtils__/exampleRepository';
import { DemoRegistry } from './DemoRegistry';
import { readSeeds } from './seeds';
import { startDemoCluster } from './startDemoCluster';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../../..');

describe('demo cluster', () => {
  let workDir: string;
  let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
  let base: string;
  let repo: string;
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cluster-'));
    repo = exampleRepository(workDir);
    cluster = await startDemoCluster({
      port: 0,
      repositoryUrl: repo,
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
      ['apps', 'Synced', 'Healthy'], // the app of apps: argocd/ of the repository
      ['guestbook-dev', 'Synced', 'Healthy'],
      ['guestbook-staging', 'Synced', 'Healthy'],
      ['guestbook-prod', 'Synced', 'Healthy'],
      ['demo-flask-app-dev', 'Synced', 'Healthy'],
      ['demo-flask-app-staging', 'Synced', 'Degraded'], // a crashing build
      ['demo-flask-app-prod', 'Synced', 'Healthy'],
      ['checkout-dev', 'Synced', 'Healthy'],
      ['checkout-staging', 'Synced', 'Healthy'],
      ['checkout-prod', 'Synced', 'Healthy'], // an Argo Rollouts Rollout (rollouts/)
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
      // flux-system of each environment: clusters/<env> of the repository
      ['flux-system-dev', 'True', 'ReconciliationSucceeded'],
      ['flux-system-staging', 'True', 'ReconciliationSucceeded'],
      ['flux-system-prod', 'True', 'ReconciliationSucceeded'],
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

  it('answers digests as the OCI distribution API does, and runs an image pinned by tag and digest', async () => {
    // As the backend's registry client asks: HEAD, the manifest media types accepted.
    const url = `${base}/v2/acme/guestbook/manifests/v1.0.5`;
    const accept =
      'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
    const head = await fetch(url, { method: 'HEAD', headers: { accept } });
    expect(head.status).toBe(200);
    const digest = head.headers.get('docker-content-digest')!;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const byDigest = await fetch(
      `${base}/v2/acme/guestbook/manifests/${digest}`,
      { headers: { accept } },
    );
    expect(byDigest.status).toBe(200);
    expect(byDigest.headers.get('docker-content-digest')).toBe(digest);
    // kustomize's `newTag` with `digest` writes `name:tag@digest`.
    const registry = new DemoRegistry(
      readSeeds(path.join(root, 'examples/demo-cluster')).images,
    );
    expect(
      [
        `ghcr.io/acme/guestbook:v1.0.5@${digest}`,
        `ghcr.io/acme/guestbook@${digest}`,
        `ghcr.io/acme/guestbook:v1.0.5@sha256:${'0'.repeat(64)}`,
      ].map(image => registry.outcome(image)),
    ).toEqual(['runs', 'runs', 'missing']);
  });

  it("serves the repositories' files as a plain Git host does: /git/<name>/raw/<branch>/<path>", async () => {
    const show = (ref: string, cwd = repo) =>
      execFileSync('git', ['show', ref], { cwd, encoding: 'utf8' });
    const file = await fetch(
      `${base}/git/example/raw/main/argocd/guestbook-dev.yaml`,
    );
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(show('main:argocd/guestbook-dev.yaml'));
    const fleet = await fetch(
      `${base}/git/flux-fleet/raw/main/clusters/dev/apps.yaml`,
    );
    expect([fleet.status, await fleet.text()]).toEqual([
      200,
      show('main:clusters/dev/apps.yaml', path.join(workDir, 'flux-fleet.git')),
    ]);
    // A branch with slashes, as promotions in pull-request mode make them.
    execFileSync('git', ['branch', 'gitops/guestbook/prod/1', 'main~1'], {
      cwd: repo,
    });
    const branch = await fetch(
      `${base}/git/example/raw/gitops/guestbook/prod/1/apps/guestbook/overlays/dev/kustomization.yaml`,
    );
    expect(await branch.text()).toBe(
      show('main~1:apps/guestbook/overlays/dev/kustomization.yaml'),
    );
    for (const missing of [
      '/git/example/raw/main/argocd/nothing.yaml',
      '/git/example/raw/main/argocd', // a folder is not a file
      '/git/example/raw/no-such-branch/argocd/guestbook-dev.yaml',
      '/git/unknown/raw/main/argocd/guestbook-dev.yaml',
    ]) {
      expect([missing, (await fetch(`${base}${missing}`)).status]).toEqual([
        missing,
        404,
      ]);
    }
    // Sent as is: a client's URL parser would fold the `..` away.
    const statusOf = (raw: string) =>
      new Promise<number>((resolve, reject) =>
        http
          .get(`${base}${raw}`, { path: raw }, res => {
            res.resume();
            resolve(res.statusCode!);
          })
          .on('error', reject),
      );
    for (const traversal of [
      '/git/example/raw/main/../../etc/passwd',
      '/git/example/raw/main/argocd/%2e%2e/%2e%2e/HEAD',
    ]) {
      expect([traversal, await statusOf(traversal)]).toEqual([traversal, 400]);
    }
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
