import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createExampleGitRepo } from 'gitops-testkit';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { guestbookEntity, guestbookObjects } from './__testUtils__/guestbook';
import { HttpKubeApi } from './__testUtils__/httpKubeApi';
import { OutageProxy } from './__testUtils__/outageProxy';
import { gitopsPlugin } from './plugin';

/*
 * Recovery after a cluster outage with the DEFAULT settings (no `timeouts`, no backoff given):
 * a change made while the API server was down shows in the environments view within 10 s of
 * the server answering again. The outage is long enough that the watches' reconnect backoff
 * is at its cap (with the former uncapped 1 s → 30 s doubling, the next attempt after a 16 s
 * outage came 15 s after the server was back).
 */

const RECOVERY_LIMIT_MS = 10_000;
const OLD_IMAGE = 'ghcr.io/acme/guestbook:v1.0.3';
const NEW_IMAGE = 'ghcr.io/acme/guestbook:v1.0.6';

function prodObjects() {
  return guestbookObjects({ prod: { tag: 'v1.0.3', replicas: 3 } });
}

jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('recovery after a cluster outage, default settings', () => {
  let workDir: string;
  let origin: string;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-recovery-'));
    origin = createExampleGitRepo(path.join(workDir, 'origin'));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startBackend(url: string) {
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        catalogServiceMock.factory({ entities: [guestbookEntity()] }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              repositories: [{ url: origin }],
              git: { cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')) },
              clusters: [
                {
                  name: 'local',
                  url,
                  serviceAccountToken: 'local-secret',
                  skipTLSVerify: true,
                },
              ],
              environments: [{ name: 'prod', cluster: 'local' }],
              // No `timeouts`: the defaults are what is measured.
            },
          },
        }),
      ],
    });
    cleanups.push(() => backend.stop());
    return backend.server;
  }

  async function prod(server: any) {
    const res = await supertest(server).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(200);
    return res.body.environments.find((e: any) => e.name === 'prod');
  }

  async function until(
    probe: () => Promise<any>,
    done: (value: any) => boolean,
    limitMs: number,
  ): Promise<{ value: any; at: number }> {
    const started = Date.now();
    for (;;) {
      const value = await probe();
      if (done(value)) return { value, at: Date.now() };
      if (Date.now() - started > limitMs) {
        throw new Error(
          `not reached within ${limitMs} ms: ${JSON.stringify(value?.live)}`,
        );
      }
      await sleep(50);
    }
  }

  /** Warm, then the outage, then a changed image while it lasts. */
  async function outage(options: {
    server: any;
    cluster: HttpKubeApi;
    breakIt: () => Promise<void> | void;
    lastsMs: number;
  }) {
    const { server, cluster } = options;
    await until(
      () => prod(server),
      env => env.live?.images?.[0] === OLD_IMAGE && env.live.stale === false,
      15_000,
    );
    await options.breakIt();
    const started = Date.now();
    // Served from the cache, marked stale, while the API server is away.
    const stale = await until(
      () => prod(server),
      env => env.live?.stale === true,
      15_000,
    );
    expect(stale.value.live.images).toEqual([OLD_IMAGE]);
    const [deployment] = prodObjects().deployments!;
    deployment.spec.template.spec.containers[0].image = NEW_IMAGE;
    cluster.apply('deployments', 'MODIFIED', deployment);
    await sleep(options.lastsMs - (Date.now() - started));
    expect((await prod(server)).live.images).toEqual([OLD_IMAGE]);
  }

  /** From `answeredAt` until the view shows the new image, and until it is no longer stale. */
  async function recovery(server: any, answeredAt: number) {
    const shown = await until(
      () => prod(server),
      env => env.live?.images?.[0] === NEW_IMAGE,
      30_000,
    );
    const current = await until(
      () => prod(server),
      env => env.live?.images?.[0] === NEW_IMAGE && env.live.stale === false,
      30_000,
    );
    expect(current.value).toMatchObject({
      error: null,
      live: { stale: false, staleReason: null },
    });
    return {
      shownMs: shown.at - answeredAt,
      currentMs: current.at - answeredAt,
    };
  }

  it('shows a change made while the API server refused connections within 10 s of it listening again', async () => {
    const cluster = await new HttpKubeApi().start();
    cleanups.push(() => cluster.stop());
    cluster.load(prodObjects());
    const proxy = await new OutageProxy({
      host: '127.0.0.1',
      port: Number(new URL(cluster.url).port),
    }).start();
    cleanups.push(() => proxy.stop());
    const server = await startBackend(proxy.url);

    const lastsMs = 16_000;
    await outage({ server, cluster, breakIt: () => proxy.refuse(), lastsMs });
    await proxy.restore();
    const answeredAt = Date.now();
    const { shownMs, currentMs } = await recovery(server, answeredAt);

    process.stdout.write(
      `cluster refused connections for ${
        lastsMs / 1000
      } s: the change made meanwhile shown ${shownMs} ms, every kind current ${currentMs} ms after the API server listened again\n`,
    );
    expect(shownMs).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
    expect(currentMs).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
    // Resumed from the last resourceVersion: watches, no list.
    const after = proxy.attempts.filter(a => a.at >= answeredAt);
    const deployments = after.filter(a =>
      a.request?.startsWith('GET /apis/apps/v1/deployments'),
    );
    expect(deployments.length).toBeGreaterThanOrEqual(1);
    expect(deployments.every(a => /watch=true/.test(a.request!))).toBe(true);
  });

  it('shows a change made while the API server hung within 10 s of it answering again', async () => {
    const cluster = await new HttpKubeApi().start();
    cleanups.push(() => cluster.stop());
    cluster.load(prodObjects());
    const server = await startBackend(cluster.url);

    // With the former backoff, the attempt sent 22 s into the hang waited its 5 s time-out,
    // then 8 s: the change showed 12 s after the server answered again at 23 s.
    const lastsMs = 23_000;
    let before = 0;
    const hang = () => {
      before = cluster.requests.length;
      cluster.hang();
    };
    await outage({ server, cluster, breakIt: hang, lastsMs });
    // Requests sent while it hangs stay unanswered after it recovers: the watches must give
    // up on them (the time-out), not only retry soon.
    cluster.recover();
    const answeredAt = Date.now();
    const hungWatches = cluster.requests
      .slice(before)
      .filter(r => r.startsWith('GET /apis/apps/v1/deployments'));
    const { shownMs, currentMs } = await recovery(server, answeredAt);

    process.stdout.write(
      `cluster hung for ${
        lastsMs / 1000
      } s: the change made meanwhile shown ${shownMs} ms, every kind current ${currentMs} ms after the API server answered again (${
        hungWatches.length
      } deployment watches sent during the hang)\n`,
    );
    expect(shownMs).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
    expect(currentMs).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
    // One request per kind at a time, each waiting the 5 s time-out: no hot loop.
    expect(hungWatches.length).toBeGreaterThanOrEqual(3);
    expect(hungWatches.length).toBeLessThanOrEqual(lastsMs / 5000 + 1);
  });
});
