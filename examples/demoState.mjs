// Where the offline demo keeps what it runs on (its Git repositories, the demo cluster's
// signing keys, Prometheus's data): `<repository root>/.cache`, or the folder
// GITOPS_DEMO_STATE names, relative to the repository root. The browser tests use their own
// (`.cache/e2e`), so `yarn start` after `yarn test:e2e` shows the demo as it was.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A path inside the demo's state folder. */
export function demoStatePath(...parts) {
  const dir = process.env.GITOPS_DEMO_STATE || '.cache';
  if (path.isAbsolute(dir)) {
    // app-config.yaml joins it to the backend's folder: only a relative path works there.
    throw new Error(
      `GITOPS_DEMO_STATE must be relative to the repository root, not ${dir}`,
    );
  }
  return path.join(root, dir, ...parts);
}
