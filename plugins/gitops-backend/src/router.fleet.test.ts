import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import {
  FLEET_ENVIRONMENTS,
  createFleetRepo,
  fleetClusterObjects,
  fleetEntity,
} from './__testUtils__/fleet';
import { HttpKubeApi } from './__testUtils__/httpKubeApi';
import { gitopsPlugin } from './plugin';

/*
 * The fleet view's cost in counts, not milliseconds: no Kubernetes API request once warm, and
 * cache reads that grow with the number of services shown, not with the size of the clusters.
 */

jest.setTimeout(180_000);

interface FleetRun {
  apiRequestsPerWarmView: number;
  /** Reads of the first overview: every service's rows computed. */
  readsPerOverview: { calls: number; objects: number };
  /** Reads of an overview after the first, with nothing changed meanwhile. */
  readsPerUnchangedOverview: { calls: number; objects: number };
  /** Reads of the overview after one service's Deployment changed, and that row then. */
  readsAfterOneChange: { calls: number; objects: number };
  changedRow: any;
  items: number;
}

async function measureFleet(count: number, workDir: string): Promise<FleetRun> {
  const dir = fs.mkdtempSync(path.join(workDir, `fleet-${count}-`));
  const origin = createFleetRepo(path.join(dir, 'repo'), count);
  const snapshots = FLEET_ENVIRONMENTS.map(env =>
    fleetClusterObjects(env, count),
  );
  const clusters = await Promise.all(
    snapshots.map(async snapshot => {
      const api = await new HttpKubeApi().start();
      api.load(snapshot);
      return api;
    }),
  );
  const backend = await startTestBackend({
    features: [
      gitopsPlugin,
      catalogServiceMock.factory({
        entities: Array.from({ length: count }, (_, i) => fleetEntity(i)),
      }),
      mockServices.rootConfig.factory({
        data: {
          gitops: {
            repositories: [{ url: origin }],
            git: { cacheDir: path.join(dir, 'cache') },
            clusters: FLEET_ENVIRONMENTS.map((env, i) => ({
              name: env,
              url: clusters[i].url,
              serviceAccountToken: 'token',
              skipTLSVerify: true,
            })),
            environments: FLEET_ENVIRONMENTS.map(env => ({
              name: env,
              cluster: env,
            })),
            // Every request computes its page: what is measured is the computation.
            overview: { reuseSeconds: 0 },
          },
        },
      }),
    ],
  });
  try {
    const overview = async () => {
      const res = await supertest(backend.server).get('/api/gitops/overview');
      expect(res.status).toBe(200);
      return res.body;
    };
    const reads = async () => {
      const health = await supertest(backend.server).get('/api/gitops/health');
      return health.body.clusters.reduce(
        (sum: { calls: number; objects: number }, c: any) => ({
          calls: sum.calls + c.reads.calls,
          objects: sum.objects + c.reads.objects,
        }),
        { calls: 0, objects: 0 },
      );
    };
    const since = (
      before: { calls: number; objects: number },
      after: { calls: number; objects: number },
    ) => ({
      calls: after.calls - before.calls,
      objects: after.objects - before.objects,
    });
    const start = await reads();
    const cold = await overview();
    expect(cold.totalCount).toBe(count);
    const afterCold = await reads();
    const requestsBefore = clusters.reduce((n, c) => n + c.requests.length, 0);
    const warm = await overview();
    // The first overview's early rows waited for the clusters: the second computes them again.
    const beforeUnchanged = await reads();
    await overview();
    const afterUnchanged = await reads();
    await overview();
    const requestsAfter = clusters.reduce((n, c) => n + c.requests.length, 0);
    const errors = warm.items.flatMap((i: any) =>
      i.environments.filter((e: any) => e.error || e.sync !== 'Synced'),
    );
    expect(errors).toEqual([]);

    // One service's prod rollout gets stuck: its row changes, and only its row is computed.
    const prod = FLEET_ENVIRONMENTS.indexOf('prod');
    const deployment = structuredClone(
      snapshots[prod].deployments.find(d => d.metadata.name === 'svc-7'),
    );
    deployment.status.conditions = [
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "svc-7-5d9c7b" has timed out progressing.',
        lastUpdateTime: new Date().toISOString(),
        lastTransitionTime: new Date().toISOString(),
      },
    ];
    clusters[prod].apply('deployments', 'MODIFIED', deployment);
    let changedRow: any;
    let beforeChange = await reads();
    for (let attempt = 0; attempt < 50 && !changedRow; attempt++) {
      beforeChange = await reads();
      const page = await overview();
      const row = page.items.find(
        (i: any) => i.entityRef === 'component:default/svc-7',
      );
      if (row.environments.some((e: any) => e.problems > 0)) changedRow = row;
      else await new Promise(resolve => setTimeout(resolve, 20));
    }
    const afterChange = await reads();
    return {
      apiRequestsPerWarmView: (requestsAfter - requestsBefore) / 3,
      readsPerOverview: since(start, afterCold),
      readsPerUnchangedOverview: since(beforeUnchanged, afterUnchanged),
      readsAfterOneChange: since(beforeChange, afterChange),
      changedRow,
      items: warm.items.length,
    };
  } finally {
    await backend.stop();
    await Promise.all(clusters.map(c => c.stop()));
  }
}

describe('the fleet overview', () => {
  let workDir: string;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-fleet-'));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it('costs no Kubernetes API request once warm, cache reads that grow linearly from 100 to 1,000 services, and then only what changed', async () => {
    const small = await measureFleet(100, workDir);
    const large = await measureFleet(1000, workDir);
    expect(small.items).toBe(100);
    expect(large.items).toBe(1000);
    expect(small.apiRequestsPerWarmView).toBe(0);
    expect(large.apiRequestsPerWarmView).toBe(0);
    // 10× the services may cost at most 10× the reads (+10 % for the fixed part).
    expect(large.readsPerOverview.calls).toBeGreaterThan(1000);
    expect(large.readsPerOverview.calls).toBeLessThanOrEqual(
      small.readsPerOverview.calls * 11,
    );
    expect(large.readsPerOverview.objects).toBeLessThanOrEqual(
      small.readsPerOverview.objects * 11,
    );
    // Each service costs a handful of reads per environment, and objects of its own only.
    expect(large.readsPerOverview.objects / 1000).toBeLessThan(30);
    // Nothing changed: every row is taken as it was.
    expect(large.readsPerUnchangedOverview).toEqual({ calls: 0, objects: 0 });
    // One Deployment changed: that service's row alone is computed again, and shows it.
    expect(large.changedRow.environments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'prod', problems: 1 }),
      ]),
    );
    expect(large.readsAfterOneChange.calls).toBeGreaterThan(0);
    // The reads counted are the cluster cache's, of every reader: a background pass over the
    // fleet (the rows' recheck, the deployment ledger's pass) that recomputes the same changed
    // service in the same window counts too (seen once in CI: 60 reads for 40.7 per service).
    // Two services' worth at most, against 40,000 for the fleet.
    expect(large.readsAfterOneChange.calls).toBeLessThanOrEqual(
      (2 * large.readsPerOverview.calls) / 1000 + 1,
    );
  });

  it('pages the overview with a cursor, in entity order, with the total', async () => {
    const dir = fs.mkdtempSync(path.join(workDir, 'paging-'));
    const origin = createFleetRepo(path.join(dir, 'repo'), 25);
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        catalogServiceMock.factory({
          entities: Array.from({ length: 25 }, (_, i) => fleetEntity(i)),
        }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              repositories: [{ url: origin }],
              git: { cacheDir: path.join(dir, 'cache') },
            },
          },
        }),
      ],
    });
    try {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await supertest(backend.server).get(
          `/api/gitops/overview?limit=10${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.totalCount).toBe(25);
        seen.push(...res.body.items.map((i: any) => i.entityRef));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(25);

      const owned = await supertest(backend.server).get(
        '/api/gitops/overview?owner=team-3&limit=1',
      );
      expect(owned.body).toMatchObject({
        totalCount: 2, // svc-3 and svc-23
        items: [{ entityRef: 'component:default/svc-23' }],
      });
      // The page is compressed once and sent as is to clients that accept gzip.
      const gzipped = await supertest(backend.server)
        .get('/api/gitops/overview?limit=5')
        .set('Accept-Encoding', 'gzip');
      const plain = await supertest(backend.server)
        .get('/api/gitops/overview?limit=5')
        .set('Accept-Encoding', 'identity');
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(gzipped.body).toEqual(plain.body);
      expect(plain.body.items).toHaveLength(5);
      const bad = await supertest(backend.server).get(
        '/api/gitops/overview?cursor=not-a-cursor',
      );
      expect(bad.status).toBe(400);
      const badLimit = await supertest(backend.server).get(
        '/api/gitops/overview?limit=0',
      );
      expect(badLimit.status).toBe(400);

      // Sorted pages: every row once, in the order of the whole list, the counts on each.
      const sortedAll = await supertest(backend.server).get(
        '/api/gitops/overview?sort=owner&order=desc',
      );
      expect(sortedAll.status).toBe(200);
      expect(sortedAll.body.counts).toMatchObject({ total: 25 });
      const sortedSeen: string[] = [];
      const cursorsSeen: string[] = [];
      let sortedCursor: string | null = null;
      do {
        const res: any = await supertest(backend.server)
          .get('/api/gitops/overview')
          .query({
            sort: 'owner',
            order: 'desc',
            limit: 10,
            ...(sortedCursor ? { cursor: sortedCursor } : {}),
          });
        expect(res.status).toBe(200);
        expect(res.body.counts.total).toBe(25);
        sortedSeen.push(...res.body.items.map((i: any) => i.entityRef));
        sortedCursor = res.body.nextCursor;
        if (sortedCursor) cursorsSeen.push(sortedCursor);
      } while (sortedCursor);
      const expectedOrder = sortedAll.body.items.map((i: any) => i.entityRef);
      expect(sortedSeen).toEqual(expectedOrder);
      // team-9 … team-0 by their refs, each team's services by name.
      expect(expectedOrder.slice(0, 2)).toEqual([
        'component:default/svc-9',
        'component:default/svc-8',
      ]);
      expect(
        (
          await supertest(backend.server).get(
            '/api/gitops/overview?owner=team-3',
          )
        ).body.counts,
      ).toMatchObject({ total: 2 });
      for (const badQuery of [
        'sort=age',
        'order=up',
        // A cursor of the owner order asked for with another.
        `sort=problems&cursor=${cursorsSeen[0]}`,
      ]) {
        const res = await supertest(backend.server).get(
          `/api/gitops/overview?${badQuery}`,
        );
        expect(res.status).toBe(400);
        expect(res.body.error.name).toBe('InputError');
      }
    } finally {
      await backend.stop();
    }
  });
});
