import { validateWithModels } from 'gitops-testkit';
import { KubeObject } from './clusterObjects';
import {
  buildImagePolicy,
  buildImageRepository,
  buildImageUpdateAutomation,
  buildImageUpdater,
} from './imageAutomationObjects';

const failure = { reason: 'AuthenticationFailed', message: 'UNAUTHORIZED' };

const flux: KubeObject[] = [
  buildImageRepository({ service: 'guestbook', tags: ['1.4.1', '1.4.2'] }),
  buildImageRepository({ service: 'podinfo', tags: ['6.9.0'], failure }),
  buildImagePolicy({ service: 'guestbook', env: 'dev', latest: '1.4.2' }),
  buildImagePolicy({
    service: 'guestbook',
    env: 'main',
    choice: { numerical: { order: 'asc' } },
    filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '$ts' },
    latest: 'main-3f2a1bc-1764072000',
    previous: 'main-0c9d8e7-1764068400',
    suspend: true,
  }),
  buildImagePolicy({
    service: 'podinfo',
    env: 'dev',
    latest: null,
    failure: { reason: 'DependencyNotReady', message: 'not ready' },
  }),
  buildImageUpdateAutomation({
    name: 'guestbook-dev',
    path: './apps/guestbook/overlays/dev',
    pushedMinutesAgo: 3,
    policySelector: { 'app.kubernetes.io/name': 'guestbook' },
  }),
  buildImageUpdateAutomation({
    name: 'podinfo',
    path: './',
    pushedMinutesAgo: 90,
    failure: { reason: 'GitOperationFailed', message: 'push rejected' },
  }),
];

describe('image automation fixtures', () => {
  const verdicts = validateWithModels(flux);

  it.each(flux.map((o, i) => [`${o.kind} ${o.metadata.name}`, i] as const))(
    '%s validates against the Flux v1 model',
    (_label, i) => {
      expect(verdicts[i]).toBeNull();
    },
  );

  it('are told apart from a broken ImagePolicy by the same validator', () => {
    const broken = buildImagePolicy({
      service: 'guestbook',
      env: 'dev',
      latest: '1.4.2',
    });
    delete broken.spec.imageRepositoryRef;
    expect(validateWithModels([broken])[0]).toMatch(/imageRepositoryRef/);
  });

  // No kubernetes-models class exists for Image Updater: its required fields, per
  // api/v1alpha1/imageupdater_types.go, are checked by hand.
  it.each([
    buildImageUpdater({
      service: 'guestbook',
      namePattern: 'guestbook-*',
      imageName: 'ghcr.io/acme/guestbook:^1.x',
      updated: { version: '1.4.2', minutesAgo: 3 },
    }),
    buildImageUpdater({
      service: 'guestbook',
      namePattern: 'guestbook-dev',
      imageName: 'ghcr.io/acme/guestbook',
      useAnnotations: true,
      error: 'failed to list tags: 401 Unauthorized',
    }),
  ])('ImageUpdater %# has the fields its CRD requires', updater => {
    expect(updater.apiVersion).toBe(
      'argocd-image-updater.argoproj.io/v1alpha1',
    );
    expect(updater.spec.applicationRefs.length).toBeGreaterThan(0);
    for (const ref of updater.spec.applicationRefs) {
      expect(typeof ref.namePattern).toBe('string');
      // Either useAnnotations, or at least one image (the CRD's XValidation rule).
      expect(ref.useAnnotations === true || ref.images?.length > 0).toBe(true);
      for (const image of ref.images ?? []) {
        expect(image.alias).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9-._]*$/);
        expect(typeof image.imageName).toBe('string');
      }
    }
    expect(updater.spec.writeBackConfig.method).toMatch(
      /^(argocd|git|git:[a-zA-Z0-9][a-zA-Z0-9-._/:]*)$/,
    );
    expect(updater.status.applicationsMatched).toBeGreaterThanOrEqual(0);
    expect(updater.status.imagesManaged).toBeGreaterThanOrEqual(0);
    for (const update of updater.status.recentUpdates ?? []) {
      expect(Object.keys(update).sort()).toEqual(
        [
          'alias',
          'applicationsUpdated',
          'image',
          'message',
          'newVersion',
          'updatedAt',
        ].sort(),
      );
    }
    for (const c of updater.status.conditions) {
      expect(Object.keys(c).sort()).toEqual(
        [
          'lastTransitionTime',
          'message',
          'observedGeneration',
          'reason',
          'status',
          'type',
        ].sort(),
      );
    }
  });
});
