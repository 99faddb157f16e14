/* DEMO ONLY (tests). */
import { mockServices } from '@backstage/backend-test-utils';
import { CliGitProvider } from '@gitops-backstage/plugin-gitops-repository';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invalidObjects } from 'gitops-testkit';
import { DemoReconciler } from '../../DemoReconciler';
import { DemoRegistry } from '../../DemoRegistry';
import { KubeApiServer } from '../../KubeApiServer';
import { KubeObject, ObjectStore } from '../../ObjectStore';
import { readSeeds } from '../../seeds';
import { templateHash } from '../../workloadObjects';
import { exampleRepository } from '../../__testUtils__/exampleRepository';

const root = path.resolve(__dirname, '../../../../..');

export const NAMESPACE = 'checkout-prod';
export const ROLLOUTS = '/apis/argoproj.io/v1alpha1';
export const ROLLOUT_URL = `${ROLLOUTS}/namespaces/${NAMESPACE}/rollouts/checkout`;
export const PROD_OVERLAY = 'apps/checkout/overlays/prod/kustomization.yaml';

/**
 * The demo cluster on a fresh copy of the example repository, driven by a clock of its own
 * (one pass = `passMs` of demo time, one pod step a second), its API served on 127.0.0.1 for
 * the patches `kubectl argo rollouts` sends. Every version of each Rollout and AnalysisRun
 * the store holds is kept in `seen`, as a watch would see them.
 */
export async function startRolloutDemo(
  options: { rolloutTimeScale?: number } = {},
) {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-rollouts-'));
  const repo = exampleRepository(workDir);
  const checkout = path.join(workDir, 'checkout');
  const run = (args: string[], cwd = checkout) =>
    execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  run(['clone', '-q', repo, checkout], workDir);
  const logger = mockServices.logger.mock();
  const seeds = readSeeds(path.join(root, 'examples/demo-cluster'));
  const store = new ObjectStore();
  for (const { plural, object } of seeds.objects) store.put(plural, object);
  const registry = new DemoRegistry(seeds.images);
  const git = new CliGitProvider({
    cacheDir: path.join(workDir, 'cache'),
    fetchIntervalSeconds: 0,
    timeoutMs: 20_000,
    logger,
  });
  const reconciler = new DemoReconciler({
    store,
    registry,
    git,
    repository: { url: repo, branch: 'main' },
    logger,
    load: seeds.load,
    stepMs: 1000,
    syncDelayMs: 2000,
    rolloutTimeScale: options.rolloutTimeScale,
  });
  const seen: KubeObject[] = [];
  const watches = ['rollouts', 'analysisruns', 'analysistemplates'].map(
    plural => store.watch(plural, 0, event => seen.push(event.object))!,
  );
  const server = new KubeApiServer(store, registry);
  const port = await server.listen(0);
  const base = `http://127.0.0.1:${port}`;
  let clock = Date.now();

  const demo = {
    store,
    registry,
    seen,
    base,
    /** The demo time now. */
    now: () => clock,
    /** One reconcile pass, `ms` of demo time later. */
    tick: (ms = 1000) => reconciler.reconcile(new Date((clock += ms))),
    /** Passes until `done` holds (at most `passes`); whether it does. */
    async until(done: () => boolean, passes = 120, ms = 1000) {
      for (let i = 0; i < passes && !done(); i++) await demo.tick(ms);
      return done();
    },
    rollout: () => store.get('rollouts', NAMESPACE, 'checkout')!,
    status: () => demo.rollout().status,
    condition: (type: string) =>
      demo.status().conditions.find((c: any) => c.type === type),
    /** Every version of every Rollout, AnalysisRun and AnalysisTemplate the store held. */
    expectValidObjects: () => expect(invalidObjects(seen)).toEqual([]),
    pods: () => store.list('pods', NAMESPACE),
    runs: () => store.list('analysisruns', NAMESPACE),
    /** Pods by image tag, e.g. `{ 'v2.3.0': 4, 'v2.4.0': 1 }`. */
    podTags() {
      const tags: Record<string, number> = {};
      for (const pod of demo.pods()) {
        const tag = String(pod.spec.containers[0].image).split(':').pop()!;
        tags[tag] = (tags[tag] ?? 0) + 1;
      }
      return tags;
    },
    /** One commit on main setting prod's tag, and a sync of prod requested as the portal does. */
    async deployToProd(tag: string) {
      const file = path.join(checkout, PROD_OVERLAY);
      fs.writeFileSync(
        file,
        fs
          .readFileSync(file, 'utf8')
          .replace(/newTag: v[\d.]+/, `newTag: ${tag}`),
      );
      run(['add', '-A']);
      run([
        '-c',
        'user.name=test',
        '-c',
        'user.email=test@example.com',
        'commit',
        '-q',
        '-m',
        `Promote checkout ${tag} to prod`,
      ]);
      run(['push', '-q', 'origin', 'HEAD:main']);
      const res = await demo.patch(
        '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/checkout-prod',
        { operation: { sync: { revision: 'main' } } },
      );
      expect(res.status).toBe(200);
    },
    /** A merge patch through the API server, as `kubectl argo rollouts` sends it. */
    patch: (url: string, body: unknown) =>
      fetch(`${base}${url}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify(body),
      }),
    async stop() {
      watches.forEach(w => w.stop());
      await server.close();
      git.close();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
  await demo.tick();
  return demo;
}

/** The pod-template hash of checkout's template running `tag`. */
export const hashOf = (tag: string) =>
  templateHash(`ghcr.io/acme/checkout:${tag}`);

export type RolloutDemo = Awaited<ReturnType<typeof startRolloutDemo>>;
