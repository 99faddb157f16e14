import { SignatureEvidence } from '@gitops-backstage/plugin-gitops-common';
import {
  attachLegacy,
  attachReferrer,
  ImageSigner,
  InMemoryOciRegistry,
  legacySignature,
  OciClient,
  signImage,
  tamperedBundle,
  tamperedLegacyLayer,
} from 'supply-chain-testkit';
import { LocalRegistry } from '../../__testUtils__/localRegistry';
import {
  evidenceService,
  GITHUB,
  OTHER_WORKFLOW,
  pushImage,
  RELEASE_POLICY,
  SigningWorld,
  WORKFLOW,
} from './__testUtils__/signedImages';
import { TAMPERED } from './keySelection';
import { DigestEvidenceService } from './DigestEvidenceService';
import { AllowedIdentity, signatureUnderPolicy } from './identityPolicy';

/** One registry under test and how it lists bundles. */
interface Flavor {
  host: string;
  client: OciClient;
  /** Where bundles are found: the referrers API, or the tag schema's index. */
  source: 'referrers' | 'tag';
  stop(): Promise<void>;
}

interface Case {
  name: string;
  /** Pushes an image, signs it (or not) and returns its digest and the digest it expects. */
  arrange(
    world: SigningWorld,
    flavor: Flavor,
    repository: string,
  ): Promise<{ digest: string; other?: string }>;
  policy?: AllowedIdentity[];
  expected(digest: string, other?: string): Partial<SignatureEvidence>;
}

const keyless = (world: SigningWorld, subject = WORKFLOW): ImageSigner =>
  world.sigstore.keyless({ subject, issuer: GITHUB });

/** Signs `signed` (default: the image) with a bundle and attaches it to the image. */
async function bundleCase(
  world: SigningWorld,
  flavor: Flavor,
  repository: string,
  signer: ImageSigner | null,
  options: { otherDigest?: boolean; tamper?: boolean } = {},
) {
  const digest = await pushImage(flavor.client, repository);
  const other = options.otherDigest
    ? await pushImage(flavor.client, repository)
    : undefined;
  if (signer) {
    let bundle = await signImage({
      sigstore: world.sigstore,
      digest: other ?? digest,
      signer,
    });
    if (options.tamper) bundle = tamperedBundle(bundle);
    await attachReferrer(flavor.client, {
      repository,
      subject: digest,
      bundle,
    });
  }
  return { digest, other };
}

async function legacyCase(
  world: SigningWorld,
  flavor: Flavor,
  repository: string,
  signer: ImageSigner,
  options: { otherDigest?: boolean; tamper?: boolean } = {},
) {
  const digest = await pushImage(flavor.client, repository);
  const other = options.otherDigest
    ? await pushImage(flavor.client, repository)
    : undefined;
  let layer = await legacySignature({
    sigstore: world.sigstore,
    repository: `${flavor.host}/${repository}`,
    digest: other ?? digest,
    signer,
  });
  if (options.tamper) layer = tamperedLegacyLayer(layer);
  await attachLegacy(flavor.client, {
    repository,
    subjectDigest: digest,
    layers: [layer],
  });
  return { digest, other };
}

const BUNDLE_CASES = (source: 'referrers' | 'tag'): Case[] => [
  {
    name: 'keyed, verified',
    arrange: (w, f, r) => bundleCase(w, f, r, w.key),
    expected: () => ({
      state: 'verified',
      identity: 'key:release',
      issuer: null,
      reason: null,
      source,
    }),
  },
  {
    name: 'keyless with the custom trusted root, verified',
    arrange: (w, f, r) => bundleCase(w, f, r, keyless(w)),
    policy: RELEASE_POLICY,
    expected: () => ({
      state: 'verified',
      identity: WORKFLOW,
      issuer: GITHUB,
      reason: null,
      source,
    }),
  },
  {
    name: 'unsigned',
    arrange: (w, f, r) => bundleCase(w, f, r, null),
    expected: () => ({
      state: 'unsigned',
      identity: null,
      reason: 'no signature found in the registry',
    }),
  },
  {
    name: 'a signature of another digest',
    arrange: (w, f, r) =>
      bundleCase(w, f, r, keyless(w), { otherDigest: true }),
    expected: (digest, other) => ({
      state: 'invalid',
      reason: `signature is for ${other} not ${digest}`,
      source,
    }),
  },
  {
    name: 'a wrong identity',
    arrange: (w, f, r) => bundleCase(w, f, r, keyless(w, OTHER_WORKFLOW)),
    policy: RELEASE_POLICY,
    expected: () => ({
      state: 'invalid',
      identity: OTHER_WORKFLOW,
      reason: `identity not allowed: signed by ${OTHER_WORKFLOW} (${GITHUB}), expected ${RELEASE_POLICY[0].subject.replace(
        '{service}',
        'payments',
      )} (${GITHUB})`,
    }),
  },
  {
    name: 'a tampered payload',
    arrange: (w, f, r) => bundleCase(w, f, r, keyless(w), { tamper: true }),
    expected: () => ({ state: 'invalid', reason: TAMPERED, source }),
  },
  {
    name: 'a certificate of an untrusted authority',
    arrange: (w, f, r) =>
      bundleCase(
        w,
        f,
        r,
        w.stranger.keyless({ subject: WORKFLOW, issuer: GITHUB }),
      ),
    expected: () => ({
      state: 'invalid',
      reason:
        'the certificate is not issued by a trusted authority (Failed to verify certificate chain: no valid certificate path found)',
    }),
  },
];

const LEGACY_CASES: Case[] = [
  {
    name: 'legacy .sig, keyed, verified',
    arrange: (w, f, r) => legacyCase(w, f, r, w.key),
    expected: () => ({
      state: 'verified',
      identity: 'key:release',
      source: 'legacy',
    }),
  },
  {
    name: 'legacy .sig, keyless, verified',
    arrange: (w, f, r) => legacyCase(w, f, r, keyless(w)),
    policy: RELEASE_POLICY,
    expected: () => ({
      state: 'verified',
      identity: WORKFLOW,
      issuer: GITHUB,
      source: 'legacy',
    }),
  },
  {
    name: 'legacy .sig of another digest',
    arrange: (w, f, r) =>
      legacyCase(w, f, r, keyless(w), { otherDigest: true }),
    expected: (digest, other) => ({
      state: 'invalid',
      reason: `signature is for ${other} not ${digest}`,
      source: 'legacy',
    }),
  },
  {
    name: 'legacy .sig, a wrong identity',
    arrange: (w, f, r) => legacyCase(w, f, r, keyless(w, OTHER_WORKFLOW)),
    policy: RELEASE_POLICY,
    expected: () => ({ state: 'invalid', identity: OTHER_WORKFLOW }),
  },
  {
    name: 'legacy .sig, a tampered payload',
    arrange: (w, f, r) => legacyCase(w, f, r, keyless(w), { tamper: true }),
    expected: () => ({ state: 'invalid', reason: TAMPERED, source: 'legacy' }),
  },
];

async function inMemoryRegistry(): Promise<Flavor> {
  const registry = await InMemoryOciRegistry.start();
  return {
    host: registry.host,
    client: registry.client(),
    source: 'referrers',
    stop: () => registry.stop(),
  };
}

async function dockerRegistry(): Promise<Flavor> {
  const registry = await LocalRegistry.start();
  return {
    host: registry.host,
    client: new OciClient(registry.url),
    source: 'tag',
    stop: () => registry.stop(),
  };
}

describe.each([
  [
    'the OCI 1.1 referrers API (in-memory registry)',
    inMemoryRegistry,
    BUNDLE_CASES('referrers'),
  ],
  [
    'the referrers tag schema and legacy .sig (docker-registry)',
    dockerRegistry,
    [...BUNDLE_CASES('tag'), ...LEGACY_CASES],
  ],
])('%s', (_name, start, cases) => {
  let world: SigningWorld;
  let flavor: Flavor;
  let service: DigestEvidenceService;

  beforeAll(async () => {
    world = await SigningWorld.create();
    flavor = await start();
    service = evidenceService(flavor.host, world.config());
  }, 60_000);
  afterAll(async () => {
    await flavor?.stop();
    world?.remove();
  });

  it.each(cases.map(c => [c.name, c] as const))(
    '%s',
    async (_caseName, testCase) => {
      const repository = `acme/${testCase.name.replace(/[^a-z]+/g, '-')}`;
      const { digest, other } = await testCase.arrange(
        world,
        flavor,
        repository,
      );
      const evidence = await service.read(
        `${flavor.host}/${repository}`,
        digest,
      );
      const signature = signatureUnderPolicy(evidence, testCase.policy, {
        service: 'payments',
      });
      expect(signature).toMatchObject(testCase.expected(digest, other));
    },
  );
});
