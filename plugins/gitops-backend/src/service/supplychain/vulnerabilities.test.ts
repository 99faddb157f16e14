import { COSIGN_VULN_PREDICATE } from './predicates';
import { parseVulnerabilityScan, summarize } from './vulnerabilities';

/** A Trivy JSON report (schema 2) trimmed to two targets, as `trivy image -f json` writes it. */
const trivyReport = {
  SchemaVersion: 2,
  CreatedAt: '2026-11-30T09:12:44.112Z',
  ArtifactName: 'ghcr.io/acme/payments:1.4.2',
  ArtifactType: 'container_image',
  Metadata: {
    OS: { Family: 'debian', Name: '12.5' },
    ImageID: 'sha256:9c2b5e4a',
    RepoTags: ['ghcr.io/acme/payments:1.4.2'],
  },
  Results: [
    {
      Target: 'ghcr.io/acme/payments:1.4.2 (debian 12.5)',
      Class: 'os-pkgs',
      Type: 'debian',
      Vulnerabilities: [
        {
          VulnerabilityID: 'CVE-2024-2961',
          PkgID: 'libc6@2.36-9+deb12u4',
          PkgName: 'libc6',
          InstalledVersion: '2.36-9+deb12u4',
          FixedVersion: '2.36-9+deb12u7',
          Status: 'fixed',
          SeveritySource: 'nvd',
          PrimaryURL: 'https://avd.aquasec.com/nvd/cve-2024-2961',
          Title: 'glibc: Out of bounds write in iconv',
          Severity: 'HIGH',
        },
        {
          VulnerabilityID: 'CVE-2023-45853',
          PkgName: 'zlib1g',
          InstalledVersion: '1:1.2.13.dfsg-1',
          Status: 'will_not_fix',
          Severity: 'CRITICAL',
        },
        {
          VulnerabilityID: 'CVE-2011-3374',
          PkgName: 'apt',
          InstalledVersion: '2.6.1',
          Status: 'affected',
          Severity: 'LOW',
        },
      ],
    },
    {
      Target: 'Python',
      Class: 'lang-pkgs',
      Type: 'python-pkg',
      Vulnerabilities: [
        {
          VulnerabilityID: 'GHSA-9wx4-h78v-vm56',
          PkgName: 'requests',
          PkgPath:
            'usr/local/lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA',
          InstalledVersion: '2.31.0',
          FixedVersion: '2.32.0',
          Severity: 'MEDIUM',
        },
        {
          VulnerabilityID: 'CVE-2024-6345',
          PkgName: 'setuptools',
          InstalledVersion: '65.5.1',
          FixedVersion: '70.0.0',
          Severity: 'HIGH',
        },
      ],
    },
    { Target: 'app/poetry.lock', Class: 'lang-pkgs', Type: 'poetry' },
  ],
};

/** `cosign attest --type vuln` predicate around the Trivy report. */
const cosignVuln = {
  invocation: { parameters: null, uri: '', event_id: '', 'builder.id': '' },
  scanner: {
    uri: 'pkg:github/aquasecurity/trivy@v0.57.1',
    version: '0.57.1',
    db: { uri: '', version: '' },
    result: trivyReport,
  },
  metadata: {
    scanStartedOn: '2026-11-30T09:12:40Z',
    scanFinishedOn: '2026-11-30T09:12:44Z',
  },
};

/** Grype's JSON in the same predicate. */
const cosignGrype = {
  invocation: { parameters: null, uri: '', event_id: '', 'builder.id': '' },
  scanner: {
    uri: 'pkg:github/anchore/grype@v0.84.0',
    version: '0.84.0',
    result: {
      matches: [
        {
          vulnerability: {
            id: 'CVE-2023-0286',
            dataSource: 'https://security.alpinelinux.org/vuln/CVE-2023-0286',
            severity: 'High',
            fix: { versions: ['3.0.8-r0'], state: 'fixed' },
          },
          artifact: { name: 'openssl', version: '3.0.7-r0', type: 'apk' },
        },
        {
          vulnerability: {
            id: 'CVE-2023-5678',
            severity: 'Negligible',
            fix: { versions: [], state: 'not-fixed' },
          },
          artifact: { name: 'busybox', version: '1.36.1-r0', type: 'apk' },
        },
      ],
      descriptor: { name: 'grype', version: '0.84.0' },
    },
  },
  metadata: { scanStartedOn: '2026-11-29T10:00:00Z' },
};

/** `trivy image -f sarif` (trimmed): severity in the rule tags and in the message. */
const trivySarif = {
  version: '2.1.0',
  $schema:
    'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json',
  runs: [
    {
      tool: {
        driver: {
          fullName: 'Trivy Vulnerability Scanner',
          informationUri: 'https://github.com/aquasecurity/trivy',
          name: 'Trivy',
          version: '0.57.1',
          rules: [
            {
              id: 'CVE-2023-0286',
              name: 'OsPackageVulnerability',
              shortDescription: {
                text: 'openssl: X.400 address type confusion',
              },
              defaultConfiguration: { level: 'error' },
              properties: {
                precision: 'very-high',
                'security-severity': '7.4',
                tags: ['vulnerability', 'security', 'HIGH'],
              },
            },
            {
              id: 'CVE-2024-5535',
              name: 'OsPackageVulnerability',
              defaultConfiguration: { level: 'error' },
              properties: {
                'security-severity': '9.1',
                tags: ['vulnerability', 'security', 'CRITICAL'],
              },
            },
          ],
        },
      },
      results: [
        {
          ruleId: 'CVE-2023-0286',
          ruleIndex: 0,
          level: 'error',
          message: {
            text: 'Package: openssl\nInstalled Version: 3.0.7-r0\nVulnerability CVE-2023-0286\nSeverity: HIGH\nFixed Version: 3.0.8-r0\nLink: [CVE-2023-0286](https://avd.aquasec.com/nvd/cve-2023-0286)',
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: 'ghcr.io/acme/payments',
                  uriBaseId: 'ROOTPATH',
                },
              },
            },
          ],
        },
        {
          ruleId: 'CVE-2024-5535',
          ruleIndex: 1,
          level: 'error',
          message: {
            text: 'Package: libssl3\nInstalled Version: 3.0.7-r0\nVulnerability CVE-2024-5535\nSeverity: CRITICAL\nFixed Version: 3.0.14-r0\nLink: [CVE-2024-5535](https://avd.aquasec.com/nvd/cve-2024-5535)',
          },
        },
      ],
      columnKind: 'utf16CodeUnits',
    },
  ],
};

/** `grype -o sarif` (trimmed): CVSS in `security-severity`, rule ids suffixed with the package. */
const grypeSarif = {
  version: '2.1.0',
  runs: [
    {
      tool: {
        driver: {
          name: 'Grype',
          version: '0.84.0',
          informationUri: 'https://github.com/anchore/grype',
          rules: [
            {
              id: 'CVE-2023-0286-openssl',
              name: 'ApkMatcherExactDirectMatch',
              properties: { 'security-severity': '7.4' },
            },
            {
              id: 'CVE-2023-5678-busybox',
              name: 'ApkMatcherExactDirectMatch',
              properties: { 'security-severity': '2.1' },
            },
          ],
        },
      },
      invocations: [
        { executionSuccessful: true, endTimeUtc: '2026-11-28T08:00:00Z' },
      ],
      results: [
        {
          ruleId: 'CVE-2023-0286-openssl',
          level: 'error',
          message: {
            text: 'A high vulnerability in apk package: openssl, version 3.0.7-r0 was found in image alpine:3.17 at: /lib/apk/db/installed',
          },
        },
        {
          ruleId: 'CVE-2023-5678-busybox',
          level: 'note',
          message: {
            text: 'A low vulnerability in apk package: busybox, version 1.36.1-r0 was found in image alpine:3.17 at: /lib/apk/db/installed',
          },
        },
      ],
    },
  ],
};

describe('parseVulnerabilityScan', () => {
  it.each([
    [
      'cosign vuln predicate with a Trivy report',
      COSIGN_VULN_PREDICATE,
      cosignVuln,
      {
        counts: [1, 2, 1, 1, 0],
        scanner: 'trivy 0.57.1',
        scannedAt: '2026-11-30T09:12:44Z',
        topIds: [
          'CVE-2023-45853',
          'CVE-2024-2961',
          'CVE-2024-6345',
          'GHSA-9wx4-h78v-vm56',
          'CVE-2011-3374',
        ],
      },
    ],
    [
      'cosign vuln predicate with a Grype report',
      COSIGN_VULN_PREDICATE,
      cosignGrype,
      {
        counts: [0, 1, 0, 1, 0],
        scanner: 'grype 0.84.0',
        scannedAt: '2026-11-29T10:00:00Z',
        topIds: ['CVE-2023-0286', 'CVE-2023-5678'],
      },
    ],
    [
      'Trivy SARIF',
      'https://docs.oasis-open.org/sarif/sarif/2.1.0',
      trivySarif,
      {
        counts: [1, 1, 0, 0, 0],
        scanner: 'Trivy 0.57.1',
        scannedAt: null,
        topIds: ['CVE-2024-5535', 'CVE-2023-0286'],
      },
    ],
    [
      'Grype SARIF',
      'https://json.schemastore.org/sarif-2.1.0.json',
      grypeSarif,
      {
        counts: [0, 1, 0, 1, 0],
        scanner: 'Grype 0.84.0',
        scannedAt: '2026-11-28T08:00:00Z',
        topIds: ['CVE-2023-0286', 'CVE-2023-5678'],
      },
    ],
  ])('%s', (_name, predicateType, predicate, expected) => {
    const scan = parseVulnerabilityScan(
      predicateType,
      predicate,
      'attestation x',
    );
    expect(scan).not.toBeNull();
    expect([
      scan!.critical,
      scan!.high,
      scan!.medium,
      scan!.low,
      scan!.unknown,
    ]).toEqual(expected.counts);
    expect(scan!.scanner).toBe(expected.scanner);
    expect(scan!.scannedAt).toBe(expected.scannedAt);
    expect(scan!.top.map(t => t.id)).toEqual(expected.topIds);
    expect(scan!.source).toBe('attestation');
    expect(scan!.object).toBe('attestation x');
  });

  it('reads package, installed and fixed version of each finding', () => {
    const trivy = parseVulnerabilityScan(COSIGN_VULN_PREDICATE, cosignVuln)!;
    expect(trivy.top[1]).toEqual({
      id: 'CVE-2024-2961',
      package: 'libc6',
      severity: 'HIGH',
      installedVersion: '2.36-9+deb12u4',
      fixedVersion: '2.36-9+deb12u7',
    });
    expect(trivy.top[0].fixedVersion).toBeNull();
    const sarif = parseVulnerabilityScan(
      'https://docs.oasis-open.org/sarif/sarif/2.1.0',
      trivySarif,
    )!;
    expect(sarif.top[0]).toEqual({
      id: 'CVE-2024-5535',
      package: 'libssl3',
      severity: 'CRITICAL',
      installedVersion: '3.0.7-r0',
      fixedVersion: '3.0.14-r0',
    });
    const grype = parseVulnerabilityScan(
      'https://json.schemastore.org/sarif-2.1.0.json',
      grypeSarif,
    )!;
    expect(grype.top[0]).toMatchObject({
      id: 'CVE-2023-0286',
      package: 'openssl',
      installedVersion: '3.0.7-r0',
    });
  });

  it('is null for predicates without a scan result', () => {
    expect(parseVulnerabilityScan(COSIGN_VULN_PREDICATE, {})).toBeNull();
    expect(parseVulnerabilityScan(COSIGN_VULN_PREDICATE, null)).toBeNull();
    expect(
      parseVulnerabilityScan('https://docs.oasis-open.org/sarif/sarif/2.1.0', {
        version: '2.1.0',
      }),
    ).toBeNull();
  });
});

describe('summarize', () => {
  it('keeps ten findings, critical first, and counts a finding of several targets once', () => {
    const items = [
      ...Array.from({ length: 12 }, (_, i) => ({
        id: `CVE-2026-${1000 + i}`,
        package: `pkg${i}`,
        severity: 'MEDIUM' as const,
        fixedVersion: null,
      })),
      {
        id: 'CVE-2026-1',
        package: 'a',
        severity: 'CRITICAL' as const,
        fixedVersion: '2',
      },
      {
        id: 'CVE-2026-1',
        package: 'a',
        severity: 'CRITICAL' as const,
        fixedVersion: '2',
      },
    ];
    const summary = summarize(items, null, null, null);
    expect(summary.critical).toBe(1);
    expect(summary.medium).toBe(12);
    expect(summary.top).toHaveLength(10);
    expect(summary.top[0].id).toBe('CVE-2026-1');
    expect(summary.top[1].id).toBe('CVE-2026-1000');
  });
});
