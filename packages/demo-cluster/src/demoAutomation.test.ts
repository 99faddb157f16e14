import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startDemoWithBackend, waitFor } from './__testUtils__/demoBackend';

jest.setTimeout(180_000);

const API = '/api/gitops/entities/default/component';

/**
 * The portal's automation through the whole demo loop: guestbook v1.0.5 passes dev's check, so
 * staging takes it by itself; staging's check fails it, so staging is rolled back by itself to
 * v1.0.4, which passed there; the engines sync both commits, and the deployment ledger counts
 * one failed change and its restore.
 */
describe('auto-promotion and auto-rollback on the demo', () => {
  let workDir: string;
  let demo: Awaited<ReturnType<typeof startDemoWithBackend>>;
  let checks: http.Server;
  const asked: string[] = [];

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-automation-'));
    // The services' own smoke test: v1.0.5 fails it in staging, everything else passes.
    checks = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      const bad = req.url === '/staging/guestbook/v1.0.5';
      res.writeHead(bad ? 500 : 200).end(bad ? 'checkout broken' : 'ok');
    });
    await new Promise<void>(resolve =>
      checks.listen(0, '127.0.0.1', () => resolve()),
    );
    const port = (checks.address() as AddressInfo).port;
    const smoke = (env: string) => ({
      checks: [
        {
          name: 'smoke',
          kind: 'http',
          url: `http://127.0.0.1:${port}/${env}/{service}/{version}`,
          expectStatus: 200,
        },
      ],
    });
    demo = await startDemoWithBackend(workDir, {
      environments: {
        // dev's check waits longer than staging's, so staging's v1.0.4 has passed (the version
        // to roll back to) before v1.0.5 arrives.
        dev: { verification: { ...smoke('dev'), delaySeconds: 12 } },
        staging: {
          // As a real staging would: the version runs a while before its checks, so the
          // deployment ledger sees it running before it is rolled back.
          verification: { ...smoke('staging'), delaySeconds: 3 },
          policy: {
            autoPromotion: {
              from: 'dev',
              entities: ['component:default/guestbook'],
            },
            rollbackOnFailedVerification: true,
          },
        },
      },
      gitops: {
        verification: { intervalSeconds: 1 },
        automation: { intervalSeconds: 1 },
        metrics: { recordIntervalSeconds: 1 },
      },
    });
  });
  afterAll(async () => {
    await demo?.stop();
    checks?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: demo.repo, encoding: 'utf8' }).trim();

  it('takes v1.0.5 into staging, rolls it back to v1.0.4 when it fails there, and the ledger counts a failure and a restore', async () => {
    const automation = async () =>
      (
        await request(demo.backend).get(
          `${API}/guestbook/automation?environment=staging`,
        )
      ).body;
    const done = await waitFor(
      automation,
      body => body.items?.filter((e: any) => e.state === 'Done').length === 2,
      150_000,
    );
    expect(
      done.items.map((e: any) => [e.kind, e.version.tag, e.state]),
    ).toEqual([
      ['rollback', 'v1.0.5', 'Done'],
      ['promotion', 'v1.0.5', 'Done'],
    ]);
    const subjects = git('log', '--format=%s', '-2', 'main').split('\n');
    expect(subjects).toEqual([
      'rollback(staging): guestbook v1.0.5 → v1.0.4 (to v1.0.4)',
      'promote(staging): guestbook v1.0.4 → v1.0.5 (from dev)',
    ]);
    expect(asked).toEqual(
      expect.arrayContaining([
        '/dev/guestbook/v1.0.5',
        '/staging/guestbook/v1.0.4',
        '/staging/guestbook/v1.0.5',
      ]),
    );

    // The rollback is synced: staging runs v1.0.4 again, Synced and Healthy.
    const staging = await waitFor(
      async () =>
        (
          await request(demo.backend).get(`${API}/guestbook/environments`)
        ).body.environments.find((e: any) => e.name === 'staging'),
      env =>
        env.live?.images?.[0] === 'ghcr.io/acme/guestbook:v1.0.4' &&
        env.sync?.status === 'Synced' &&
        env.sync?.health === 'Healthy',
      60_000,
    );
    expect(staging.live.images).toEqual(['ghcr.io/acme/guestbook:v1.0.4']);
    expect(staging.sync).toMatchObject({ status: 'Synced', health: 'Healthy' });

    // The ledger: a promotion that failed, and the rollback that restored it.
    const metrics = await waitFor(
      async () =>
        (
          await request(demo.backend).get(`${API}/guestbook/metrics?window=7d`)
        ).body.environments.find((e: any) => e.environment === 'staging'),
      m => m?.counts.rollbacks === 1,
      90_000,
    );
    expect(metrics.counts).toMatchObject({ promotions: 1, rollbacks: 1 });
    expect(metrics.changeFailureRate).toMatchObject({ value: 100, samples: 1 });
    expect(metrics.timeToRestore.samples).toBe(1);

    // Not taken again by itself: dev still runs v1.0.5, and one more pass changes nothing.
    const head = git('rev-parse', 'main');
    await new Promise(resolve => setTimeout(resolve, 3000));
    expect(git('rev-parse', 'main')).toBe(head);
  });
});
