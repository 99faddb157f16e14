import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitIn } from 'gitops-testkit';
import { CatFileBatch, CatFileObject } from './CatFileBatch';
import { parseTree, TreePaths } from './TreePaths';

const describeObject = (object: CatFileObject) =>
  object && { type: object.type, content: object.content.toString('hex') };

describe('parseTree', () => {
  const oid = (byte: number) => Buffer.alloc(20, byte);
  const entry = (mode: string, name: string, id: Buffer) =>
    Buffer.concat([Buffer.from(`${mode} ${name}\0`, 'utf8'), id]);

  it.each([
    ['an empty tree', Buffer.alloc(0), []],
    [
      'a folder, a file, a link and a name with spaces and accents',
      Buffer.concat([
        entry('40000', 'apps', oid(1)),
        entry('100644', 'read me.md', oid(2)),
        entry('120000', 'latest', oid(3)),
        entry('100755', 'déployer.sh', oid(0xab)),
      ]),
      [
        ['apps', '40000', '01'.repeat(20)],
        ['read me.md', '100644', '02'.repeat(20)],
        ['latest', '120000', '03'.repeat(20)],
        ['déployer.sh', '100755', 'ab'.repeat(20)],
      ],
    ],
  ])('reads %s', (_, content, expected) => {
    expect(
      [...parseTree(content)].map(([name, e]) => [name, e.mode, e.oid]),
    ).toEqual(expected);
  });

  it('refuses a tree cut short', () => {
    const whole = entry('100644', 'a.yaml', oid(7));
    expect(() => parseTree(whole.subarray(0, whole.length - 1))).toThrow(
      /cut short/,
    );
  });
});

describe('TreePaths', () => {
  let workDir: string;
  let repo: string;
  let commit: string;
  let batch: CatFileBatch;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-tree-paths-'));
    repo = path.join(workDir, 'repo');
    fs.mkdirSync(repo);
    gitIn(repo, 'init', '--quiet', '--initial-branch=main');
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.writeFileSync(path.join(repo, file), text);
    };
    // More services than LARGE_TREE_ENTRIES: `apps` is kept apart from the small trees.
    for (let i = 0; i < 300; i++) {
      write(`apps/svc-${i}/base/deployment.yaml`, `kind: Deployment # ${i}\n`);
      write(`apps/svc-${i}/overlays/dev/kustomization.yaml`, `# dev ${i}\n`);
    }
    write('apps/svc 1/ünïcode file.yaml', 'name: spaced\n');
    write('README.md', '# fleet\n');
    fs.symlinkSync('svc-1', path.join(repo, 'apps', 'latest'));
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '--quiet', '-m', 'fleet');
    commit = gitIn(repo, 'rev-parse', 'HEAD').trim();
    batch = new CatFileBatch(repo);
  });
  afterAll(() => {
    batch.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  // Each is answered as `git cat-file --batch` answers `<commit>:<path>`.
  it.each([
    ['a file at the root', 'README.md'],
    ['a file three folders down', 'apps/svc-7/overlays/dev/kustomization.yaml'],
    ['a file with spaces and accents', 'apps/svc 1/ünïcode file.yaml'],
    ['a folder (its tree)', 'apps/svc-7/overlays'],
    ['a symbolic link (the link, not followed)', 'apps/latest'],
    ['a missing file', 'apps/svc-7/overlays/prod/kustomization.yaml'],
    ['a missing folder', 'apps/svc-999/base/deployment.yaml'],
    ['a path through a file', 'README.md/child'],
    ['a path through a link', 'apps/latest/base/deployment.yaml'],
    ['a path with a ./ segment (asked of git as it is)', 'apps/./svc-2'],
    ['a path with a trailing slash', 'apps/svc-2/'],
  ])('reads %s as git does', async (_, file) => {
    const paths = new TreePaths();
    const read = (spec: string) => batch.read(spec);
    const expected = await batch.read(`${commit}:${file}`);
    const actual = await paths.read(read, commit, file);
    expect(describeObject(actual)).toEqual(describeObject(expected));
  });

  it('reads each tree once for many files, and the file itself by its id', async () => {
    const paths = new TreePaths();
    const asked: string[] = [];
    const read = (spec: string) => {
      asked.push(spec);
      return batch.read(spec);
    };
    const files = Array.from(
      { length: 50 },
      (_, i) => `apps/svc-${i}/base/deployment.yaml`,
    );
    const texts = await Promise.all(
      files.map(file => paths.read(read, commit, file)),
    );
    expect(texts.map(t => t?.content.toString('utf8'))).toEqual(
      files.map((_, i) => `kind: Deployment # ${i}\n`),
    );
    // The commit, the root and `apps` once; per service its folder, `base` and the file.
    expect(asked).toHaveLength(3 + 50 * 3);
    expect(asked.every(spec => /^[0-9a-f]{40}$/.test(spec))).toBe(true);
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('keeps the large folder while small trees come and go', async () => {
    const paths = new TreePaths({ maxTrees: 2 });
    const apps = gitIn(repo, 'rev-parse', 'HEAD:apps').trim();
    const asked: string[] = [];
    const read = (spec: string) => {
      asked.push(spec);
      return batch.read(spec);
    };
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 300; i += 7) {
        const file = `apps/svc-${i}/overlays/dev/kustomization.yaml`;
        const object = await paths.read(read, commit, file);
        expect(object?.content.toString('utf8')).toBe(`# dev ${i}\n`);
      }
    }
    expect(asked.filter(spec => spec === apps)).toHaveLength(1);
  });

  it('asks git for a revision that is not a commit', async () => {
    const paths = new TreePaths();
    const tree = gitIn(repo, 'rev-parse', 'HEAD^{tree}').trim();
    const object = await paths.read(
      spec => batch.read(spec),
      tree,
      'README.md',
    );
    expect(object?.content.toString('utf8')).toBe('# fleet\n');
  });
});
