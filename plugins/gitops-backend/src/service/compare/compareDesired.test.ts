import {
  DesiredStateReader,
  defaultEnvironmentConfig,
} from '@gitops-backstage/plugin-gitops-repository';
import { loadExampleFiles, memoryGitProvider } from 'gitops-testkit';
import { compareDesired } from './compareDesired';

const environment = defaultEnvironmentConfig;

async function compareGuestbook(edit: (files: Map<string, string>) => void) {
  const files = loadExampleFiles();
  edit(files);
  const target = {
    entityRef: 'component:default/guestbook',
    service: 'guestbook',
    path: 'apps/guestbook',
    repository: { url: 'memory', branch: 'main' },
    provider: memoryGitProvider(files),
    hints: { workloadName: 'guestbook', image: 'ghcr.io/acme/guestbook' },
    selectors: {},
  };
  const reader = new DesiredStateReader();
  const [a, b] = await Promise.all(
    ['staging', 'prod'].map(env =>
      reader.read({ target, environment: environment(env), revision: 'x' }),
    ),
  );
  return compareDesired(a, b);
}

describe('compareDesired', () => {
  it('finds environment variables and probe settings that differ, beyond version and scaling', async () => {
    const differences = await compareGuestbook(files => {
      const file = 'apps/guestbook/overlays/prod/kustomization.yaml';
      files.set(
        file,
        files
          .get(file)!
          .replace(
            '                resources:',
            [
              '                env:',
              '                  - name: REDIS_HOST',
              '                    value: redis.prod.internal',
              '                  - name: FEATURE_X',
              '                    value: "on"',
              '                readinessProbe:',
              '                  periodSeconds: 30',
              '                resources:',
            ].join('\n'),
          ),
      );
    });
    const fields = Object.fromEntries(
      differences.map(d => [d.field, [d.from, d.to]]),
    );
    expect(fields['env.REDIS_HOST']).toEqual([
      'guestbook-redis',
      'redis.prod.internal',
    ]);
    expect(fields['env.FEATURE_X']).toEqual([null, 'on']);
    expect(fields['container.readinessProbe.periodSeconds']).toEqual([10, 30]);
    expect(fields['image.tag']).toEqual(['v1.0.4', 'v1.0.3']);
  });

  it('finds nothing between identical environments', async () => {
    const differences = await compareGuestbook(files => {
      files.set(
        'apps/guestbook/overlays/prod/kustomization.yaml',
        files.get('apps/guestbook/overlays/staging/kustomization.yaml')!,
      );
    });
    expect(differences).toEqual([]);
  });
});

describe('compareDesired with charts from a Helm repository', () => {
  // Two environments of a Flux HelmRelease whose chart comes from a HelmRepository: the
  // chart version is what a promotion moves, so it is compared like an image tag.
  const helmResult = (version: string | null, replicaCount: number) =>
    ({
      state: {
        image: 'ghcr.io/stefanprodan/podinfo',
        tag: null,
        digest: null,
        replicas: replicaCount,
        chart: { name: 'podinfo', version, range: false },
      },
      rendered: { layout: 'helm', values: { replicaCount } },
    } as any);

  it.each([
    { from: '6.9.0', to: '6.8.0', expected: ['6.9.0', '6.8.0'] },
    { from: '6.9.0', to: null, expected: ['6.9.0', null] },
    { from: '6.9.0', to: '6.9.0', expected: undefined },
  ])('chart $from vs $to', ({ from, to, expected }) => {
    const differences = compareDesired(helmResult(from, 2), helmResult(to, 2));
    const fields = Object.fromEntries(
      differences.map(d => [d.field, [d.from, d.to]]),
    );
    expect(fields['chart.version']).toEqual(expected);
  });
});
