import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../..');

/** A bare copy of the example GitOps repository, as `yarn start` makes it. */
export function exampleRepository(workDir: string): string {
  const repo = path.join(workDir, 'gitops.git');
  execFileSync(process.execPath, [
    path.join(root, 'examples/init-gitops-repo.mjs'),
    repo,
    '--bare',
  ]);
  return repo;
}
