import { configBesideDemo } from '../playwrightShared';

// The install test's browser part (.ci/install-test.mjs makes the portal first and passes its
// folder in GITOPS_INSTALL_PORTAL): the portal made by create-app, started the way its README
// says (`yarn start`), against the offline demo cluster on its own copies of the example
// repositories (.cache/install).
export default configBesideDemo({
  dir: __dirname,
  testMatch: 'install.test.ts',
  state: '.cache/install',
  server: {
    command: 'yarn start',
    cwd: process.env.GITOPS_INSTALL_PORTAL ?? '/tmp/gitops-install-test/portal',
    url: 'http://localhost:3000',
    timeout: 420_000,
  },
  baseURL: 'http://localhost:3000',
  results: 'install-test-results',
});
