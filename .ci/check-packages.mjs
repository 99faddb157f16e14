// Checks that every published package of the monorepo is releasable: the project's license
// (field and file), where it comes from (repository, homepage), Backstage dependencies as
// ranges an app can share rather than exact versions, React and the router as peers of the
// frontend plugin, an API report with every top-level export documented, and a changeset
// folder. Private packages (the app, the backend, the demo, the bench, the test kits) are
// skipped. Prints every problem and exits 1 when there is one.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json')));
const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
const problems = [];
const folders = rootPkg.workspaces.flatMap(pattern => {
  const base = path.join(root, pattern.replace(/\/\*$/, ''));
  return fs.readdirSync(base).map(name => path.join(base, name));
});

let published = 0;
for (const dir of folders) {
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) continue;
  const pkg = JSON.parse(fs.readFileSync(file));
  if (pkg.private) continue;
  published++;
  const where = path.relative(root, dir);
  const problem = text => problems.push(`${pkg.name} (${where}): ${text}`);
  if (pkg.license !== 'Apache-2.0') problem(`license is ${pkg.license}`);
  const own = path.join(dir, 'LICENSE');
  if (!fs.existsSync(own) || fs.readFileSync(own, 'utf8') !== license)
    problem('LICENSE missing or not the root LICENSE');
  if (pkg.repository?.url !== rootPkg.repository.url)
    problem('repository.url is not the root one');
  if (pkg.repository?.directory !== where)
    problem(`repository.directory is not ${where}`);
  if (!pkg.homepage?.startsWith(rootPkg.repository.url))
    problem('homepage missing');
  if (!pkg.backstage?.role) problem('backstage.role missing');
  if (!pkg.files?.includes('dist')) problem('files does not ship dist');
  if (pkg.publishConfig?.access !== 'public')
    problem('publishConfig.access is not public');
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (name.startsWith('@backstage/') && !range.startsWith('^'))
      problem(`dependency ${name}@${range}: use a caret range`);
    if (range.startsWith('workspace:') && range !== 'workspace:^')
      problem(`dependency ${name}@${range}: use workspace:^`);
  }
  if (pkg.backstage?.role === 'frontend-plugin') {
    for (const peer of ['react', 'react-dom', 'react-router-dom'])
      if (!pkg.peerDependencies?.[peer])
        problem(`peer dependency ${peer} missing`);
    for (const peer of ['react', 'react-dom'])
      if (pkg.dependencies?.[peer])
        problem(`${peer} must be a peer, not a dependency`);
  }
  const reports = fs
    .readdirSync(dir)
    .filter(f => /^report.*\.api\.md$/.test(f));
  if (!reports.includes('report.api.md')) problem('report.api.md missing');
  for (const report of reports) {
    const text = fs.readFileSync(path.join(dir, report), 'utf8');
    // A top-level export without TSDoc shows as an unindented "(undocumented)" line.
    const undocumented = text.match(
      /^\/\/ \(undocumented\)\n(?:\/\/.*\n)*(.*)$/gm,
    );
    for (const hit of undocumented ?? [])
      problem(
        `${report}: export without documentation: ${hit.split('\n').pop()}`,
      );
    if (/^\/\/ Warning:/m.test(text)) problem(`${report} has warnings`);
  }
}
if (!fs.existsSync(path.join(root, '.changeset', 'config.json')))
  problems.push('.changeset/config.json missing');
if (published === 0) problems.push('no published package found');

for (const line of problems) console.log(line);
console.log(
  `${published} published packages checked, ${problems.length} problems`,
);
process.exit(problems.length ? 1 : 0);
