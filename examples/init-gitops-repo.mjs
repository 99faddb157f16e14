#!/usr/bin/env node
// Turns the plain folder examples/gitops-repo into a real Git repository with a short,
// realistic history (CI tag bumps, a promotion, a scale change), so the portal and the
// history endpoint have something to show. Commit dates and authors are fixed, so the same
// files always give the same commit shas.
//
// Usage: node examples/init-gitops-repo.mjs [target-dir] [--reset] [--bare]
// Default target: .cache/gitops-example-repo at the repository root (or under GITOPS_DEMO_STATE). With --bare the target is
// a bare repository (what the portal writes promotions to, as to a hosted remote: a push to a
// checked-out branch would be refused).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoStatePath } from './demoState.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'gitops-repo');
const args = process.argv.slice(2);
const reset = args.includes('--reset');
const bare = args.includes('--bare');
const destination = path.resolve(
  args.find(a => !a.startsWith('--')) ?? demoStatePath('gitops-example-repo'),
);
// A bare repository is built in a work tree beside it, then cloned bare into place.
const target = bare ? `${destination}.work` : destination;

// Each step undoes to the previous state when read backwards: [file, before, after, message, author].
const steps = [
  [
    'apps/guestbook/overlays/dev/kustomization.yaml',
    'newTag: v1.0.3',
    'newTag: v1.0.4',
    'ci: deploy guestbook v1.0.4 to dev',
    'ci-bot',
  ],
  [
    'apps/guestbook/overlays/staging/kustomization.yaml',
    'newTag: v1.0.3',
    'newTag: v1.0.4',
    'Promote guestbook v1.0.4 from dev to staging',
    'Alice Platform',
  ],
  [
    'apps/guestbook/overlays/prod/kustomization.yaml',
    'count: 2\n  - name: guestbook-redis',
    'count: 3\n  - name: guestbook-redis',
    'Scale guestbook prod to 3 replicas',
    'Bob Oncall',
  ],
  [
    'apps/guestbook/overlays/prod/kustomization.yaml',
    'newTag: v1.0.2',
    'newTag: v1.0.3',
    'Promote guestbook v1.0.3 from staging to prod',
    'Alice Platform',
  ],
  [
    'apps/demo-flask-app/values-dev.yaml',
    'tag: "5c4b3a2-40"',
    'tag: "9f8e7d6-42"',
    'ci: deploy demo-flask-app 9f8e7d6-42 to dev',
    'ci-bot',
  ],
  [
    'apps/guestbook/overlays/dev/kustomization.yaml',
    'newTag: v1.0.4',
    'newTag: v1.0.5',
    'ci: deploy guestbook v1.0.5 to dev',
    'ci-bot',
  ],
  [
    'sample-app/apps/overlays/dev/kustomization.yaml',
    'newTag: "1.4.1"',
    'newTag: "1.4.2"',
    'ci: deploy sample-app 1.4.2 to dev',
    'ci-bot',
  ],
];

function git(...gitArgs) {
  return execFileSync('git', gitArgs, {
    cwd: target,
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_SYSTEM: '/dev/null',
    },
    encoding: 'utf8',
  }).trim();
}

const ready = bare
  ? fs.existsSync(path.join(destination, 'HEAD'))
  : fs.existsSync(path.join(destination, '.git'));
if (ready && !reset) {
  console.log(
    `GitOps example repository ready: ${destination} (keep; --reset recreates it)`,
  );
  process.exit(0);
}
fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });
fs.cpSync(source, target, { recursive: true });

// Rewind the files to the state before the first step.
for (const [file, before, after] of [...steps].reverse()) {
  const full = path.join(target, file);
  const text = fs.readFileSync(full, 'utf8');
  if (!text.includes(after)) {
    throw new Error(
      `${file} does not contain "${after}"; update the steps in ${path.basename(
        import.meta.url,
      )}`,
    );
  }
  fs.writeFileSync(full, text.replace(after, before));
}

git('init', '--quiet', '--initial-branch=main');
let clock = Date.parse('2026-11-02T09:00:00Z');
function commit(message, author) {
  const when = new Date(clock).toISOString();
  clock += 26 * 3600 * 1000;
  const email = `${author.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`;
  execFileSync(
    'git',
    ['commit', '--quiet', '--allow-empty-message', '-m', message],
    {
      cwd: target,
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_SYSTEM: '/dev/null',
        GIT_AUTHOR_NAME: author,
        GIT_AUTHOR_EMAIL: email,
        GIT_COMMITTER_NAME: author,
        GIT_COMMITTER_EMAIL: email,
        GIT_AUTHOR_DATE: when,
        GIT_COMMITTER_DATE: when,
      },
    },
  );
}
git('add', '-A');
commit(
  'Bootstrap GitOps repository: guestbook, demo-flask-app, sample-app',
  'Alice Platform',
);
for (const [file, before, after, message, author] of steps) {
  const full = path.join(target, file);
  fs.writeFileSync(full, fs.readFileSync(full, 'utf8').replace(before, after));
  git('add', file);
  commit(message, author);
}
const head = git('rev-parse', '--short', 'HEAD');
if (bare) {
  fs.rmSync(destination, { recursive: true, force: true });
  git('clone', '--quiet', '--bare', target, destination);
  fs.rmSync(target, { recursive: true, force: true });
}
console.log(
  `GitOps example repository created: ${destination} (${
    steps.length + 1
  } commits, head ${head}${bare ? ', bare' : ''})`,
);
