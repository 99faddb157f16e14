import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startDemoWithBackend, waitFor } from './__testUtils__/demoBackend';

jest.setTimeout(420_000);

const API = '/api/gitops/entities/default/component';

/**
 * Delivery metrics from the deployment ledger on the demo, scripted through REST as the README
 * describes them: staging gets a promotion, a rollback and a promotion again.
 */
describe('delivery metrics on the demo', () => {
  let workDir: string;
  let demo: Awaited<ReturnType<typeof startDemoWithBackend>>;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-metrics-'));
    // The ledger is written by a scheduled pass (default every 30 s): every 2 s here, so each
    // change is counted soon after it deployed.
    demo = await startDemoWithBackend(workDir, {
      gitops: { metrics: { recordIntervalSeconds: 2 } },
    });
  });
  afterAll(async () => {
    await demo.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const staging = async () =>
    (
      await request(demo.backend).get(`${API}/guestbook/metrics?window=7d`)
    ).body.environments.find((e: any) => e.environment === 'staging');

  /** Makes the change, then waits until the ledger holds it as staging's latest deployment. */
  async function change(
    path_: 'promotions' | 'rollback',
    body: object,
    counted: (counts: any) => boolean,
  ) {
    const res = await request(demo.backend)
      .post(`${API}/guestbook/${path_}`)
      .send(body);
    expect(res.status).toBe(201);
    const after = await waitFor(staging, s => counted(s.counts), 120_000);
    if (!counted(after.counts)) {
      // What the ledger was written from, so a failure says which part lagged or misread.
      const [history, state] = await Promise.all([
        request(demo.backend).get(
          `${API}/guestbook/history?environment=staging`,
        ),
        request(demo.backend).get(`${API}/guestbook/environments`),
      ]);
      const env = state.body.environments?.find(
        (e: any) => e.name === 'staging',
      );
      throw new Error(
        [
          `${path_} not counted in 120 s: ${JSON.stringify(after)}`,
          `history: ${JSON.stringify(history.body)}`,
          `staging: ${JSON.stringify({
            desired: env?.desired,
            live: env?.live?.images ?? env?.live,
            sync: env?.sync,
            drift: env?.drift,
            problems: env?.problems,
            error: env?.error,
          })}`,
        ].join('\n'),
      );
    }
  }

  it('counts 3 deployments of staging (2 promotions, 1 rollback) and 1 failed change of 2', async () => {
    // The example history is from early November: outside a 7-day window.
    const before = await waitFor(staging, s => s !== undefined, 10_000);
    expect(before.counts.deployments).toBe(0);

    await change(
      'promotions',
      { from: 'dev', to: 'staging' },
      c => c.promotions === 1,
    );
    await change(
      'rollback',
      { environment: 'staging', toTag: 'v1.0.4' },
      c => c.rollbacks === 1,
    );
    await change(
      'promotions',
      { from: 'dev', to: 'staging' },
      c => c.promotions === 2,
    );

    const metrics = await staging();
    expect(metrics.counts).toEqual({
      deployments: 3,
      promotions: 2,
      rollbacks: 1,
      external: 0,
      failed: 0,
    });
    // The first promotion was rolled back within the failure window; the second was not.
    expect(metrics.changeFailureRate).toMatchObject({ value: 50, samples: 2 });
    // Restored by the rollback: one failure, restored in well under an hour.
    expect(metrics.timeToRestore.samples).toBe(1);
    expect(metrics.timeToRestore.value).toBeLessThan(60);
    expect(metrics.deploymentFrequency).toMatchObject({
      value: Number((3 / 7).toFixed(2)),
      samples: 3,
    });

    // The fleet view counts the same for the owner's services.
    const fleet = await request(demo.backend).get(
      '/api/gitops/metrics?owner=guests&environment=staging&window=7d',
    );
    expect(fleet.status).toBe(200);
    expect(fleet.body.environments).toHaveLength(1);
    expect(fleet.body.environments[0].counts.rollbacks).toBe(1);
  });
});
