import { defineConfig } from '@playwright/test';
import path from 'node:path';

// What the three Playwright configs share: the system's Chromium, and the offline demo cluster
// started on its own copies of the example repositories.

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Debian's Chromium (`CHROMIUM_PATH`), headless, with no network of its own: no download. */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
  ],
};

/**
 * The demo cluster alone (no portal), on fresh copies of the example repositories in `state`
 * (a GITOPS_DEMO_STATE, relative to the repository root), as `yarn start` makes them.
 */
export function demoClusterServer(state: string) {
  return {
    command:
      'node examples/init-gitops-repo.mjs --bare --reset && node examples/init-flux-fleet-repo.mjs --reset && node examples/init-source-repos.mjs && yarn workspace demo-cluster start',
    cwd: REPO_ROOT,
    env: { GITOPS_DEMO_STATE: state },
    url: 'http://127.0.0.1:7070/version',
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore' as const,
  };
}

/**
 * A Playwright config of its own for one test file run against the demo cluster and one more
 * server (the install test's portal, the production bundle): one worker, no retries.
 */
export function configBesideDemo(options: {
  /** The folder of the test file and its config. */
  dir: string;
  testMatch: string;
  /** The demo's state folder (GITOPS_DEMO_STATE), relative to the repository root. */
  state: string;
  /** The servers under test, as Playwright web servers. */
  servers: Array<
    { command: string; cwd: string; url: string; timeout: number } & Record<
      string,
      unknown
    >
  >;
  baseURL: string;
  /** Where Playwright keeps its results, under node_modules/.cache. */
  results: string;
}) {
  return defineConfig({
    testDir: options.dir,
    testMatch: options.testMatch,
    timeout: 120_000,
    expect: { timeout: 30_000 },
    webServer: [
      demoClusterServer(options.state),
      ...options.servers.map(server => ({
        reuseExistingServer: false,
        stdout: 'pipe' as const,
        ...server,
      })),
    ],
    forbidOnly: !!process.env.CI,
    retries: 0,
    workers: 1,
    reporter: [['list']],
    use: {
      baseURL: options.baseURL,
      screenshot: 'only-on-failure',
      launchOptions: chromiumLaunchOptions,
    },
    outputDir: path.join(REPO_ROOT, 'node_modules/.cache', options.results),
  });
}
