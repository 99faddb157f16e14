#!/usr/bin/env node
// Copies the README's screenshots from a browser test run (`yarn test:e2e` writes every step
// to .ci/artifacts/e2e/, or E2E_SCREENSHOTS) into packages/app/e2e-tests/screenshots/, so the
// README shows what the last run saw. Usage: node packages/app/e2e-tests/readmeScreenshots.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const from = path.resolve(
  root,
  process.env.E2E_SCREENSHOTS ?? '.ci/artifacts/e2e',
);
const to = path.join(here, 'screenshots');

// README name ← the step of the browser tests that shows it.
const README_SHOTS = {
  'gitops-tab.png': '4b-prod-waiting-for-review.png',
  'prod-refused-verification.png': '1b-prod-refused-failed-verification.png',
  'prod-approved.png': '4a2-alice-approved.png',
  'what-will-ship.png': '2-promote-dialog.png',
  'supply-chain-details.png': '15-supply-chain-details.png',
  'promote-refused-unsigned.png': '16-promote-refused-unsigned.png',
  'freeze.png': '4d-guestbook-freeze.png',
  'fleet-only-problems.png': '7-fleet-only-problems.png',
  'rollout-paused.png': '20-rollout-paused-at-40.png',
  'rollout-aborted.png': '22-rollout-aborted.png',
  'new-service.png': '11-new-service-prod-synced.png',
  'delivery.png': '12-delivery-guestbook.png',
  'lanes-1280.png': '6-lanes-1280.png',
  'overview-card.png': '6-overview-card-1280.png',
  'fleet-page.png': '6-fleet-1280.png',
  'dark-theme.png': '7-dark-guestbook-lanes.png',
  'stale-cluster.png': '8-stale-cluster-lanes.png',
};

const missing = Object.values(README_SHOTS).filter(
  shot => !fs.existsSync(path.join(from, shot)),
);
if (missing.length > 0) {
  process.stderr.write(
    `not in ${from} (run yarn test:e2e first): ${missing.join(', ')}\n`,
  );
  process.exit(1);
}
for (const [name, shot] of Object.entries(README_SHOTS)) {
  fs.copyFileSync(path.join(from, shot), path.join(to, name));
  process.stdout.write(`${name} ← ${shot}\n`);
}
