#!/usr/bin/env node
// The install test: the README's "Install into your Backstage portal" steps, followed in a
// portal made by @backstage/create-app at the release the packages are built for, from the
// packages packed as tarballs (never workspace links). Then Playwright
// (packages/app/e2e-tests/install) checks that the portal shows the GitOps tab and the fleet
// page with live data from the offline demo and that a dev → staging promotion commits.
//
// Every edit this script makes to the portal is a snippet of the README's install section
// (compared with whitespace ignored): a step the test needs that the README lacks fails here.
// The legacy frontend system: the legacy template's app, with the README's legacy snippets,
// joins the portal as packages/app-legacy; `yarn tsc` must pass and Playwright opens it too.
//
// Builds the packages (`yarn build:all`: tsc, then every package) unless their dist/ is there. Usage:
// bash .ci/with-toolchain node .ci/install-test.mjs [--keep]. Work folder: $GITOPS_INSTALL_TEST (default
// /tmp/gitops-install-test), wiped at the start.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CREATE_APP = '@backstage/create-app@0.9.2';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = process.env.GITOPS_INSTALL_TEST ?? '/tmp/gitops-install-test';
const portal = path.join(work, 'portal');
const started = Date.now();
const timings = {};

function step(name, fn) {
  const t0 = Date.now();
  process.stdout.write(`--- ${name}\n`);
  const out = fn();
  timings[name] = Math.round((Date.now() - t0) / 100) / 10;
  process.stdout.write(`--- ${name}: ${timings[name]} s\n`);
  return out;
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, {
    cwd: options.cwd ?? portal,
    // A CI runner sets CI=true, which makes Yarn 4 refuse to write a lockfile (immutable
    // installs); the portal's lockfile is new by design, as on a user's machine.
    env: {
      ...process.env,
      YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
      ...options.env,
    },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    process.stdout.write(`${result.stdout}\n${result.stderr}\n`);
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
  }
  return result.stdout;
}

// The README's install section, and its code blocks.
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Install into your Backstage portal'),
  readme.indexOf('## Releasing'),
);
const squash = text => text.replace(/\s+/g, '');
/** The snippet, as the README has it; fails when the README lacks it. */
function fromReadme(snippet) {
  if (!squash(section).includes(squash(snippet))) {
    throw new Error(
      `the README's install section lacks a step the install test needs:\n${snippet}`,
    );
  }
  return snippet;
}
/** Inserts `snippet` into `file` after (or before) the first match of `anchor`. */
function insert(file, anchor, snippet, where = 'after') {
  const full = path.join(portal, file);
  const text = fs.readFileSync(full, 'utf8');
  const at = text.indexOf(anchor);
  if (at < 0) throw new Error(`${file}: "${anchor}" not found in the template`);
  const cut = where === 'after' ? at + anchor.length : at;
  fs.writeFileSync(
    full,
    `${text.slice(0, cut)}\n${fromReadme(snippet)}\n${text.slice(cut)}`,
  );
}

const PACKAGES = [
  'gitops',
  'gitops-backend',
  'gitops-common',
  'gitops-node',
  'gitops-repository',
  'scaffolder-backend-module-gitops',
];

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

step('create-app (default and legacy templates)', () => {
  for (const [dir, extra] of [
    [portal, []],
    [path.join(work, 'legacy'), ['--legacy']],
  ]) {
    run('npx', ['-y', CREATE_APP, '--skip-install', '--path', dir, ...extra], {
      cwd: work,
      env: { BACKSTAGE_APP_NAME: 'portal' },
    });
  }
  // The legacy app beside the new one, for the type check of the legacy snippets.
  fs.cpSync(
    path.join(work, 'legacy/packages/app'),
    path.join(portal, 'packages/app-legacy'),
    { recursive: true },
  );
  const pkgFile = path.join(portal, 'packages/app-legacy/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.name = 'app-legacy';
  fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
});

step('build the packages (README step 1: yarn build:all)', () => {
  fromReadme('yarn install && yarn build:all');
  // After `yarn build:all` (the production test's), their dist/ is there already.
  if (PACKAGES.some(p => !fs.existsSync(path.join(root, 'plugins', p, 'dist'))))
    run('yarn', ['build:all'], { cwd: root });
});

step('pack the packages (README step 1, before the release)', () => {
  const packs = path.join(root, 'gitops-packs');
  fs.rmSync(packs, { recursive: true, force: true });
  for (const p of PACKAGES) {
    fromReadme(
      `yarn workspace @gitops-backstage/plugin-$p pack --out "$PWD/gitops-packs/plugin-$p.tgz"`,
    );
    run(
      'yarn',
      [
        'workspace',
        `@gitops-backstage/plugin-${p}`,
        'pack',
        '--out',
        path.join(packs, `plugin-${p}.tgz`),
      ],
      { cwd: root },
    );
  }
  fs.renameSync(packs, path.join(portal, 'gitops-packs'));
});

step(
  'pin the portal to Backstage 1.55.0 and point the names at the tarballs',
  () => {
    const file = path.join(portal, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    // The template's caret ranges would mix in a later release (see ../shared toolchain notes):
    // the portal takes this repository's pins of release 1.55.0, as an app on 1.55 has them
    // from its lockfile.
    const ours = JSON.parse(fs.readFileSync(path.join(root, 'package.json')));
    pkg.resolutions = { ...pkg.resolutions };
    for (const [name, version] of Object.entries(ours.resolutions))
      if (name.startsWith('@backstage/')) pkg.resolutions[name] = version;
    for (const p of PACKAGES) {
      const name = `@gitops-backstage/plugin-${p}`;
      const target = `file:./gitops-packs/plugin-${p}.tgz`;
      fromReadme(`"${name}": "${target}"`);
      pkg.resolutions[name] = target;
    }
    fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  },
);

step('yarn install', () => run('yarn', ['install']));

step('add the packages (README step 1)', () => {
  fromReadme(
    'yarn --cwd packages/backend add @gitops-backstage/plugin-gitops-backend@^0.0.0 @gitops-backstage/plugin-scaffolder-backend-module-gitops@^0.0.0',
  );
  run('yarn', [
    '--cwd',
    'packages/backend',
    'add',
    '@gitops-backstage/plugin-gitops-backend@^0.0.0',
    '@gitops-backstage/plugin-scaffolder-backend-module-gitops@^0.0.0',
  ]);
  fromReadme(
    'yarn --cwd packages/app add @gitops-backstage/plugin-gitops@^0.0.0',
  );
  run('yarn', [
    '--cwd',
    'packages/app',
    'add',
    '@gitops-backstage/plugin-gitops@^0.0.0',
  ]);
  run('yarn', [
    '--cwd',
    'packages/app-legacy',
    'add',
    '@gitops-backstage/plugin-gitops@^0.0.0',
  ]);
});

step(
  'backend, frontend (both systems) and config (README steps 2, 4, 5)',
  () => {
    insert(
      'packages/backend/src/index.ts',
      'backend.start();',
      `backend.add(import('@gitops-backstage/plugin-gitops-backend'));
backend.add(
  import('@gitops-backstage/plugin-scaffolder-backend-module-gitops'),
);`,
      'before',
    );
    // The template's app discovers the frontend plugins of its dependencies (`app.packages:
    // all`), the README's second way: App.tsx stays as it is.
    fromReadme('or let the app discover it with `app.packages: all`');
    if (
      !/^  packages: all$/m.test(
        fs.readFileSync(path.join(portal, 'app-config.yaml'), 'utf8'),
      )
    )
      throw new Error(
        'the template no longer discovers packages (app.packages: all)',
      );
    const entityPage =
      'packages/app-legacy/src/components/catalog/EntityPage.tsx';
    insert(
      entityPage,
      "import { Button, Grid } from '@material-ui/core';",
      `import {
  EntityGitopsContent,
  EntityGitopsEnvironmentsCard,
  isGitopsAvailable,
} from '@gitops-backstage/plugin-gitops';`,
    );
    insert(
      entityPage,
      `    <Grid item md={6}>
      <EntityAboutCard />
    </Grid>`,
      `<EntitySwitch>
  <EntitySwitch.Case if={isGitopsAvailable}>
    <Grid item md={6} xs={12}>
      <EntityGitopsEnvironmentsCard />
    </Grid>
  </EntitySwitch.Case>
</EntitySwitch>`,
    );
    insert(
      entityPage,
      `      {overviewContent}
    </EntityLayout.Route>`,
      `<EntityLayout.Route path="/gitops" title="GitOps" if={isGitopsAvailable}>
  <EntityGitopsContent />
</EntityLayout.Route>`,
    );
    insert(
      'packages/app-legacy/src/App.tsx',
      "import { Navigate, Route } from 'react-router-dom';",
      "import { GitopsFleetPage } from '@gitops-backstage/plugin-gitops';",
    );
    insert(
      'packages/app-legacy/src/App.tsx',
      '<FlatRoutes>',
      '<Route path="/gitops" element={<GitopsFleetPage />} />',
    );
    // Config: the README's minimal shape (repositories, environments), here with the offline
    // demo's cluster, registry and repository (app-config.install-test.yaml).
    fromReadme('gitops:\n  repositories:');
    fromReadme('environments:\n    - name: dev');
    const demoState = path.join(root, '.cache/install');
    const config = fs
      .readFileSync(
        path.join(
          root,
          'packages/app/e2e-tests/install/app-config.install-test.yaml',
        ),
        'utf8',
      )
      .replaceAll('__DEMO_STATE__', demoState)
      .replaceAll('__REPO_ROOT__', root);
    fs.writeFileSync(path.join(portal, 'app-config.local.yaml'), config);
  },
);

step('yarn tsc (both frontend systems, the backend)', () =>
  run('yarn', ['tsc']),
);

step('one copy of React, Material UI and the Backstage frontend APIs', () => {
  const lock = fs.readFileSync(path.join(portal, 'yarn.lock'), 'utf8');
  const versions = name =>
    new Set(
      [
        ...lock.matchAll(
          new RegExp(`^"${name}@[^\\n]*\\n  version: (\\S+)`, 'gm'),
        ),
      ].map(m => m[1]),
    );
  for (const name of [
    'react',
    'react-dom',
    'react-router-dom',
    '@material-ui/core',
    '@backstage/core-plugin-api',
    '@backstage/frontend-plugin-api',
    '@backstage/plugin-catalog-react',
  ]) {
    const found = versions(name.replace(/[/]/g, '\\/'));
    if (found.size !== 1)
      throw new Error(
        `${name}: ${found.size} versions in the portal (${[...found]})`,
      );
  }
});

step('Playwright: the GitOps tab, the fleet page and a promotion', () => {
  const result = spawnSync(
    'yarn',
    [
      'playwright',
      'test',
      '-c',
      'packages/app/e2e-tests/install/playwright.config.ts',
    ],
    {
      cwd: root,
      env: { ...process.env, GITOPS_INSTALL_PORTAL: portal },
      stdio: 'inherit',
    },
  );
  if (result.status !== 0)
    throw new Error("the install test's browser test failed");
});

const total = Math.round((Date.now() - started) / 1000);
process.stdout.write(
  `install test passed in ${total} s: ${JSON.stringify(timings)}\n`,
);
if (!process.argv.includes('--keep'))
  fs.rmSync(work, { recursive: true, force: true });
