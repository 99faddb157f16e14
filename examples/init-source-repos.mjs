#!/usr/bin/env node
// DEMO ONLY. Builds the source repository of the demo's guestbook service, as its team's
// GitHub repository would hold it: feature branches merged through pull requests ("Merge pull
// request #N from acme/…"), squash-merged ones ("… (#N)"), several authors, and a release tag
// per version the demo registry serves (v1.0.1 … v1.0.6). The demo registry's images carry
// `org.opencontainers.image.source: https://github.com/acme/guestbook` and the tagged commit as
// `org.opencontainers.image.revision`; app-config.yaml maps that source to this repository
// (gitops.changes.repositories), so "what will ship" lists real commits offline.
//
// Dates and authors are fixed, so the same script always gives the same shas.
// Usage: node examples/init-source-repos.mjs [target-dir]   (default .cache/source-repos, or under GITOPS_DEMO_STATE)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { demoStatePath } from './demoState.mjs';

const root = path.resolve(process.argv[2] ?? demoStatePath('source-repos'));
const bare = path.join(root, 'guestbook.git');
const work = path.join(root, 'guestbook.work');

const PEOPLE = {
  mira: ['Mira Okafor', 'mira@acme.example'],
  jonas: ['Jonas Weber', 'jonas@acme.example'],
  priya: ['Priya Raman', 'priya@acme.example'],
  sam: ['Sam Lee', 'sam@acme.example'],
};

let clock = Date.parse('2026-10-01T09:00:00Z');
function git(args, who = 'mira', env = {}) {
  const [name, email] = PEOPLE[who];
  clock += 3_600_000; // an hour between steps
  const when = new Date(clock).toISOString();
  return execFileSync('git', args, {
    cwd: work,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_SYSTEM: '/dev/null',
      GIT_AUTHOR_NAME: name,
      GIT_AUTHOR_EMAIL: email,
      GIT_COMMITTER_NAME: 'GitHub',
      GIT_COMMITTER_EMAIL: 'noreply@github.com',
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_DATE: when,
      ...env,
    },
  }).trim();
}

function change(file, line, message, who) {
  fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
  fs.appendFileSync(path.join(work, file), `${line}\n`);
  git(['add', file], who);
  git(['commit', '--quiet', '-m', message], who);
}

/** A feature branch of commits, merged with a merge commit as GitHub's merge button does. */
function pullRequest(number, branch, title, commits) {
  git(['checkout', '--quiet', '-b', branch, 'main']);
  for (const [file, line, message, who] of commits)
    change(file, line, message, who);
  git(['checkout', '--quiet', 'main']);
  const who = commits[0][3];
  git(
    [
      'merge',
      '--no-ff',
      '--quiet',
      '-m',
      `Merge pull request #${number} from acme/${branch}\n\n${title}`,
      branch,
    ],
    who,
  );
  git(['branch', '--quiet', '-D', branch]);
}

/** A pull request squash-merged: one commit titled "<title> (#N)". */
function squash(number, file, line, title, who) {
  change(file, line, `${title} (#${number})`, who);
}

function tag(version) {
  git(['tag', '-a', version, '-m', `guestbook ${version}`]);
}

fs.rmSync(root, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
git(['init', '--quiet', '--initial-branch=main']);
change('README.md', '# guestbook', 'Initial commit', 'mira');
change('main.go', 'package main', 'Serve the guestbook over HTTP', 'mira');
tag('v1.0.1');
pullRequest(1, 'redis-timeouts', 'Time out Redis calls after 2 s', [
  [
    'store.go',
    'const redisTimeout = 2 * time.Second',
    'Time out Redis calls',
    'jonas',
  ],
  [
    'store_test.go',
    'func TestTimeout(t *testing.T) {}',
    'Test the Redis time-out',
    'jonas',
  ],
]);
squash(2, 'main.go', '// health endpoint', 'Add /healthz', 'priya');
tag('v1.0.2');
pullRequest(3, 'pagination', 'Paginate the entries', [
  ['handlers.go', 'const pageSize = 50', 'Paginate entries, 50 a page', 'sam'],
]);
squash(4, 'Dockerfile', 'USER 65532', 'Run as non-root', 'mira');
tag('v1.0.3');
// v1.0.4: the connection pool change that fails 12 % of requests in the demo.
pullRequest(5, 'connection-pool', 'Share one Redis connection pool', [
  [
    'store.go',
    'var pool = newPool(4)',
    'One Redis pool for all handlers',
    'jonas',
  ],
  [
    'store.go',
    '// pool size from REDIS_POOL',
    'Size the pool from REDIS_POOL',
    'jonas',
  ],
]);
squash(
  6,
  'handlers.go',
  '// escape entries',
  'Escape HTML in entries',
  'priya',
);
tag('v1.0.4');
pullRequest(7, 'pool-fix', 'Fix the pool exhaustion under load', [
  [
    'store.go',
    'var pool = newPool(32)',
    'Raise the pool to 32 connections',
    'jonas',
  ],
  [
    'store.go',
    '// release connections on error',
    'Release connections on error',
    'priya',
  ],
]);
squash(8, 'main.go', '// structured logs', 'Log as JSON', 'sam');
change('CHANGELOG.md', '## v1.0.5', 'Changelog for v1.0.5', 'mira');
tag('v1.0.5');
pullRequest(9, 'dark-mode', 'Dark mode', [
  [
    'static/app.css',
    '@media (prefers-color-scheme: dark) {}',
    'Dark mode styles',
    'priya',
  ],
]);
squash(
  10,
  'handlers.go',
  '// rate limit',
  'Rate-limit posting to 5 a minute',
  'sam',
);
squash(11, 'go.mod', 'go 1.23', 'Go 1.23', 'jonas');
tag('v1.0.6');

execFileSync('git', ['clone', '--quiet', '--bare', work, bare]);
fs.rmSync(work, { recursive: true, force: true });
process.stdout.write(`init-source-repos: guestbook source in ${bare}\n`);
