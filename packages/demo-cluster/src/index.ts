/**
 * DEMO ONLY: the offline demo cluster of the example portal. `yarn start` at the repository
 * root runs it beside the app and backend; the plugins reach it through `gitops.clusters` and
 * `gitops.registries` like any cluster and registry, and the catalog reads files of the followed
 * repositories from `/git/<repository>/raw/<branch>/<path>` (`example`, `flux-fleet`).
 *
 * Environment: GITOPS_DEMO_STATE (.cache: the folder of the defaults below, relative to the
 * repository root), DEMO_CLUSTER_PORT (7070), DEMO_GITOPS_REPO (<root>/.cache/gitops-example-repo),
 * DEMO_FLUX_FLEET_REPO (<root>/.cache/flux-fleet-repo, followed by the seeds' `flux-fleet`
 * GitRepository), DEMO_CLUSTER_SEEDS (<root>/examples/demo-cluster), DEMO_SOURCE_REPOS
 * (<root>/.cache/source-repos, the images' source repositories), DEMO_ROLLOUT_TIME_SCALE (1:
 * multiplies the Argo Rollouts canaries' pause durations and analysis intervals, e.g. 0.25 for
 * a browser test that watches one walk its steps).
 *
 * Faults on purpose: `PUT /demo/faults` with `{"hang": true}` (the Kubernetes API stops
 * answering, open watches go silent) or `{"forbid": ["horizontalpodautoscalers"]}` (403 for
 * those kinds), `{}` to end them; `GET /demo/faults` says which are on (see ApiFaults).
 *
 * @packageDocumentation
 */
import path from 'node:path';
import { stdoutLogger } from './logger';
import { startDemoCluster } from './startDemoCluster';

export { startDemoCluster } from './startDemoCluster';
export type { DemoClusterOptions } from './startDemoCluster';

{
  // The demo only ever runs from a checkout, started in packages/demo-cluster.
  const root = path.resolve(process.cwd(), '../..');
  const logger = stdoutLogger();
  // The demo's state folder, as examples/demoState.mjs finds it: .cache, or GITOPS_DEMO_STATE's,
  // relative to the repository root (app-config.yaml joins it to the backend's folder).
  const stateDir = process.env.GITOPS_DEMO_STATE || '.cache';
  if (path.isAbsolute(stateDir)) {
    logger.error(
      `GITOPS_DEMO_STATE must be relative to the repository root, not ${stateDir}`,
    );
    process.exit(1);
  }
  const state = path.join(root, stateDir);
  startDemoCluster({
    port: Number(process.env.DEMO_CLUSTER_PORT ?? 7070),
    repositoryUrl:
      process.env.DEMO_GITOPS_REPO ?? path.join(state, 'gitops-example-repo'),
    repositories: {
      'flux-fleet':
        process.env.DEMO_FLUX_FLEET_REPO ?? path.join(state, 'flux-fleet-repo'),
    },
    seedsDir:
      process.env.DEMO_CLUSTER_SEEDS ??
      path.join(root, 'examples/demo-cluster'),
    sourceReposDir:
      process.env.DEMO_SOURCE_REPOS ?? path.join(state, 'source-repos'),
    rolloutTimeScale: Number(process.env.DEMO_ROLLOUT_TIME_SCALE ?? 1) || 1,
    logger,
  }).then(
    cluster => {
      const stop = () => cluster.stop().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    error => {
      logger.error(`demo cluster failed to start: ${error}`);
      process.exit(1);
    },
  );
}
