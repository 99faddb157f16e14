/**
 * Predicates of the attestations CI attaches to images, in the shapes the tools emit them
 * (trimmed to the fields a verifier reads, plus the ones that make them recognisable).
 */

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const COSIGN_VULN_V1 = 'https://cosign.sigstore.dev/attestation/vuln/v1';
/** SARIF has no cosign type: attestations name the OASIS spec URI (e.g. Scribe's `valint`). */
export const SARIF_V2_1_0 = 'http://docs.oasis-open.org/sarif/sarif/2.1.0';
export const SPDX_DOCUMENT = 'https://spdx.dev/Document';

/** GitHub's hosted runner, as the SLSA GitHub generator names the builder. */
export const GITHUB_HOSTED_BUILDER =
  'https://github.com/actions/runner/github-hosted';

/** One finding of a scan, as Trivy reports it. */
export interface TrivyVulnerability {
  VulnerabilityID: string;
  PkgName: string;
  InstalledVersion: string;
  FixedVersion?: string;
  Severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';
  Title?: string;
}

/**
 * SLSA provenance v1 as GitHub's `actions/attest-build-provenance` writes it: the workflow
 * (repository, path, ref) in `externalParameters`, the source commit in `resolvedDependencies`.
 */
export function slsaProvenance(options: {
  /** e.g. `https://github.com/acme/guestbook` */
  repository: string;
  commit?: string;
  workflowPath?: string;
  ref?: string;
  builderId?: string;
  invocationId?: string;
  startedOn?: Date;
  finishedOn?: Date;
}) {
  const ref = options.ref ?? 'refs/heads/main';
  return {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: {
        workflow: {
          ref,
          repository: options.repository,
          path: options.workflowPath ?? '.github/workflows/release.yml',
        },
      },
      internalParameters: {
        github: { event_name: 'push', runner_environment: 'github-hosted' },
      },
      resolvedDependencies: [
        {
          uri: `git+${options.repository}@${ref}`,
          ...(options.commit ? { digest: { gitCommit: options.commit } } : {}),
        },
      ],
    },
    runDetails: {
      builder: { id: options.builderId ?? GITHUB_HOSTED_BUILDER },
      metadata: {
        invocationId:
          options.invocationId ??
          `${options.repository}/actions/runs/1/attempts/1`,
        ...(options.startedOn
          ? { startedOn: options.startedOn.toISOString() }
          : {}),
        ...(options.finishedOn
          ? { finishedOn: options.finishedOn.toISOString() }
          : {}),
      },
    },
  };
}

/**
 * A Trivy JSON report (`trivy image --format json`, schema 2) of one image: one result per
 * scanned target with its vulnerabilities (`null` when Trivy found none, as Trivy writes it).
 */
export function trivyReport(options: {
  image: string;
  digest: string;
  vulnerabilities: TrivyVulnerability[];
  createdAt?: Date;
}) {
  return {
    SchemaVersion: 2,
    CreatedAt: (options.createdAt ?? new Date()).toISOString(),
    ArtifactName: `${options.image}@${options.digest}`,
    ArtifactType: 'container_image',
    Metadata: {
      OS: { Family: 'alpine', Name: '3.19.1' },
      RepoDigests: [`${options.image}@${options.digest}`],
    },
    Results: [
      {
        Target: `${options.image}@${options.digest} (alpine 3.19.1)`,
        Class: 'os-pkgs',
        Type: 'alpine',
        Vulnerabilities:
          options.vulnerabilities.length > 0
            ? options.vulnerabilities.map(v => ({
                ...v,
                PrimaryURL: `https://avd.aquasec.com/nvd/${v.VulnerabilityID.toLowerCase()}`,
              }))
            : null,
      },
    ],
  };
}

/**
 * cosign's vuln predicate (`cosign attest --type vuln`): the scanner with its raw result (here a
 * Trivy JSON report) and when the scan ran.
 */
export function cosignVulnPredicate(options: {
  result: unknown;
  scannerUri?: string;
  scannerVersion?: string;
  startedOn?: Date;
  finishedOn?: Date;
}) {
  const finished = options.finishedOn ?? new Date();
  const started = options.startedOn ?? new Date(finished.getTime() - 30 * 1000);
  return {
    invocation: { parameters: null, uri: '', event_id: '', 'builder.id': '' },
    scanner: {
      uri: options.scannerUri ?? 'pkg:github/aquasecurity/trivy@0.50.1',
      version: options.scannerVersion ?? '0.50.1',
      db: { uri: '', version: '' },
      result: options.result,
    },
    metadata: {
      scanStartedOn: started.toISOString(),
      scanFinishedOn: finished.toISOString(),
    },
  };
}

/** A minimal SARIF 2.1.0 log of one scanner run: one result per finding, `level` by severity. */
export function sarifPredicate(options: {
  vulnerabilities: TrivyVulnerability[];
  toolName?: string;
  toolVersion?: string;
}) {
  const level = (severity: TrivyVulnerability['Severity']) => {
    if (severity === 'CRITICAL' || severity === 'HIGH') return 'error';
    if (severity === 'MEDIUM') return 'warning';
    return 'note';
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: options.toolName ?? 'Trivy',
            version: options.toolVersion ?? '0.50.1',
            informationUri: 'https://github.com/aquasecurity/trivy',
            rules: options.vulnerabilities.map(v => ({
              id: v.VulnerabilityID,
              shortDescription: { text: v.Title ?? v.VulnerabilityID },
              properties: { 'security-severity': severityScore(v.Severity) },
            })),
          },
        },
        results: options.vulnerabilities.map(v => ({
          ruleId: v.VulnerabilityID,
          level: level(v.Severity),
          message: {
            text: `Package: ${v.PkgName}\nInstalled Version: ${
              v.InstalledVersion
            }\nSeverity: ${v.Severity}\nFixed Version: ${v.FixedVersion ?? ''}`,
          },
        })),
      },
    ],
  };
}

/** An SPDX 2.3 document (`syft -o spdx-json`), with the image as its one described package. */
export function spdxSbom(options: {
  image: string;
  digest: string;
  packages?: Array<{ name: string; version: string }>;
  createdAt?: Date;
}) {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: options.image,
    documentNamespace: `https://anchore.com/syft/image/${options.image.replace(
      /[/:]/g,
      '-',
    )}-${options.digest.slice(7, 19)}`,
    creationInfo: {
      created: (options.createdAt ?? new Date()).toISOString(),
      creators: ['Tool: syft-1.0.0'],
    },
    packages: [
      {
        name: options.image,
        SPDXID: 'SPDXRef-image',
        versionInfo: options.digest,
        downloadLocation: 'NOASSERTION',
      },
      ...(options.packages ?? []).map((p, i) => ({
        name: p.name,
        SPDXID: `SPDXRef-Package-${i}`,
        versionInfo: p.version,
        downloadLocation: 'NOASSERTION',
      })),
    ],
  };
}

function severityScore(severity: TrivyVulnerability['Severity']): string {
  const scores: Record<TrivyVulnerability['Severity'], string> = {
    CRITICAL: '9.5',
    HIGH: '8.0',
    MEDIUM: '5.5',
    LOW: '2.0',
    UNKNOWN: '0.0',
  };
  return scores[severity];
}
