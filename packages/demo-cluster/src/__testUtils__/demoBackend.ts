import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import gitopsPlugin from '@gitops-backstage/plugin-gitops-backend';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startDemoCluster } from '../startDemoCluster';
import { exampleRepository, fluxFleetRepository } from './exampleRepository';

const root = path.resolve(__dirname, '../../../..');

/**
 * The offline demo as `yarn start` runs it, in a test: the demo cluster on fresh copies of the
 * example repositories, and the GitOps backend plugin configured like app-config.yaml (the
 * tracker and the deployment ledger fast), with the example catalog.
 */
export async function startDemoWithBackend(
  workDir: string,
  options: {
    /** Adds to each environment's config (checks, policy), by name. */
    environments?: Record<string, object>;
    /** More `gitops` keys (verification, automation settings). */
    gitops?: object;
    /** The demo's `rolloutTimeScale` (Argo Rollouts' pauses and analysis intervals). */
    rolloutTimeScale?: number;
  } = {},
) {
  const repo = exampleRepository(workDir);
  const fleetRepo = fluxFleetRepository(workDir);
  // The images' source repositories, as `yarn start` builds them.
  const sourceReposDir = path.join(workDir, 'source-repos');
  execFileSync(process.execPath, [
    path.join(root, 'examples/init-source-repos.mjs'),
    sourceReposDir,
  ]);
  const cluster = await startDemoCluster({
    port: 0,
    repositoryUrl: repo,
    repositories: { 'flux-fleet': fleetRepo },
    seedsDir: path.join(root, 'examples/demo-cluster'),
    sourceReposDir,
    logger: mockServices.logger.mock(),
    intervalMs: 250,
    stepMs: 500,
    syncDelayMs: 500,
    rolloutTimeScale: options.rolloutTimeScale,
  });
  const entities = parseAllDocuments(
    fs.readFileSync(path.join(root, 'examples/entities.yaml'), 'utf8'),
  ).map(doc => doc.toJS() as Entity);
  const url = `http://127.0.0.1:${cluster.port}`;
  const testBackend = await startTestBackend({
    features: [
      gitopsPlugin,
      schedulerServiceFactory,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          gitops: {
            repositories: [
              { name: 'example', url: repo, provider: 'git' },
              // As in app-config.yaml: Flux's reference layout.
              {
                name: 'flux-fleet',
                url: fleetRepo,
                provider: 'git',
                layout: {
                  definitionPath: 'clusters/{env}/apps.yaml',
                  overlayPath: 'apps/{env}',
                },
              },
            ],
            // As in app-config.yaml: from the Argo CD Application or Flux Kustomization.
            environments: [
              { name: 'dev', cluster: 'demo', autoSync: true },
              { name: 'staging', cluster: 'demo', autoSync: true },
              { name: 'prod', cluster: 'demo' },
            ].map(env => ({
              ...env,
              ...options.environments?.[env.name],
              definitionPath: [
                'argocd/{service}-{env}.yaml',
                'clusters/{env}/{service}.yaml',
              ],
            })),
            clusters: [
              {
                name: 'demo',
                url,
                serviceAccountToken: 'demo',
                skipTLSVerify: true,
              },
            ],
            registries: [
              { host: 'ghcr.io', url },
              {
                host: 'stefanprodan.github.io',
                url: `${url}/helm/stefanprodan.github.io`,
              },
            ],
            git: {
              cacheDir: path.join(workDir, 'cache'),
              fetchIntervalSeconds: 1,
            },
            promotion: { trackIntervalSeconds: 1 },
            // As in app-config.yaml: guestbook's source, from the local repository.
            changes: {
              repositories: [
                {
                  host: 'https://github.com/acme/guestbook',
                  url: path.join(sourceReposDir, 'guestbook.git'),
                },
              ],
              cacheDir: path.join(workDir, 'changes-cache'),
            },
            ...options.gitops,
          },
        },
      }),
    ],
  });
  const backend = testBackend.server;
  /**
   * Stops the backend, then the cluster: the backend's Git mirrors live in the test's folder and
   * a fetch still running would write into it while the test removes it (ENOTEMPTY).
   */
  const stop = async () => {
    await testBackend.stop();
    await cluster.stop();
  };
  return { repo, fleetRepo, cluster, backend, stop };
}

/** Reads until `done` holds or `ms` pass; the last value either way. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms: number,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}
