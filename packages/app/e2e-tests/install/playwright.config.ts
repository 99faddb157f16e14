import { configBesideDemo } from '../playwrightShared';

// The install test's browser part (.ci/install-test.mjs makes the portal first and passes its
// folder in GITOPS_INSTALL_PORTAL): the portal made by create-app, started the way its README
// says (`yarn start`: the new frontend system's app on :3000 and the backend), and the legacy
// template's app (packages/app-legacy) on :3001, against the offline demo cluster on its own
// copies of the example repositories (.cache/install).
const portal =
  process.env.GITOPS_INSTALL_PORTAL ?? '/tmp/gitops-install-test/portal';

export default configBesideDemo({
  dir: __dirname,
  testMatch: 'install.test.ts',
  state: '.cache/install',
  servers: [
    {
      command: 'yarn start',
      cwd: portal,
      url: 'http://localhost:3000',
      timeout: 420_000,
    },
    {
      command: 'yarn workspace app-legacy start',
      cwd: portal,
      // The legacy app's own address; the backend lets it in (backend.cors.origin).
      env: { APP_CONFIG_app_baseUrl: 'http://localhost:3001' },
      url: 'http://localhost:3001',
      timeout: 420_000,
    },
  ],
  baseURL: 'http://localhost:3000',
  results: 'install-test-results',
});
