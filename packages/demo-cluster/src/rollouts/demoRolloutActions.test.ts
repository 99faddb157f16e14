import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startDemoWithBackend, waitFor } from '../__testUtils__/demoBackend';
import { templateHash } from '../workloadObjects';

jest.setTimeout(120_000);

const API = '/api/gitops/entities/default/component/checkout';

/**
 * checkout's canary in prod with the real backend plugin, its pauses and analysis at a
 * twentieth of Git's pace: a promotion from staging is a commit, the sync starts the canary,
 * the lane shows its steps, and the portal's Promote (what `kubectl argo rollouts promote`
 * sends) lets it finish.
 */
describe("checkout's canary through the backend plugin", () => {
  let workDir: string;
  let backend: any;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-rollout-actions-'));
    ({ backend, stop } = await startDemoWithBackend(workDir, {
      rolloutTimeScale: 0.05,
    }));
  });
  afterAll(async () => {
    await stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const environment = async (name: string) =>
    (
      (await request(backend).get(`${API}/environments`)).body
        .environments as any[]
    ).find(e => e.name === name);
  const prod = () => environment('prod');

  it('starts Healthy, walks v2.4.0 to the pause and on to Healthy after a Promote', async () => {
    const start = await waitFor(prod, p => Boolean(p?.rollout), 15_000);
    expect(start).toMatchObject({
      problems: [],
      sync: { status: 'Synced', health: 'Healthy' },
      rollout: {
        controller: 'argo-rollouts',
        phase: 'Healthy',
        stable: { image: 'ghcr.io/acme/checkout:v2.3.0', ready: 5, pods: 5 },
      },
    });

    const promotion = await request(backend)
      .post(`${API}/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(promotion.status).toBe(201);
    await waitFor(prod, p => p.sync.status === 'OutOfSync', 10_000);
    const sync = await request(backend)
      .post(`${API}/sync`)
      .send({ environment: 'prod', action: 'sync' });
    expect(sync.status).toBe(201);

    const paused = await waitFor(
      prod,
      // The lane counts steps from 1: the pause until promoted is the fifth.
      p => p.rollout?.step === 5 && p.rollout?.phase === 'Paused',
      40_000,
    );
    expect(paused.rollout).toMatchObject({
      weight: 40,
      stable: { image: 'ghcr.io/acme/checkout:v2.3.0', pods: 3 },
      canary: { image: 'ghcr.io/acme/checkout:v2.4.0', pods: 2 },
      analysis: { state: 'Successful' },
    });
    expect(
      paused.rollout.actions.find((a: any) => a.action === 'promote'),
    ).toMatchObject({ allowed: true });

    const promote = await request(backend)
      .post(`${API}/rollouts`)
      .send({ environment: 'prod', action: 'promote' });
    expect(promote.status).toBeLessThan(300);
    const done = await waitFor(
      prod,
      p => p.rollout?.phase === 'Healthy',
      40_000,
    );
    expect(done).toMatchObject({
      problems: [],
      sync: { status: 'Synced', health: 'Healthy' },
      rollout: {
        stable: {
          image: 'ghcr.io/acme/checkout:v2.4.0',
          revision: templateHash('ghcr.io/acme/checkout:v2.4.0'),
          ready: 5,
        },
      },
    });
  });

  it('aborts v2.5.0 from dev at 20 %: the lane says why, the stable version serves', async () => {
    for (const [from, to] of [
      ['dev', 'staging'],
      ['staging', 'prod'],
    ]) {
      const res = await request(backend)
        .post(`${API}/promotions`)
        .send({ from, to });
      expect(res.status).toBe(201);
      await waitFor(
        () => environment(to),
        e => e.desired?.tag === 'v2.5.0',
        15_000,
      );
    }
    await waitFor(prod, p => p.sync.status === 'OutOfSync', 10_000);
    const sync = await request(backend)
      .post(`${API}/sync`)
      .send({ environment: 'prod', action: 'sync' });
    expect(sync.status).toBe(201);
    const aborted = await waitFor(
      prod,
      p => Boolean(p.rollout?.aborted) && p.rollout?.stable?.pods === 5,
      40_000,
    );
    const why =
      'Rollout aborted update to revision 3: Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';
    expect(aborted).toMatchObject({
      sync: { status: 'Synced', health: 'Degraded' },
      rollout: {
        phase: 'Degraded',
        message: `RolloutAborted: ${why}`,
        weight: 0,
        stable: { image: 'ghcr.io/acme/checkout:v2.4.0', ready: 5, pods: 5 },
        analysis: { state: 'Failed', metrics: [{ name: 'success-rate' }] },
      },
    });
    expect(aborted.problems).toEqual([
      expect.objectContaining({
        type: 'RolloutAborted',
        message: expect.stringContaining(why),
      }),
    ]);
    expect(
      aborted.rollout.actions.find((a: any) => a.action === 'retry'),
    ).toMatchObject({ allowed: true });
  });
});
