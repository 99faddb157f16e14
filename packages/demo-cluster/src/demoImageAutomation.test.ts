import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startDemoCluster } from './startDemoCluster';
import { startDemoWithBackend, waitFor } from './__testUtils__/demoBackend';
import { invalidObjects } from './__testUtils__/validateWithModels';

jest.setTimeout(90_000);

const GROUP = '/apis/image.toolkit.fluxcd.io/v1';

/**
 * Flux image automation in the offline demo: the demo cluster serves the three kinds like its
 * other CRDs, with the statuses the controllers write, and the real backend plugin shows
 * podinfo's dev as following its policy.
 */
describe('the demo Flux image automation', () => {
  let workDir: string;
  let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
  let backend: any;
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-image-automation-'));
    ({ cluster, backend, stop } = await startDemoWithBackend(workDir));
    base = `http://127.0.0.1:${cluster.port}`;
  });
  afterAll(async () => {
    await stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const get = async (url: string) => (await fetch(`${base}${url}`)).json();

  it('serves the kinds: discovery, list and watch, with the controllers statuses', async () => {
    const groups = (await get('/apis')).groups.map((g: any) => g.name);
    expect(groups).toContain('image.toolkit.fluxcd.io');

    const list = async (plural: string) => {
      const body = await get(`${GROUP}/namespaces/flux-system/${plural}`);
      expect(body.kind).toMatch(/List$/);
      expect(body.items).toHaveLength(1);
      return body.items[0];
    };
    const repository = await list('imagerepositories');
    const policy = await list('imagepolicies');
    const automation = await list('imageupdateautomations');
    expect(invalidObjects([repository, policy, automation])).toEqual([]);

    const ready = (o: any) =>
      o.status.conditions.find((c: any) => c.type === 'Ready');
    expect(repository.status).toMatchObject({
      canonicalImageName: 'ghcr.io/acme/podinfo',
      lastScanResult: { tagCount: 4, latestTags: expect.any(Array) },
      observedGeneration: 1,
    });
    expect(ready(repository)).toMatchObject({
      status: 'True',
      message: 'successful scan: found 4 tags',
    });
    expect(policy.status.latestRef).toEqual({
      name: 'ghcr.io/acme/podinfo',
      tag: '6.7.1',
    });
    expect(ready(policy).message).toBe(
      'Latest image tag for ghcr.io/acme/podinfo resolved to 6.7.1',
    );
    expect(automation.status).toMatchObject({
      observedSourceRevision: expect.stringMatching(/^main@sha1:[0-9a-f]{40}$/),
    });
    expect(automation.status).not.toHaveProperty('lastPushTime');
    // The run time is the demo's clock, a moment ago.
    expect(
      Date.now() - Date.parse(automation.status.lastAutomationRunTime),
    ).toBeLessThan(60_000);
    expect(ready(automation)).toMatchObject({
      status: 'True',
      message: 'repository up-to-date',
    });

    // A watch from just before the policy's last change replays it, as the API server does.
    const since = Number(policy.metadata.resourceVersion) - 1;
    const watch = await fetch(
      `${base}${GROUP}/imagepolicies?watch=true&resourceVersion=${since}&timeoutSeconds=1`,
    );
    const events = (await watch.text())
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line));
    expect(events[0]).toMatchObject({
      type: expect.stringMatching(/^(ADDED|MODIFIED)$/),
      object: {
        kind: 'ImagePolicy',
        metadata: { name: 'podinfo-dev' },
        status: { latestRef: { tag: '6.7.1' } },
      },
    });
  });

  it('shows dev following 6.7.x through the backend; staging and prod have no Flux entry', async () => {
    // The backend reads the example repository from a local path, which cannot be compared
    // with the GitRepository's https URL: the automation's path decides (the seeds as they are).
    const environments = async () =>
      (
        await request(backend).get(
          '/api/gitops/entities/default/component/podinfo/environments',
        )
      ).body.environments as any[];
    const flux = (env: any) =>
      (env.automation ?? []).filter(
        (a: any) => a.engine === 'flux-image-automation',
      );
    const envs = await waitFor(
      environments,
      list => list.some(e => e.name === 'dev' && flux(e).length > 0),
      20_000,
    );
    const dev = envs.find(e => e.name === 'dev');
    expect(flux(dev)).toEqual([
      expect.objectContaining({
        engine: 'flux-image-automation',
        policy: '6.7.x',
        error: null,
        lastUpdateAt: null,
        latestImage: 'ghcr.io/acme/podinfo:6.7.1',
        lastCommit: null,
        writeBack: 'git (pushes to main)',
        objects: [
          'ImageRepository flux-system/podinfo',
          'ImagePolicy flux-system/podinfo-dev',
          'ImageUpdateAutomation flux-system/podinfo-dev',
        ],
        paused: false,
      }),
    ]);
    expect(Date.parse(flux(dev)[0].lastRunAt)).toBeGreaterThan(0);
    expect(dev.automationEngines['flux-image-automation']).toBe('installed');
    expect(dev.problems.map((p: any) => p.type)).not.toContain(
      'AutomationFailed',
    );
    for (const name of ['staging', 'prod']) {
      expect([name, flux(envs.find(e => e.name === name))]).toEqual([name, []]);
    }
  });
});
