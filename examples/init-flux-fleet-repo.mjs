#!/usr/bin/env node
// Turns the plain folder examples/flux-fleet-repo (laid out like Flux's reference,
// fluxcd/flux2-kustomize-helm-example) into a bare Git repository for the demo portal, with a
// short history: the bootstrap, then prod pinned to one chart version. Fixed dates and authors,
// so the same files give the same shas.
//
// Usage: node examples/init-flux-fleet-repo.mjs [target-dir] [--reset]
// Default target: .cache/flux-fleet-repo at the repository root (bare; or under GITOPS_DEMO_STATE).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoStatePath } from './demoState.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'flux-fleet-repo');
const args = process.argv.slice(2);
const destination = path.resolve(
  args.find(a => !a.startsWith('--')) ?? demoStatePath('flux-fleet-repo'),
);
const work = `${destination}.work`;
const PROD = 'apps/prod/podinfo-values.yaml';
const PINNED = 'version: "6.7.0"';

if (
  fs.existsSync(path.join(destination, 'HEAD')) &&
  !args.includes('--reset')
) {
  console.log(
    `Flux fleet example repository ready: ${destination} (keep; --reset recreates it)`,
  );
  process.exit(0);
}

let clock = Date.parse('2026-11-10T09:00:00Z');
function git(...gitArgs) {
  const when = new Date(clock).toISOString();
  return execFileSync('git', gitArgs, {
    cwd: work,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_SYSTEM: '/dev/null',
      GIT_AUTHOR_NAME: 'Alice Platform',
      GIT_AUTHOR_EMAIL: 'alice.platform@example.com',
      GIT_COMMITTER_NAME: 'Alice Platform',
      GIT_COMMITTER_EMAIL: 'alice.platform@example.com',
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_DATE: when,
    },
  }).trim();
}

fs.rmSync(work, { recursive: true, force: true });
fs.cpSync(source, work, { recursive: true });
// Before the last step prod took the same range as staging.
const prod = path.join(work, PROD);
const pinned = fs.readFileSync(prod, 'utf8');
if (!pinned.includes(PINNED))
  throw new Error(`${PROD} does not contain ${PINNED}`);
fs.writeFileSync(prod, pinned.replace(PINNED, 'version: ">=6.0.0"'));
git('init', '--quiet', '--initial-branch=main');
git('add', '-A');
git(
  'commit',
  '--quiet',
  '-m',
  'Bootstrap the fleet: podinfo from its Helm repository in dev, staging, prod',
);
clock += 26 * 3600 * 1000;
fs.writeFileSync(prod, pinned);
git('commit', '--quiet', '-am', 'Pin podinfo chart 6.7.0 in prod');
const head = git('rev-parse', '--short', 'HEAD');
fs.rmSync(destination, { recursive: true, force: true });
execFileSync('git', ['clone', '--quiet', '--bare', work, destination]);
fs.rmSync(work, { recursive: true, force: true });
console.log(
  `Flux fleet example repository created: ${destination} (2 commits, head ${head}, bare)`,
);
