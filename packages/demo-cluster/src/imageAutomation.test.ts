import path from 'node:path';
import { DemoRegistry } from './DemoRegistry';
import { withSourceStatus } from './engineStatus';
import { latestTag, reconcileImageAutomation } from './imageAutomation';
import { KubeObject, ObjectStore } from './ObjectStore';
import { fluxRevision } from './runtimes';
import { readSeeds } from './seeds';
import { invalidObjects } from './__testUtils__/validateWithModels';

const root = path.resolve(__dirname, '../../..');
const SHA = '0d46b8b1a2c3d4e5f60718293a4b5c6d7e8f9012';
const IMAGE_KINDS = [
  'imagerepositories',
  'imagepolicies',
  'imageupdateautomations',
];

/**
 * The seeded Flux image automation of podinfo's dev, reconciled by the demo's image
 * controllers: statuses as image-reflector-controller and image-automation-controller write
 * them, from the demo registry's tags, on the demo's clock.
 */
describe('the demo image automation', () => {
  const start = Date.parse('2025-06-01T10:00:00Z');
  let store: ObjectStore;
  let registry: DemoRegistry;
  const at = (seconds: number) => new Date(start + seconds * 1000);
  const get = (plural: string, name: string) =>
    store.get(plural, 'flux-system', name)!;
  const ready = (o: KubeObject) =>
    o.status.conditions.find((c: any) => c.type === 'Ready');

  beforeEach(() => {
    const seeds = readSeeds(path.join(root, 'examples/demo-cluster'));
    store = new ObjectStore();
    for (const { plural, object } of seeds.objects) store.put(plural, object);
    registry = new DemoRegistry(seeds.images);
    const source = get('gitrepositories', 'gitops-repo');
    store.put(
      'gitrepositories',
      withSourceStatus(source, SHA, fluxRevision, at(0)),
    );
  });

  it('seeds the three objects in Flux v1 and writes their statuses as the controllers do', () => {
    reconcileImageAutomation(store, registry, at(0));
    const objects = IMAGE_KINDS.flatMap(kind => store.list(kind));
    expect(objects.map(o => `${o.kind} ${o.metadata.name}`)).toEqual([
      'ImageRepository podinfo',
      'ImagePolicy podinfo-dev',
      'ImageUpdateAutomation podinfo-dev',
    ]);
    expect(invalidObjects(objects)).toEqual([]);
    const now = at(0).toISOString();
    const condition = (message: string) => ({
      type: 'Ready',
      status: 'True',
      reason: 'Succeeded',
      message,
      observedGeneration: 1,
      lastTransitionTime: now,
    });

    expect(get('imagerepositories', 'podinfo').status).toEqual({
      canonicalImageName: 'ghcr.io/acme/podinfo',
      lastScanResult: {
        tagCount: 4,
        scanTime: now,
        latestTags: ['6.8.0', '6.7.1', '6.7.0', '6.6.0'],
      },
      observedExclusionList: ['^.*\\.sig$'],
      observedGeneration: 1,
      conditions: [condition('successful scan: found 4 tags')],
    });
    // 6.7.x: what dev runs, so the automation has nothing to write.
    expect(get('imagepolicies', 'podinfo-dev').status).toEqual({
      latestRef: { name: 'ghcr.io/acme/podinfo', tag: '6.7.1' },
      observedGeneration: 1,
      conditions: [
        condition(
          'Latest image tag for ghcr.io/acme/podinfo resolved to 6.7.1',
        ),
      ],
    });
    const automation = get('imageupdateautomations', 'podinfo-dev').status;
    expect(automation).toEqual({
      lastAutomationRunTime: now,
      observedSourceRevision: `main@sha1:${SHA}`,
      observedPolicies: {
        'podinfo-dev': { name: 'ghcr.io/acme/podinfo', tag: '6.7.1' },
      },
      observedGeneration: 1,
      conditions: [condition('repository up-to-date')],
    });
    expect(automation).not.toHaveProperty('lastPushCommit');
    expect(automation).not.toHaveProperty('lastPushTime');
  });

  it('scans and runs again each spec.interval, moving no transition time and sending no event in between', () => {
    reconcileImageAutomation(store, registry, at(0));
    const version = () =>
      IMAGE_KINDS.map(
        kind => store.list(kind)[0].metadata.resourceVersion as string,
      );
    const before = version();
    reconcileImageAutomation(store, registry, at(30));
    expect(version()).toEqual(before);

    reconcileImageAutomation(store, registry, at(60)); // the automation's 1m
    expect(
      get('imageupdateautomations', 'podinfo-dev').status.lastAutomationRunTime,
    ).toBe(at(60).toISOString());
    expect(
      get('imagerepositories', 'podinfo').status.lastScanResult.scanTime,
    ).toBe(at(0).toISOString());

    reconcileImageAutomation(store, registry, at(300)); // the repository's 5m
    const repository = get('imagerepositories', 'podinfo');
    expect(repository.status.lastScanResult.scanTime).toBe(
      at(300).toISOString(),
    );
    expect(ready(repository).lastTransitionTime).toBe(at(0).toISOString());
    expect(version()[1]).toBe(before[1]); // the policy picked the same tag
  });

  it('fails the policy and the repository as the controllers report it', () => {
    const policy = get('imagepolicies', 'podinfo-dev');
    policy.spec.policy.semver.range = '>=7.0.0';
    store.put('imagepolicies', policy);
    const repository = get('imagerepositories', 'podinfo');
    store.put('imagerepositories', {
      ...repository,
      metadata: { ...repository.metadata, name: 'missing' },
      spec: { ...repository.spec, image: 'ghcr.io/acme/missing' },
    });
    reconcileImageAutomation(store, registry, at(0));

    expect(ready(get('imagepolicies', 'podinfo-dev'))).toMatchObject({
      status: 'False',
      reason: 'ReconciliationFailed',
      message: 'unable to determine latest version from provided list',
    });
    expect(get('imagepolicies', 'podinfo-dev').status).not.toHaveProperty(
      'latestRef',
    );
    expect(ready(get('imagerepositories', 'missing'))).toMatchObject({
      status: 'False',
      reason: 'ReadOperationFailed',
    });
    expect(invalidObjects(IMAGE_KINDS.flatMap(k => store.list(k)))).toEqual([]);
  });

  it.each([
    [{ semver: { range: '6.7.x' } }, '6.7.1'],
    [{ semver: { range: '^6.7.0' } }, '6.8.0'],
    [{ semver: { range: '<6.7.0' } }, '6.6.0'],
    [{ alphabetical: { order: 'asc' } }, '6.8.0'],
    [{ alphabetical: { order: 'desc' } }, '6.6.0'],
  ])('picks with %j: %s', (choice, tag) => {
    const policy = { ...get('imagepolicies', 'podinfo-dev') };
    policy.spec = { ...policy.spec, policy: choice };
    expect(latestTag(policy, ['6.6.0', '6.7.0', '6.7.1', '6.8.0'])).toBe(tag);
  });
});
