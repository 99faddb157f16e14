import { findArtifactPaths, globMatches } from './artifactGenerator';

function generator(copy: string, sources = 'kind: GitRepository') {
  return [
    'apiVersion: source.extensions.fluxcd.io/v1beta1',
    'kind: ArtifactGenerator',
    'metadata:',
    '  name: gen',
    'spec:',
    '  sources:',
    '    - alias: repo',
    `      ${sources}`,
    '      name: flux-system',
    '  artifacts:',
    '    - name: other',
    '      copy:',
    '        - from: "@repo/other/**"',
    '          to: "@artifact/"',
    '    - name: app',
    '      copy:',
    copy,
    '',
  ].join('\n');
}

async function paths(copy: string, files: Record<string, string> = {}) {
  const all: Record<string, string> = {
    'clusters/prod/apps.yaml': 'kind: Kustomization\n',
    'clusters/prod/artifacts.yaml': generator(copy),
    ...files,
  };
  return findArtifactPaths({
    name: 'app',
    file: 'clusters/prod/apps.yaml',
    read: async f => all[f],
  });
}

describe('findArtifactPaths', () => {
  it.each([
    {
      name: 'a folder tree into a folder',
      copy: '        - from: "@repo/apps/prod/**"\n          to: "@artifact/prod/"',
      map: {
        prod: 'apps/prod',
        'prod/kustomization.yaml': 'apps/prod/kustomization.yaml',
        'prod/web/values.yaml': 'apps/prod/web/values.yaml',
        'base/kustomization.yaml': undefined,
        'production/x.yaml': undefined,
      },
    },
    {
      name: 'a folder tree at the root, one folder excluded',
      copy: '        - from: "@repo/deploy/**"\n          to: "@artifact/"\n          exclude: ["deploy/tests/**"]',
      map: {
        'kustomization.yaml': 'deploy/kustomization.yaml',
        'web/deployment.yaml': 'deploy/web/deployment.yaml',
        'tests/smoke.yaml': undefined,
      },
    },
    {
      name: 'matching files of one folder, flat',
      copy: '        - from: "@repo/manifests/*.yaml"\n          to: "@artifact/app/"',
      map: {
        'app/deployment.yaml': 'manifests/deployment.yaml',
        'app/README.md': undefined,
        'app/sub/deployment.yaml': undefined,
      },
    },
    {
      name: 'one file into a folder, one renamed; the later rule wins',
      copy: [
        '        - from: "@repo/envs/prod/values.yaml"',
        '          to: "@artifact/app/"',
        '        - from: "@repo/envs/prod/patch.yaml"',
        '          to: "@artifact/app/values.yaml"',
      ].join('\n'),
      map: {
        'app/values.yaml': 'envs/prod/patch.yaml',
        'app/patch.yaml': undefined,
      },
    },
  ])('$name', async ({ copy, map }) => {
    const found = await paths(copy);
    for (const [artifactPath, repoPath] of Object.entries(map)) {
      expect([artifactPath, found.toRepo(artifactPath)]).toEqual([
        artifactPath,
        repoPath,
      ]);
    }
  });

  it('finds the generator in a file the folder kustomization lists', async () => {
    const found = await findArtifactPaths({
      name: 'app',
      file: 'clusters/prod/apps.yaml',
      read: async f =>
        ({
          'clusters/prod/kustomization.yaml':
            'resources:\n  - gen/split.yaml\n',
          'clusters/prod/gen/split.yaml': generator(
            '        - from: "@repo/a/**"\n          to: "@artifact/"',
          ),
        }[f]),
    });
    expect(found.generator).toBe(
      'ArtifactGenerator gen (clusters/prod/gen/split.yaml)',
    );
    expect(found.toRepo('x.yaml')).toBe('a/x.yaml');
  });

  it.each([
    { glob: 'apps/**', path: 'apps/a/b.yaml', matches: true },
    { glob: 'apps/**/values.yaml', path: 'apps/values.yaml', matches: true },
    { glob: 'apps/*.yaml', path: 'apps/a/b.yaml', matches: false },
    { glob: 'a?.yaml', path: 'ab.yaml', matches: true },
    { glob: 'a.yaml', path: 'aXyaml', matches: false },
  ])('glob $glob against $path: $matches', ({ glob, path, matches }) => {
    expect(globMatches(path, glob)).toBe(matches);
  });
});
