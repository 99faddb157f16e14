import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { gitopsPlugin } from '../plugin';
import { createExampleGitRepo, gitIn } from 'gitops-testkit';

export function component(
  name: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
  };
}

/** The example services as the catalog describes them. */
export const exampleEntities: Entity[] = [
  component('guestbook', {
    'backstage.io/kubernetes-id': 'guestbook',
    'argocd/app-selector': 'app.kubernetes.io/name=guestbook',
    'gitops.backstage.io/path': 'apps/guestbook',
    'gitops.backstage.io/image': 'ghcr.io/acme/guestbook',
  }),
  component('demo-flask-app', {
    'gitops.backstage.io/path': 'apps/demo-flask-app',
  }),
  component('sample-app', {
    'gitops.backstage.io/path': 'sample-app/apps',
    'gitops.backstage.io/image': 'ghcr.io/acme/sample-app',
  }),
  component('podinfo', {
    'backstage.io/kubernetes-label-selector': 'app.kubernetes.io/name=podinfo',
    'gitops.backstage.io/path': 'apps/podinfo',
    'gitops.backstage.io/image': 'ghcr.io/acme/podinfo',
  }),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'mock', namespace: 'default' },
    spec: {
      profile: { displayName: 'Mock User', email: 'mock@example.com' },
      memberOf: [],
    },
  },
];

/**
 * Starts the gitops plugin on a real Git remote with dev → staging → prod (prod by pull
 * request), the example catalog, and whatever features a test adds (permission mocks, Git
 * provider wrappers). The mock user `user:default/mock` is the requester.
 */
export async function startPromotionBackend(options: {
  remote: string;
  workDir: string;
  environments?: object[];
  features?: any[];
  gitops?: object;
  /** The catalog; default: the example services. */
  entities?: Entity[];
}) {
  const { server } = await startTestBackend({
    features: [
      gitopsPlugin,
      catalogServiceMock.factory({
        entities: options.entities ?? exampleEntities,
      }),
      mockServices.rootConfig.factory({
        data: {
          gitops: {
            repositories: [
              { name: 'example', url: options.remote, provider: 'git' },
            ],
            environments: options.environments ?? [
              { name: 'dev' },
              { name: 'staging' },
              { name: 'prod', promotion: { mode: 'pull-request' } },
            ],
            git: {
              cacheDir: fs.mkdtempSync(path.join(options.workDir, 'cache-')),
              fetchIntervalSeconds: 30,
            },
            ...options.gitops,
          },
        },
      }),
      ...(options.features ?? []),
    ],
  });
  return server;
}

/** The changed lines of a diff, without headers and context. */
export function changedLines(diff: string): string[] {
  return diff.split('\n').filter(line => /^[-+](?![-+]{2} )/.test(line));
}

/** Fails when any YAML file changed between two commits no longer parses. */
export function expectChangedYamlParses(
  remote: string,
  from: string,
  to: string,
) {
  const files = gitIn(remote, 'diff', '--name-only', from, to)
    .split('\n')
    .filter(f => /\.ya?ml$/.test(f));
  for (const file of files) {
    const text = gitIn(remote, 'show', `${to}:${file}`);
    const errors = parseDocument(text).errors;
    if (errors.length > 0) {
      throw new Error(`${file} at ${to} does not parse: ${errors[0].message}`);
    }
  }
  return files;
}

/**
 * A fresh work folder with a bare remote holding the example repository, as a hosted GitOps
 * repository would be; `cleanup` removes both.
 */
export function createExampleRemote(prefix: string) {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const example = createExampleGitRepo(path.join(workDir, 'example'));
  const remote = path.join(workDir, 'remote.git');
  gitIn(workDir, 'clone', '--quiet', '--bare', example, remote);
  return {
    workDir,
    remote,
    cleanup: () => fs.rmSync(workDir, { recursive: true, force: true }),
  };
}

/**
 * The same for a folder of files (another example repository): one commit of all of it on
 * `main`, cloned bare.
 */
export function createRemoteFromFolder(folder: string, prefix: string) {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const source = path.join(workDir, 'source');
  fs.cpSync(folder, source, { recursive: true });
  gitIn(source, 'init', '--quiet', '--initial-branch=main');
  gitIn(source, 'add', '-A');
  gitIn(source, 'commit', '--quiet', '-m', 'Initial layout');
  const remote = path.join(workDir, 'remote.git');
  gitIn(workDir, 'clone', '--quiet', '--bare', source, remote);
  return {
    workDir,
    remote,
    cleanup: () => fs.rmSync(workDir, { recursive: true, force: true }),
  };
}
