/*
 * Copyright 2023 The Backstage Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './packages/app/e2e-tests/playwrightShared';

// The browser tests run the demo on their own copies of the example repositories (and its
// other state), so `yarn start` afterwards shows the demo as the developer left it in .cache.
process.env.GITOPS_DEMO_STATE ??= '.cache/e2e';

/**
 * Browser tests of the portal against the offline demo, started the README's way (`yarn start`:
 * app, backend and demo cluster on fresh copies of the example repositories in .cache/e2e,
 * GITOPS_DEMO_STATE). Chromium is the
 * system's (`CHROMIUM_PATH`, default Debian's /usr/bin/chromium): no browser download.
 */
export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 30_000 },
  webServer: [
    {
      command:
        'node examples/init-gitops-repo.mjs --bare --reset && node examples/init-flux-fleet-repo.mjs --reset && yarn start',
      // checkout's canary pauses and analysis intervals at half their declared length: the
      // browser tests watch every step, in half the time.
      env: {
        DEMO_ROLLOUT_TIME_SCALE: '0.5',
        GITOPS_DEMO_STATE: process.env.GITOPS_DEMO_STATE,
        // states.test.ts: a cluster that hangs is stale after 10 s of silence plus the 5-s
        // time-out, not 60 s plus; a grant given back is seen within 5 s, not 5 minutes.
        APP_CONFIG_gitops_timeouts_watchSeconds: '10',
        APP_CONFIG_gitops_timeouts_kindRecheckSeconds: '5',
      },
      url: 'http://localhost:3000',
      // Never a running `yarn start`: the tests would change the developer's demo.
      reuseExistingServer: false,
      timeout: 300_000,
      stdout: 'ignore',
    },
  ],
  // Checks that the run left the default demo state (.cache) as it found it.
  globalSetup: './packages/app/e2e-tests/demoStateGuard.ts',
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  use: {
    actionTimeout: 0,
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
  outputDir: 'node_modules/.cache/e2e-test-results',
  projects: [
    {
      name: 'app',
      testDir: 'packages/app/e2e-tests',
      // Their own configs, portals and servers: .ci/install-test.mjs, .ci/production-test.sh.
      testIgnore: ['install/**', 'production/**'],
    },
  ],
});
