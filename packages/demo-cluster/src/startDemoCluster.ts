import { LoggerService } from '@backstage/backend-plugin-api';
import { CliGitProvider } from '@gitops-backstage/plugin-gitops-repository';
import os from 'node:os';
import path from 'node:path';
import { DemoReconciler } from './DemoReconciler';
import { DemoCharts } from './DemoCharts';
import { DemoRegistry } from './DemoRegistry';
import { withSourceRevisions } from './sourceRevisions';
import { DemoTraffic } from './DemoTraffic';
import { ApiFaults } from './ApiFaults';
import { KubeApiServer } from './KubeApiServer';
import { ObjectStore, REPORT_KINDS, ROLLOUT_KINDS } from './ObjectStore';
import { RawGitFiles } from './RawGitFiles';
import { readSeeds } from './seeds';
import {
  defaultSupplyChainDir,
  signDemoImages,
} from './supplyChain/signDemoImages';

/** Options of {@link startDemoCluster}. */
export interface DemoClusterOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The GitOps repository the demo engines follow (a local path or URL). */
  repositoryUrl: string;
  /**
   * Other repositories, by the name of the Flux GitRepository object whose Kustomizations
   * follow them (a local path or URL each).
   */
  repositories?: Record<string, string>;
  /**
   * The name `repositoryUrl` has in `gitops.repositories` (default `example`): its files are
   * served under `/git/<name>/raw/`, the other repositories' under their own names.
   */
  repositoryName?: string;
  branch?: string;
  /** Folder of the seed YAML files (`examples/demo-cluster`). */
  /**
   * Where the images' source repositories are (`<name>.git`, examples/init-source-repos.mjs):
   * the registry stamps each tag's commit into its manifest. Without it, none is stamped.
   */
  sourceReposDir?: string;
  seedsDir: string;
  /**
   * Where the demo's local Sigstore (certificate authority, transparency log, signing keys)
   * persists, with `trusted_root.json` and `keys/<name>.pub` for the portal's verifier. Default:
   * `demo-cluster/supply-chain` beside `repositoryUrl` (`<root>/.cache/demo-cluster/supply-chain`).
   */
  supplyChainDir?: string;
  logger: LoggerService;
  /** Reconcile period; default 1000 ms. */
  intervalMs?: number;
  stepMs?: number;
  syncDelayMs?: number;
  progressDeadlineSeconds?: number;
  /**
   * Serve Trivy Operator's VulnerabilityReports and Kyverno's PolicyReports and write them
   * about the workloads (default true); false plays a cluster without their CRDs.
   */
  securityReports?: boolean;
  /**
   * Serve Argo Rollouts' kinds and play its controller for the Rollouts Git renders (default
   * true); false plays a cluster without Argo Rollouts' CRDs (the demo then runs a Rollout's
   * pods as a Deployment's).
   */
  argoRollouts?: boolean;
  /**
   * Multiplies the Rollouts' pause durations and analysis intervals (default 1: a good version
   * walks checkout's canary steps in about a minute and a half, and a Promote); tests use less.
   */
  rolloutTimeScale?: number;
}

/**
 * DEMO ONLY. Starts the demo cluster: a Kubernetes API subset and registry on 127.0.0.1, the
 * services' simulated traffic (`/metrics`, `/demo/services/<service>/<env>/health`), and the
 * demo reconciler following the GitOps repository.
 */
export async function startDemoCluster(options: DemoClusterOptions) {
  const { logger } = options;
  const seeds = readSeeds(options.seedsDir);
  const store = new ObjectStore({
    without: [
      ...(options.securityReports === false ? REPORT_KINDS : []),
      ...(options.argoRollouts === false ? ROLLOUT_KINDS : []),
    ],
  });
  for (const { plural, object } of seeds.objects) store.put(plural, object);
  const registry = new DemoRegistry(
    withSourceRevisions(seeds.images, options.sourceReposDir),
    new DemoCharts(seeds.charts),
  );
  const supplyChain = await signDemoImages(
    registry,
    options.supplyChainDir ?? defaultSupplyChainDir(options.repositoryUrl),
  );
  const git = new CliGitProvider({
    cacheDir: path.join(os.tmpdir(), `gitops-demo-cluster-${process.pid}`),
    fetchIntervalSeconds: 1,
    timeoutMs: 20_000,
    logger,
  });
  const reconciler = new DemoReconciler({
    store,
    registry,
    git,
    repository: {
      url: path.resolve(options.repositoryUrl),
      branch: options.branch ?? 'main',
    },
    repositories: Object.fromEntries(
      Object.entries(options.repositories ?? {}).map(([name, url]) => [
        name,
        { url: path.resolve(url), branch: options.branch ?? 'main' },
      ]),
    ),
    logger,
    load: seeds.load,
    images: seeds.images,
    stepMs: options.stepMs,
    syncDelayMs: options.syncDelayMs,
    progressDeadlineSeconds: options.progressDeadlineSeconds,
    rolloutTimeScale: options.rolloutTimeScale,
  });
  // A first pass before serving, so the first list already shows running services.
  await reconciler.reconcile();
  const files = new RawGitFiles(
    Object.fromEntries(
      Object.entries({
        ...options.repositories,
        [options.repositoryName ?? 'example']: options.repositoryUrl,
      }).map(([name, url]) => [name, path.resolve(url)]),
    ),
  );
  const faults = new ApiFaults();
  const server = new KubeApiServer(
    store,
    registry,
    undefined,
    files,
    new DemoTraffic(store, registry),
    faults,
  );
  const port = await server.listen(options.port);
  reconciler.start(options.intervalMs ?? 1000);
  logger.info(
    `DEMO cluster (not a real Kubernetes) on http://127.0.0.1:${port}: ${seeds.objects.length} engine objects, ${seeds.images.length} demo images, following ${options.repositoryUrl}`,
  );
  logger.info(
    `DEMO supply chain: images signed by a local certificate authority, trusted root ${supplyChain.trustedRoot}`,
  );
  return {
    port,
    store,
    /** The API's faults on purpose (`PUT /demo/faults`): a hang, a lost grant. */
    faults,
    /** The trusted root and public keys that verify the demo registry's signatures. */
    supplyChain,
    stop: async () => {
      await reconciler.stop();
      await server.close();
      git.close();
    },
  };
}
