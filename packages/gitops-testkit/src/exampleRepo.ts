import { GitProvider } from '@gitops-backstage/plugin-gitops-node';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository root of this monorepo. */
// Test helpers run from source, never from a production build.
// eslint-disable-next-line no-restricted-syntax
export const repoRoot = path.resolve(__dirname, '../../..');

/** The plain-folder example GitOps repository. */
export const exampleRepoFolder = path.join(repoRoot, 'examples/gitops-repo');

/** The second example repository, laid out like Flux's reference (fluxcd/flux2-kustomize-helm-example). */
export const fluxFleetRepoFolder = path.join(
  repoRoot,
  'examples/flux-fleet-repo',
);

/** Reads every file of an example GitOps repository into a map keyed by repo path. */
export function loadExampleFiles(
  folder: string = exampleRepoFolder,
): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        files.set(
          path.relative(folder, full).split(path.sep).join('/'),
          fs.readFileSync(full, 'utf8'),
        );
    }
  };
  walk(folder);
  return files;
}

/**
 * A Git provider over an in-memory tree, for tests of pure reading logic; the real providers
 * have their own tests against real repositories and a mocked GitHub.
 */
export function memoryGitProvider(files: Map<string, string>): GitProvider {
  return {
    type: 'memory',
    resolveBranch: async () => 'f'.repeat(40),
    readFile: async ({ path: file }) => files.get(file),
    log: async () => [],
  };
}

/**
 * Makes a real Git repository from the example folder with its scripted history
 * (examples/init-gitops-repo.mjs) and returns its path.
 */
export function createExampleGitRepo(target: string): string {
  execFileSync(
    process.execPath,
    [path.join(repoRoot, 'examples/init-gitops-repo.mjs'), target, '--reset'],
    {
      stdio: 'pipe',
    },
  );
  return target;
}

/** Runs git in a test repository with a fixed identity. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test Author',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test Author',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}
