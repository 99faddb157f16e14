import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startDemoWithBackend, waitFor } from './__testUtils__/demoBackend';

jest.setTimeout(90_000);

const API = '/api/gitops/entities/default/component';

/**
 * The whole GitOps loop of the offline demo, through the same client and config a real cluster
 * would use: a promotion through the REST API is a commit in the local repository, the demo
 * engines sync it, the cluster rolls out, and the promotion record ends Succeeded.
 */
describe('the demo GitOps loop', () => {
  let workDir: string;
  let repo: string;
  let backend: any;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-loop-'));
    ({ repo, backend, stop } = await startDemoWithBackend(workDir));
  });
  afterAll(async () => {
    await stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const environments = async (service: string) =>
    (await request(backend).get(`${API}/${service}/environments`)).body
      .environments as any[];

  it('shows live and sync state of every example service, with the seeded failures', async () => {
    for (const service of [
      'guestbook',
      'demo-flask-app',
      'sample-app',
      'podinfo',
      'flux-podinfo',
    ]) {
      const envs = await waitFor(
        () => environments(service),
        list => list.every(e => e.live && e.sync),
        15_000,
      );
      for (const env of envs) {
        expect({ env: env.name, live: !!env.live, sync: !!env.sync }).toEqual({
          env: env.name,
          live: true,
          sync: true,
        });
        expect(env.registry).not.toBeNull();
      }
    }
    const problems = async (service: string, env: string) =>
      (await environments(service))
        .find(e => e.name === env)
        .problems.map((p: any) => p.type);
    expect(await problems('demo-flask-app', 'staging')).toContain(
      'CrashLoopBackOff',
    );
    expect(await problems('sample-app', 'dev')).toContain('ImagePullBackOff');
    const prod = await waitFor(
      () => problems('guestbook', 'prod'),
      types => types.includes('HPAAtMax'),
      20_000,
    );
    expect(prod).toContain('HPAAtMax');
  });

  it("says what will ship from dev to staging: the commits and pull requests of guestbook v1.0.4..v1.0.5, from its images' annotations", async () => {
    const res = await request(backend).get(
      `${API}/guestbook/changes?environment=staging`,
    );
    expect(res.status).toBe(200);
    const source = path.join(workDir, 'source-repos', 'guestbook.git');
    const sha = (rev: string) =>
      execFileSync('git', ['-C', source, 'rev-parse', `${rev}^{commit}`], {
        encoding: 'utf8',
      }).trim();
    expect(res.body).toMatchObject({
      from: { version: 'v1.0.4', revision: sha('v1.0.4') },
      to: { version: 'v1.0.5', revision: sha('v1.0.5') },
      source: 'https://github.com/acme/guestbook',
      unknownSource: null,
      truncated: false,
      totalCommits: 5,
      pullRequests: 2,
      authors: 4,
    });
    expect(res.body.commits.map((c: any) => c.message.split('\n')[0])).toEqual([
      'Changelog for v1.0.5',
      'Log as JSON (#8)',
      'Merge pull request #7 from acme/pool-fix',
      'Release connections on error',
      'Raise the pool to 32 connections',
    ]);
    expect(
      res.body.commits.find((c: any) => c.message.startsWith('Release'))
        .pullRequest,
    ).toMatchObject({ number: 7 });
    // A version whose image names no source (another service's) says so, 200.
    const unknown = await request(backend).get(
      `${API}/podinfo/changes?environment=staging`,
    );
    expect(unknown.status).toBe(200);
    expect(unknown.body.unknownSource).toMatch(
      /org\.opencontainers\.image\.source/,
    );
  });

  it('promotes dev → staging through the REST API: commit, sync, rollout, Succeeded within 30 s', async () => {
    const before = execFileSync('git', ['rev-parse', 'main'], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
    const started = Date.now();
    const res = await request(backend)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 201,
      error: undefined,
    });
    // The commit is in the local repository.
    const head = execFileSync('git', ['rev-parse', 'main'], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
    expect(head).toBe(res.body.commit);
    expect(
      execFileSync('git', ['rev-parse', 'main^'], {
        cwd: repo,
        encoding: 'utf8',
      }).trim(),
    ).toBe(before);

    const record = await waitFor(
      async () =>
        (
          await request(backend).get(`/api/gitops/promotions/${res.body.id}`)
        ).body,
      r => r.status !== 'Committed',
      30_000,
    );
    const elapsed = Date.now() - started;
    expect(record).toMatchObject({
      status: 'Succeeded',
      message: 'staging runs v1.0.5, Synced and Healthy',
    });
    const staging = (await environments('guestbook')).find(
      e => e.name === 'staging',
    );
    expect(staging).toMatchObject({
      live: {
        images: ['ghcr.io/acme/guestbook:v1.0.5'],
        replicas: { desired: 2, ready: 2 },
      },
      sync: { status: 'Synced', health: 'Healthy', revision: head },
    });
    expect(elapsed).toBeLessThan(30_000);
  });

  it('leaves a manual prod OutOfSync after a promotion until the sync request', async () => {
    const res = await request(backend)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(res.status).toBe(201);
    const prod = async () =>
      (await environments('guestbook')).find(e => e.name === 'prod');
    const outOfSync = await waitFor(
      prod,
      p => p.sync.status === 'OutOfSync',
      10_000,
    );
    expect(outOfSync.sync.status).toBe('OutOfSync');
    await new Promise(resolve => setTimeout(resolve, 1500));
    expect((await prod()).live.images).not.toContain(
      'ghcr.io/acme/guestbook:v1.0.5',
    );

    const sync = await request(backend)
      .post(`${API}/guestbook/sync`)
      .send({ environment: 'prod', action: 'sync' });
    expect(sync.status).toBe(201);
    const synced = await waitFor(
      prod,
      p => p.sync.status === 'Synced' && p.sync.health === 'Healthy',
      30_000,
    );
    expect(synced.live.images).toEqual(['ghcr.io/acme/guestbook:v1.0.5']);
  });

  it('runs the Flux reference layout: charts from their Helm repository, a promotion pins the version staging installed', async () => {
    const fleet = await waitFor(
      () => environments('flux-podinfo'),
      list =>
        list.every(e => e.sync?.status === 'Synced' && e.live?.pods?.ready),
      20_000,
    );
    expect(
      fleet.map(e => ({
        name: e.name,
        chart: `${e.desired.chart.version} → ${e.sync.chartVersion}`,
        sync: `${e.sync.status} ${e.sync.health}`,
        images: e.live.images,
        registry: e.registry?.latest,
        unsupported: e.unsupported,
      })),
    ).toEqual([
      {
        name: 'dev',
        chart: '>=6.0.0-0 → 6.9.1-rc.1',
        sync: 'Synced Healthy',
        images: ['ghcr.io/stefanprodan/podinfo:6.7.1'],
        // dev sets its image: the image's tags, not the chart's versions.
        registry: '6.9.0',
        unsupported: null,
      },
      {
        name: 'staging',
        chart: '>=6.0.0 → 6.9.0',
        sync: 'Synced Healthy',
        images: ['ghcr.io/stefanprodan/podinfo:6.9.0'],
        registry: '6.9.0',
        unsupported: null,
      },
      {
        name: 'prod',
        chart: '6.7.0 → 6.7.0',
        sync: 'Synced Healthy',
        images: ['ghcr.io/stefanprodan/podinfo:6.7.0'],
        registry: '6.9.0',
        unsupported: null,
      },
    ]);

    const res = await request(backend)
      .post(`${API}/flux-podinfo/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 201,
      error: undefined,
    });
    expect(res.body.version).toEqual({
      tag: null,
      digest: null,
      chartVersion: '6.9.0',
    });
    const prod = await waitFor(
      async () =>
        (await environments('flux-podinfo')).find(e => e.name === 'prod'),
      p =>
        p.sync?.chartVersion === '6.9.0' &&
        p.live?.images?.join() === 'ghcr.io/stefanprodan/podinfo:6.9.0',
      30_000,
    );
    expect(prod).toMatchObject({
      desired: { chart: { version: '6.9.0', range: false } },
      sync: { status: 'Synced', chartVersion: '6.9.0' },
      live: { images: ['ghcr.io/stefanprodan/podinfo:6.9.0'] },
    });
  });
});
