import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../..');

/** Runs one of the examples' init scripts into `repo` (bare) and returns the path. */
function initRepository(script: string, repo: string, flag: string): string {
  execFileSync(process.execPath, [
    path.join(root, 'examples', script),
    repo,
    flag,
  ]);
  return repo;
}

/** A bare copy of the example GitOps repository, as `yarn start` makes it. */
export function exampleRepository(workDir: string): string {
  return initRepository(
    'init-gitops-repo.mjs',
    path.join(workDir, 'gitops.git'),
    '--bare',
  );
}

/** A bare copy of the second example repository (Flux's reference layout), as `yarn start` makes it. */
export function fluxFleetRepository(workDir: string): string {
  return initRepository(
    'init-flux-fleet-repo.mjs',
    path.join(workDir, 'flux-fleet.git'),
    '--reset',
  );
}
