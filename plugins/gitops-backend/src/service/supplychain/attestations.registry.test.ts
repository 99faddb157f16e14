import {
  attachLegacy,
  attachReferrer,
  attestImage,
  cosignVulnPredicate,
  GITHUB_HOSTED_BUILDER,
  ImageSigner,
  InMemoryOciRegistry,
  legacyAttestation,
  legacySignature,
  OciClient,
  SARIF_V2_1_0,
  sarifPredicate,
  signImage,
  SLSA_PROVENANCE_V1,
  slsaProvenance,
  SPDX_DOCUMENT,
  spdxSbom,
  tamperedBundle,
  trivyReport,
  COSIGN_VULN_V1,
} from 'supply-chain-testkit';
import {
  evidenceService,
  GITHUB,
  pushImage,
  SigningWorld,
  WORKFLOW,
} from './__testUtils__/signedImages';
import { TAMPERED } from './keySelection';

const COMMIT = '4f3a2c1d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49';
const SCANNED = new Date('2026-12-01T08:00:00Z');

describe('attestations in the registry', () => {
  let world: SigningWorld;
  let registry: InMemoryOciRegistry;
  let client: OciClient;
  let signer: ImageSigner;

  beforeAll(async () => {
    world = await SigningWorld.create();
    registry = await InMemoryOciRegistry.start();
    client = registry.client();
    signer = world.sigstore.keyless({ subject: WORKFLOW, issuer: GITHUB });
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    world?.remove();
  });

  async function attest(
    repository: string,
    digest: string,
    predicateType: string,
    predicate: unknown,
    options: { tamper?: boolean; about?: string } = {},
  ) {
    let bundle = await attestImage({
      sigstore: world.sigstore,
      repository: `${registry.host}/${repository}`,
      digest: options.about ?? digest,
      signer,
      predicateType,
      predicate,
    });
    if (options.tamper) bundle = tamperedBundle(bundle);
    await attachReferrer(client, { repository, subject: digest, bundle });
  }

  async function sign(repository: string, digest: string) {
    const bundle = await signImage({
      sigstore: world.sigstore,
      digest,
      signer,
    });
    await attachReferrer(client, { repository, subject: digest, bundle });
  }

  const vulnerabilities = [
    {
      VulnerabilityID: 'CVE-2024-6119',
      PkgName: 'libssl3',
      InstalledVersion: '3.1.4-r5',
      FixedVersion: '3.1.7-r0',
      Severity: 'HIGH' as const,
    },
    {
      VulnerabilityID: 'CVE-2024-5535',
      PkgName: 'libcrypto3',
      InstalledVersion: '3.1.4-r5',
      FixedVersion: '3.1.6-r0',
      Severity: 'CRITICAL' as const,
    },
    {
      VulnerabilityID: 'CVE-2024-4741',
      PkgName: 'libssl3',
      InstalledVersion: '3.1.4-r5',
      Severity: 'LOW' as const,
    },
  ];

  it('reads provenance, the newest scan and the SBOM from verified attestations, and ignores the rest', async () => {
    const repository = 'acme/payments';
    const digest = await pushImage(client, repository);
    const other = await pushImage(client, repository);
    const image = `${registry.host}/${repository}`;
    await sign(repository, digest);
    await attest(
      repository,
      digest,
      SLSA_PROVENANCE_V1,
      slsaProvenance({
        repository: 'https://github.com/mallory/payments',
        commit: COMMIT,
      }),
      { tamper: true },
    );
    await attest(
      repository,
      digest,
      SLSA_PROVENANCE_V1,
      slsaProvenance({
        repository: 'https://github.com/acme/payments',
        commit: COMMIT,
      }),
    );
    await attest(
      repository,
      digest,
      COSIGN_VULN_V1,
      cosignVulnPredicate({
        result: trivyReport({ image, digest, vulnerabilities }),
        finishedOn: SCANNED,
      }),
    );
    // An older scan without a time, in SARIF: the Trivy scan above is newer.
    await attest(
      repository,
      digest,
      SARIF_V2_1_0,
      sarifPredicate({ vulnerabilities: vulnerabilities.slice(2) }),
    );
    await attest(
      repository,
      digest,
      SPDX_DOCUMENT,
      spdxSbom({ image, digest }),
    );
    await attest(
      repository,
      digest,
      SPDX_DOCUMENT,
      spdxSbom({ image, digest }),
      {
        about: other,
      },
    );

    const evidence = await evidenceService(registry.host, world.config()).read(
      image,
      digest,
    );

    expect(evidence.signature).toMatchObject({
      state: 'verified',
      identity: WORKFLOW,
    });
    expect(evidence.provenance).toEqual({
      builder: GITHUB_HOSTED_BUILDER,
      sourceRepository: 'https://github.com/acme/payments',
      sourceRevision: COMMIT,
      predicateType: SLSA_PROVENANCE_V1,
    });
    expect(evidence.vulnerabilities).toMatchObject({
      critical: 1,
      high: 1,
      medium: 0,
      low: 1,
      source: 'attestation',
      scanner: 'trivy 0.50.1',
      scannedAt: SCANNED.toISOString(),
      top: [
        {
          id: 'CVE-2024-5535',
          package: 'libcrypto3',
          severity: 'CRITICAL',
          fixedVersion: '3.1.6-r0',
        },
        { id: 'CVE-2024-6119', severity: 'HIGH' },
        { id: 'CVE-2024-4741', severity: 'LOW', fixedVersion: null },
      ],
    });
    expect(evidence.sbom).toBe(true);
    expect(evidence.notes).toEqual([
      `attestation ${SLSA_PROVENANCE_V1} ignored: ${TAMPERED}`,
      `attestation ${SPDX_DOCUMENT} ignored: attestation is for ${other} not ${digest}`,
    ]);
  });

  it('reads legacy .att attestations next to a legacy .sig', async () => {
    const repository = 'acme/legacy';
    const digest = await pushImage(client, repository);
    const image = `${registry.host}/${repository}`;
    await attachLegacy(client, {
      repository,
      subjectDigest: digest,
      layers: [
        await legacySignature({
          sigstore: world.sigstore,
          repository: image,
          digest,
          signer: world.key,
        }),
      ],
    });
    await attachLegacy(client, {
      repository,
      subjectDigest: digest,
      kind: 'att',
      layers: [
        await legacyAttestation({
          sigstore: world.sigstore,
          repository: image,
          digest,
          signer: world.key,
          predicateType: SLSA_PROVENANCE_V1,
          predicate: slsaProvenance({
            repository: 'https://github.com/acme/legacy',
            commit: COMMIT,
          }),
        }),
      ],
    });

    const evidence = await evidenceService(registry.host, world.config()).read(
      image,
      digest,
    );

    expect(evidence.signature).toMatchObject({
      state: 'verified',
      identity: 'key:release',
      source: 'legacy',
    });
    expect(evidence.provenance).toMatchObject({
      sourceRepository: 'https://github.com/acme/legacy',
      sourceRevision: COMMIT,
    });
    expect(evidence.sbom).toBe(false);
    expect(evidence.vulnerabilities).toBeNull();
  });

  it('reads signatures first and says what the budget left unread', async () => {
    const repository = 'acme/budget';
    const digest = await pushImage(client, repository);
    const image = `${registry.host}/${repository}`;
    await attest(
      repository,
      digest,
      SPDX_DOCUMENT,
      spdxSbom({ image, digest }),
    );
    await attest(
      repository,
      digest,
      SLSA_PROVENANCE_V1,
      slsaProvenance({ repository: 'https://github.com/acme/budget' }),
    );
    await attest(
      repository,
      digest,
      COSIGN_VULN_V1,
      cosignVulnPredicate({
        result: trivyReport({ image, digest, vulnerabilities }),
      }),
    );
    await sign(repository, digest);

    const evidence = await evidenceService(
      registry.host,
      world.config({ maxArtifacts: 2 }),
    ).read(image, digest);

    expect(evidence.signature.state).toBe('verified');
    expect(evidence.provenance).not.toBeNull();
    expect(evidence.vulnerabilities).toBeNull();
    expect(evidence.sbom).toBe(false);
    expect(evidence.notes).toEqual([
      '2 signature or attestation artifacts were not read: more than the 2 artifacts read per digest',
    ]);
  });
});
