import {
  GITOPS_REPO_URL,
  KubeObject,
  buildArgoApplication,
  buildGitRepository,
  minutesAgo,
} from './__fixtures__/clusterObjects';
import {
  buildImagePolicy,
  buildImageRepository,
  buildImageUpdateAutomation,
  buildImageUpdater,
  imageUpdaterAnnotations,
} from './__fixtures__/imageAutomationObjects';
import {
  AutomationObjects,
  AutomationTarget,
  imageAutomation,
  selectAutomationObjects,
  withAutoPromotionConflicts,
} from './imageAutomation';
import { KindKey, KindReadState } from './kinds';
import { memoryCluster } from './memoryCluster';
import { normalizeImage } from './objectIndex';

const IMAGE = 'ghcr.io/acme/guestbook';
const TAGS = ['1.4.1', '1.4.2', '2.0.0'];

const target = (env: string, extra: Partial<AutomationTarget> = {}) => ({
  environment: env,
  image: IMAGE,
  repoUrl: GITOPS_REPO_URL,
  branch: 'main',
  path: `apps/guestbook/overlays/${env}`,
  ...extra,
});

const objects = (o: Partial<AutomationObjects>): AutomationObjects => ({
  imageRepositories: [],
  imagePolicies: [],
  imageUpdateAutomations: [],
  gitRepositories: [buildGitRepository({ name: 'gitops-repo', revision: 'a' })],
  imageUpdaters: [],
  ...o,
});

const repository = buildImageRepository({ service: 'guestbook', tags: TAGS });
const devPolicy = buildImagePolicy({
  service: 'guestbook',
  env: 'dev',
  latest: '1.4.2',
});
const devAutomation = buildImageUpdateAutomation({
  name: 'guestbook-dev',
  path: './apps/guestbook/overlays/dev',
  pushedMinutesAgo: 3,
});
const fluxDev = objects({
  imageRepositories: [repository],
  imagePolicies: [devPolicy],
  imageUpdateAutomations: [devAutomation],
});

const app = (env: string, annotations: Record<string, string> = {}) => {
  const application = buildArgoApplication({
    service: 'guestbook',
    env,
    namespace: `guestbook-${env}`,
    revision: 'a',
    images: [`${IMAGE}:1.4.2`],
    hasHpa: false,
  });
  application.metadata.annotations = {
    ...application.metadata.annotations,
    ...annotations,
  };
  return application;
};

describe('imageAutomation', () => {
  it.each<
    [
      string,
      AutomationTarget,
      AutomationObjects,
      Array<Record<string, unknown>>,
      string | null,
    ]
  >([
    [
      'Flux: the automation of the environment folder',
      target('dev'),
      fluxDev,
      [
        {
          engine: 'flux-image-automation',
          policy: '^1.x',
          lastUpdateAt: minutesAgo(3),
          error: null,
          latestImage: `${IMAGE}:1.4.2`,
          lastRunAt: minutesAgo(1),
          writeBack: 'git (pushes to main)',
          objects: [
            'ImageRepository flux-system/guestbook',
            'ImagePolicy flux-system/guestbook-dev',
            'ImageUpdateAutomation flux-system/guestbook-dev',
          ],
          paused: false,
        },
      ],
      null,
    ],
    ['Flux: not another environment', target('staging'), fluxDev, [], null],
    [
      "Flux: the folder's automation, without another environment's policy",
      target('dev', { environments: ['dev', 'staging', 'prod'] }),
      objects({
        ...fluxDev,
        imagePolicies: [
          buildImagePolicy({
            service: 'guestbook',
            env: 'staging',
            range: '^1.x',
            latest: '1.4.1',
          }),
          buildImagePolicy({
            service: 'guestbook',
            env: 'x',
            name: 'guestbook',
            range: '~1.4',
            latest: '1.4.2',
          }),
        ],
      }),
      [
        {
          policy: '~1.4',
          objects: expect.arrayContaining([
            'ImagePolicy flux-system/guestbook',
          ]),
        },
      ],
      null,
    ],
    [
      'Flux: a root automation counts for the policy naming the environment',
      target('dev'),
      objects({
        imageRepositories: [repository],
        imagePolicies: [devPolicy],
        imageUpdateAutomations: [
          buildImageUpdateAutomation({
            name: 'all',
            path: './',
            pushedMinutesAgo: 9,
          }),
        ],
      }),
      [{ policy: '^1.x', lastUpdateAt: minutesAgo(9) }],
      null,
    ],
    [
      'Flux: … and not for the others',
      target('staging'),
      objects({
        imageRepositories: [repository],
        imagePolicies: [devPolicy],
        imageUpdateAutomations: [
          buildImageUpdateAutomation({
            name: 'all',
            path: './',
            pushedMinutesAgo: 9,
          }),
        ],
      }),
      [],
      null,
    ],
    [
      'Flux: a label names the environment too',
      target('staging'),
      objects({
        imageRepositories: [repository],
        imagePolicies: [
          buildImagePolicy({
            service: 'guestbook',
            env: 'x',
            name: 'guestbook-rc',
            labels: { 'gitops.backstage.io/environment': 'staging' },
            range: '>=1.0.0-rc.0',
            latest: '2.0.0-rc.1',
          }),
        ],
        imageUpdateAutomations: [
          buildImageUpdateAutomation({
            name: 'apps',
            path: './apps',
            pushedMinutesAgo: 9,
          }),
        ],
      }),
      [{ policy: '>=1.0.0-rc.0', latestImage: `${IMAGE}:2.0.0-rc.1` }],
      null,
    ],
    [
      'Flux: an automation of another repository',
      target('dev', { repoUrl: 'https://github.com/acme/other.git' }),
      fluxDev,
      [],
      null,
    ],
    [
      'Flux: a policy selector that leaves the policy out',
      target('dev'),
      objects({
        ...fluxDev,
        imageUpdateAutomations: [
          buildImageUpdateAutomation({
            name: 'guestbook-dev',
            path: './apps/guestbook/overlays/dev',
            pushedMinutesAgo: 3,
            policySelector: { team: 'other' },
          }),
        ],
      }),
      [],
      null,
    ],
    [
      'Flux: numerical with a tag filter, suspended',
      target('dev'),
      objects({
        ...fluxDev,
        imagePolicies: [
          buildImagePolicy({
            service: 'guestbook',
            env: 'dev',
            choice: { numerical: { order: 'asc' } },
            filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)' },
            latest: 'main-3f2a1bc-1764072000',
            suspend: true,
          }),
        ],
      }),
      [
        {
          policy: 'numerical asc of tags ^main-[a-f0-9]+-(?P<ts>[0-9]+)',
          paused: true,
        },
      ],
      null,
    ],
    [
      'Flux: the registry refuses the scan, and the push fails',
      target('dev'),
      objects({
        ...fluxDev,
        imageRepositories: [
          buildImageRepository({
            service: 'guestbook',
            tags: TAGS,
            failure: {
              reason: 'AuthenticationFailed',
              message: 'UNAUTHORIZED: authentication required',
            },
          }),
        ],
        imageUpdateAutomations: [
          buildImageUpdateAutomation({
            name: 'guestbook-dev',
            path: './apps/guestbook/overlays/dev',
            pushedMinutesAgo: 60,
            failure: {
              reason: 'GitOperationFailed',
              message: 'failed to push to remote: authentication required',
            },
          }),
        ],
      }),
      [
        {
          error:
            'ImageRepository flux-system/guestbook: AuthenticationFailed: UNAUTHORIZED: authentication required',
        },
      ],
      'ImageRepository flux-system/guestbook: AuthenticationFailed: UNAUTHORIZED: authentication required (and 1 more)',
    ],
    [
      'Argo CD Image Updater 1.x',
      target('dev', { application: app('dev') }),
      objects({
        imageUpdaters: [
          buildImageUpdater({
            service: 'guestbook',
            namePattern: 'guestbook-*',
            imageName: `${IMAGE}:^1.x`,
            updated: { version: '1.4.2', minutesAgo: 3 },
          }),
        ],
      }),
      [
        {
          engine: 'argocd-image-updater',
          policy: '^1.x',
          lastUpdateAt: minutesAgo(3),
          error: null,
          latestImage: `${IMAGE}:1.4.2`,
          writeBack: 'git (pushes to main)',
          objects: [
            'ImageUpdater argocd/guestbook',
            'Application argocd/guestbook-dev',
          ],
        },
      ],
      null,
    ],
    [
      'Argo CD Image Updater 1.x: a pattern that leaves the app out',
      target('prod', { application: app('prod') }),
      objects({
        imageUpdaters: [
          buildImageUpdater({
            service: 'guestbook',
            namePattern: 'guestbook-d?v',
            imageName: `${IMAGE}:^1.x`,
          }),
        ],
      }),
      [],
      null,
    ],
    [
      'Argo CD Image Updater 1.x failing, reading the annotations',
      target('dev', {
        application: app(
          'dev',
          imageUpdaterAnnotations({
            service: 'guestbook',
            strategy: 'latest',
            allowTags: 'regexp:^main-',
          }),
        ),
      }),
      objects({
        imageUpdaters: [
          buildImageUpdater({
            service: 'guestbook',
            namePattern: 'guestbook-dev',
            imageName: IMAGE,
            useAnnotations: true,
            error: 'failed to list tags: 401 Unauthorized',
          }),
        ],
      }),
      [
        {
          policy: 'newest-build of tags regexp:^main-',
          error:
            'ImageUpdater argocd/guestbook: failed to list tags: 401 Unauthorized',
        },
      ],
      'ImageUpdater argocd/guestbook: failed to list tags: 401 Unauthorized',
    ],
    [
      'Argo CD Image Updater 0.x: annotations alone',
      target('dev', {
        application: app(
          'dev',
          imageUpdaterAnnotations({
            service: 'guestbook',
            constraint: '~1.4',
            writeBack: 'git:secret:argocd/git-creds',
          }),
        ),
      }),
      objects({}),
      [
        {
          engine: 'argocd-image-updater',
          policy: '~1.4',
          lastUpdateAt: null,
          writeBack: 'git',
          objects: ['Application argocd/guestbook-dev'],
        },
      ],
      null,
    ],
    [
      'no image in Git: nothing to follow',
      target('dev', { image: null }),
      fluxDev,
      [],
      null,
    ],
  ])('%s', (_name, t, o, expected, problem) => {
    const result = imageAutomation(t, o);
    expect(result.automation).toHaveLength(expected.length);
    result.automation.forEach((entry, i) =>
      expect(entry).toMatchObject(expected[i]),
    );
    expect(result.problems.map(p => p.message)).toEqual(
      problem ? [problem] : [],
    );
    for (const p of result.problems) {
      expect(p).toMatchObject({ type: 'AutomationFailed', severity: 'error' });
      expect(p.hint).toBeTruthy();
    }
  });

  it.each<[string, Partial<Record<KindKey, KindReadState>>, boolean, object]>([
    [
      'everything read',
      {},
      false,
      {
        'flux-image-automation': 'installed',
        'argocd-image-updater': 'installed',
      },
    ],
    [
      'CRDs absent: not installed, no error',
      { imageupdateautomations: 'absent', imageupdaters: 'absent' },
      false,
      {
        'flux-image-automation': 'not installed',
        'argocd-image-updater': 'not installed',
      },
    ],
    [
      'a kind the account may not list',
      { imagepolicies: 'forbidden', imageupdaters: 'unknown' },
      false,
      {
        'flux-image-automation': 'unreadable',
        'argocd-image-updater': 'unknown',
      },
    ],
    [
      'no ImageUpdater CRD, but 0.x annotations',
      { imageupdaters: 'absent' },
      true,
      { 'argocd-image-updater': 'installed' },
    ],
  ])('engines: %s', (_name, states, annotated, expected) => {
    const application = annotated
      ? app('dev', imageUpdaterAnnotations({ service: 'guestbook' }))
      : undefined;
    const result = imageAutomation(
      target('dev', { application }),
      objects({}),
      kind => states[kind] ?? 'read',
    );
    expect(result.engines).toMatchObject(expected);
    expect(result.problems).toEqual([]);
  });

  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['docker.io/nginx:1.27', 'docker.io/library/nginx'],
    ['index.docker.io/library/nginx@sha256:abc', 'docker.io/library/nginx'],
    ['acme/app', 'docker.io/acme/app'],
    ['GHCR.io/Acme/Guestbook:^1.x', 'ghcr.io/acme/guestbook'],
    ['localhost:5000/guestbook:1.0', 'localhost:5000/guestbook'],
    ['registry.local:5000/team/app', 'registry.local:5000/team/app'],
  ])('normalizeImage(%s) is %s', (image, expected) => {
    expect(normalizeImage(image)).toBe(expected);
  });
});

describe('withAutoPromotionConflicts', () => {
  const flux = imageAutomation(target('staging'), {
    ...fluxDev,
    imagePolicies: [
      buildImagePolicy({
        service: 'guestbook',
        env: 'staging',
        latest: '1.4.2',
      }),
    ],
    imageUpdateAutomations: [
      buildImageUpdateAutomation({
        name: 'all',
        path: './apps',
        pushedMinutesAgo: 3,
      }),
    ],
  }).automation;

  it('names the conflict when the portal auto-promotes the same environment', () => {
    expect(flux).toHaveLength(1);
    expect(
      withAutoPromotionConflicts(flux, 'staging', { from: 'dev' })[0].conflict,
    ).toBe(
      "Flux image automation and the portal's auto-promotion from dev both write staging's image",
    );
  });

  it('leaves the entries alone without auto-promotion, and the portal entry always', () => {
    expect(withAutoPromotionConflicts(flux, 'staging', null)).toEqual(flux);
    const portal = {
      engine: 'portal' as const,
      policy: 'takes versions verified in dev',
      lastUpdateAt: null,
      error: null,
    };
    expect(
      withAutoPromotionConflicts([portal], 'staging', { from: 'dev' }),
    ).toEqual([portal]);
  });
});

describe('selectAutomationObjects', () => {
  it('follows the image to its repositories, policies, automations and sources', () => {
    const other = buildImageRepository({ service: 'podinfo', tags: ['6.9.0'] });
    const updater = buildImageUpdater({
      service: 'guestbook',
      namePattern: 'guestbook-*',
      imageName: IMAGE,
    });
    const cluster = memoryCluster({
      imagerepositories: [repository, other],
      imagepolicies: [
        devPolicy,
        buildImagePolicy({ service: 'podinfo', env: 'dev', latest: '6.9.0' }),
      ],
      imageupdateautomations: [devAutomation],
      gitrepositories: fluxDev.gitRepositories as KubeObject[],
      imageupdaters: [updater],
    });
    const found = selectAutomationObjects(cluster, {
      image: `${IMAGE}:1.4.2`,
      application: app('dev'),
    });
    expect(found.imageRepositories).toEqual([repository]);
    expect(found.imagePolicies).toEqual([devPolicy]);
    expect(found.imageUpdateAutomations).toEqual([devAutomation]);
    expect(found.gitRepositories.map(g => g.metadata?.name)).toEqual([
      'gitops-repo',
    ]);
    expect(found.imageUpdaters).toEqual([updater]);
    expect(selectAutomationObjects(cluster, { image: null })).toMatchObject({
      imageRepositories: [],
      imageUpdaters: [],
    });
  });
});
