import path from 'node:path';
import {
  attestImage,
  bundleReferrerManifest,
  COSIGN_VULN_V1,
  cosignVulnPredicate,
  Descriptor,
  ImageSigner,
  LocalSigstore,
  OCI_MANIFEST,
  OciStore,
  signImage,
  SLSA_PROVENANCE_V1,
  slsaProvenance,
  SPDX_DOCUMENT,
  spdxSbom,
  trivyReport,
} from 'supply-chain-testkit';
import type { DemoImage, DemoRegistry, DemoSigner } from '../DemoRegistry';

/** Where the demo's local Sigstore keeps what a verifier needs to trust its signatures. */
export interface DemoSupplyChainFiles {
  /** The folder (`<root>/.cache/demo-cluster/supply-chain` for `yarn start`). */
  dir: string;
  /** `<dir>/trusted_root.json`: the local CA, transparency log and CT log. */
  trustedRoot: string;
  /** `<dir>/keys/<name>.pub` of each signing key the seeds name, by name. */
  keys: Record<string, string>;
}

/**
 * The supply-chain folder of a demo following `repositoryUrl`: beside the GitOps repository's
 * clone, so `yarn start` (which clones into `<root>/.cache/gitops-example-repo`) gets
 * `<root>/.cache/demo-cluster/supply-chain`.
 */
export function defaultSupplyChainDir(repositoryUrl: string): string {
  return path.resolve(repositoryUrl, '..', 'demo-cluster', 'supply-chain');
}

/**
 * DEMO ONLY. Signs the demo's images as their CI would: every tag of an image with a signer
 * (`signedBy`), except its `unsigned` tags, gets a cosign signature bundle and three attestations
 * (a Trivy scan as cosign's vuln predicate with the tag's `vulnerabilities`, SLSA provenance
 * from the image's source and the tag's revision, an SPDX SBOM), as OCI 1.1 referrers of the
 * tag's digest. The local Sigstore persists in `dir`, so the trusted root and keys stay the same
 * across restarts; the registry then serves the signatures (`DemoRegistry.serveSupplyChain`).
 */
export async function signDemoImages(
  registry: DemoRegistry,
  dir: string,
): Promise<DemoSupplyChainFiles> {
  const sigstore = await LocalSigstore.open(dir);
  const store = new OciStore();
  const keys: Record<string, string> = {};
  const createdAt = new Date();
  for (const image of registry.list()) {
    if (!image.signedBy) continue;
    const signer = signerOf(sigstore, image.signedBy);
    if ('key' in image.signedBy) {
      keys[image.signedBy.key] = sigstore.publicKeyPath(image.signedBy.key)!;
    }
    const repository = image.image.split('/').slice(1).join('/');
    for (const tag of image.tags) {
      if (image.unsigned?.includes(tag)) continue;
      const subject: Descriptor = {
        mediaType: OCI_MANIFEST,
        digest: registry.digestOf(image, tag),
        size: Buffer.byteLength(registry.manifestOf(image, tag)),
      };
      const bundles = await Promise.all([
        signImage({ sigstore, digest: subject.digest, signer }),
        ...attestations(image, tag, subject.digest, createdAt).map(a =>
          attestImage({
            sigstore,
            repository: image.image,
            digest: subject.digest,
            signer,
            ...a,
          }),
        ),
      ]);
      for (const bundle of bundles) {
        const built = bundleReferrerManifest(subject, bundle, createdAt);
        for (const blob of built.blobs) store.putBlob(blob);
        store.putManifest(repository, built.descriptor.digest, built.bytes);
      }
    }
  }
  registry.serveSupplyChain(store);
  return { dir, trustedRoot: sigstore.trustedRootPath!, keys };
}

function signerOf(sigstore: LocalSigstore, signer: DemoSigner): ImageSigner {
  return 'key' in signer
    ? sigstore.keyPairSigner(signer.key)
    : sigstore.keyless({ subject: signer.subject, issuer: signer.issuer });
}

/** The predicates CI attests for a tag: its scan, its provenance, its SBOM. */
function attestations(
  image: DemoImage,
  tag: string,
  digest: string,
  createdAt: Date,
): Array<{ predicateType: string; predicate: unknown }> {
  const vulnerabilities = (image.vulnerabilities?.[tag] ?? []).map(v => ({
    VulnerabilityID: v.id,
    PkgName: v.package,
    InstalledVersion: v.installedVersion,
    ...(v.fixedVersion ? { FixedVersion: v.fixedVersion } : {}),
    Severity: v.severity,
    ...(v.title ? { Title: v.title } : {}),
  }));
  // Without a seeded source, the repository the image's name implies (ghcr.io/<owner>/<name>).
  const source =
    image.source ??
    `https://github.com/${image.image.split('/').slice(1).join('/')}`;
  return [
    {
      predicateType: COSIGN_VULN_V1,
      predicate: cosignVulnPredicate({
        result: trivyReport({
          image: image.image,
          digest,
          vulnerabilities,
          createdAt,
        }),
        finishedOn: createdAt,
      }),
    },
    {
      predicateType: SLSA_PROVENANCE_V1,
      predicate: slsaProvenance({
        repository: source,
        commit: image.revisions?.[tag],
      }),
    },
    {
      predicateType: SPDX_DOCUMENT,
      predicate: spdxSbom({
        image: image.image,
        digest,
        packages: vulnerabilities.map(v => ({
          name: v.PkgName,
          version: v.InstalledVersion,
        })),
        createdAt,
      }),
    },
  ];
}
