import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Playwright's global setup: notes the default demo state (`.cache`, what `yarn start` runs on)
 * and returns the teardown that fails the run if the browser tests changed it. They run on
 * their own copies (GITOPS_DEMO_STATE, `.cache/e2e`).
 */
export default function demoStateGuard() {
  const root = path.resolve(__dirname, '../../..');
  const repositories = ['gitops-example-repo', 'flux-fleet-repo'].map(name =>
    path.join(root, '.cache', name),
  );
  const heads = () =>
    repositories.map(repository =>
      fs.existsSync(repository)
        ? execFileSync('git', ['-C', repository, 'rev-parse', 'main'], {
            encoding: 'utf8',
          }).trim()
        : null,
    );
  const before = heads();
  return () => {
    const after = heads();
    const changed = repositories.filter((_, i) => after[i] !== before[i]);
    if (changed.length > 0) {
      throw new Error(
        `the browser tests changed the demo's own repositories (${changed.join(
          ', ',
        )}): they must run on GITOPS_DEMO_STATE's copies`,
      );
    }
  };
}
