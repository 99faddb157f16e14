import { minutesAgo } from './__fixtures__/clusterObjects';
import {
  FINDINGS,
  RULES,
  SIDECAR_IMAGE,
  buildNamespacePolicyReport,
  buildPolicyReport,
  buildVulnerabilityReport,
  manyHighFindings,
  serviceResources,
} from './__fixtures__/securityReportObjects';
import { KubeObject } from './kinds';
import {
  PolicyResource,
  policyEvidenceOf,
  reportScans,
  vulnerabilityEvidenceOf,
} from './securityEvidence';
import { slimObject } from './slimObject';

const GUESTBOOK = 'ghcr.io/acme/guestbook';

const guestbook = (
  tag: string,
  findings = [FINDINGS.xNetContinuation],
  minutes = 90,
) =>
  buildVulnerabilityReport({
    service: 'guestbook',
    env: 'dev',
    tag,
    findings,
    scannedMinutesAgo: minutes,
  });
const sidecar = buildVulnerabilityReport({
  service: 'guestbook',
  env: 'dev',
  tag: 'v1.0.5',
  container: 'envoy',
  image: SIDECAR_IMAGE,
  findings: manyHighFindings(12),
});
const podinfo = buildVulnerabilityReport({
  service: 'podinfo',
  env: 'prod',
  tag: '6.7.1',
  findings: [
    FINDINGS.libssl,
    FINDINGS.xNetContinuation,
    FINDINGS.xCryptoSsh,
    FINDINGS.stdlibNetHttp,
    FINDINGS.busyboxUnfixed,
  ],
});

/** The same reports as the watch cache keeps them. */
const slim = (reports: KubeObject[]) =>
  reports.map(r =>
    slimObject(
      r.kind === 'PolicyReport' ? 'policyreports' : 'vulnerabilityreports',
      structuredClone(r),
    ),
  );

describe('vulnerabilityEvidenceOf', () => {
  const cases: Array<
    [string, KubeObject[], string | undefined, Record<string, any> | null]
  > = [
    [
      "one container's report: its counts and top findings",
      [guestbook('v1.0.5')],
      `${GUESTBOOK}:v1.0.5`,
      {
        critical: 0,
        high: 1,
        medium: 0,
        low: 0,
        unknown: 0,
        source: 'VulnerabilityReport',
        scanner: 'Trivy 0.58.1',
        scannedAt: minutesAgo(90),
        top: [
          {
            id: 'CVE-2023-45288',
            package: 'golang.org/x/net',
            severity: 'HIGH',
            installedVersion: 'v0.17.0',
            fixedVersion: '0.23.0',
          },
        ],
        object: `VulnerabilityReport guestbook-dev/${
          guestbook('v1.0.5').metadata.name
        }`,
      },
    ],
    [
      'critical before high, by score; an unfixed one without a fixed version',
      [podinfo],
      'ghcr.io/acme/podinfo:6.7.1',
      {
        critical: 2,
        high: 1,
        medium: 1,
        low: 1,
        top: [
          expect.objectContaining({
            id: 'CVE-2023-42366',
            package: 'busybox',
            severity: 'CRITICAL',
            fixedVersion: null,
          }),
          expect.objectContaining({
            id: 'CVE-2024-45337',
            severity: 'CRITICAL',
            fixedVersion: '0.31.0',
          }),
          expect.objectContaining({ id: 'CVE-2023-45288', severity: 'HIGH' }),
        ],
      },
    ],
    [
      "the version's image only: a sidecar's report is left out",
      [guestbook('v1.0.5'), sidecar],
      `${GUESTBOOK}:v1.0.5`,
      { high: 1, top: [expect.objectContaining({ id: 'CVE-2023-45288' })] },
    ],
    [
      'every container without an image: summed, ten findings at most',
      [guestbook('v1.0.5'), sidecar],
      undefined,
      {
        high: 13,
        top: expect.arrayContaining([
          expect.objectContaining({ id: 'CVE-2023-45288' }),
        ]),
      },
    ],
    [
      "during a rollout, the new ReplicaSet's report, not the old one's",
      [guestbook('v1.0.4', [FINDINGS.libssl]), guestbook('v1.0.5')],
      `${GUESTBOOK}:v1.0.5`,
      { high: 1, low: 0 },
    ],
    [
      'an image scanned twice (two ReplicaSets) counts once, from the newest scan',
      [
        guestbook('v1.0.5', [FINDINGS.xNetContinuation], 300),
        {
          ...guestbook('v1.0.5', [], 10),
          metadata: {
            ...guestbook('v1.0.5').metadata,
            name: 'replicaset-guestbook-5d9f8b7c6d-guestbook',
          },
        },
      ],
      `${GUESTBOOK}:v1.0.5`,
      { high: 0, top: [], scannedAt: minutesAgo(10) },
    ],
    [
      'no report of the version the workload runs yet',
      [guestbook('v1.0.4')],
      `${GUESTBOOK}:v1.0.5`,
      null,
    ],
    ['no report at all', [], `${GUESTBOOK}:v1.0.5`, null],
  ];

  it.each(
    cases.flatMap(c => [
      c,
      [`${c[0]} (slim copies)`, slim(c[1]), c[2], c[3]] as typeof c,
    ]),
  )('%s', (_name, reports, image, expected) => {
    const evidence = vulnerabilityEvidenceOf(reports, { image });
    // A null expected: no evidence; otherwise these fields.
    expect({ evidence }).toMatchObject({ evidence: expected });
  });

  it('lists at most ten findings, critical first', () => {
    const evidence = vulnerabilityEvidenceOf(
      [
        buildVulnerabilityReport({
          service: 'guestbook',
          env: 'dev',
          tag: 'v1.0.5',
          findings: [...manyHighFindings(11), FINDINGS.xCryptoSsh],
        }),
      ],
      { image: `${GUESTBOOK}:v1.0.5` },
    );
    expect(evidence).toMatchObject({ critical: 1, high: 11 });
    expect(evidence!.top).toHaveLength(10);
    expect(evidence!.top[0].id).toBe('CVE-2024-45337');
  });

  it.each([
    ['the same tag', `${GUESTBOOK}:v1.0.5`, true],
    ['another tag', `${GUESTBOOK}:v1.0.6`, false],
    ['another repository', 'ghcr.io/acme/podinfo:v1.0.5', false],
    [
      'the scanned digest',
      `${GUESTBOOK}@${guestbook('v1.0.5').report.artifact.digest}`,
      true,
    ],
    [
      'the tag at another digest',
      `${GUESTBOOK}:v1.0.5@sha256:${'0'.repeat(64)}`,
      false,
    ],
  ])('matches a report to an image reference: %s', (_name, ref, expected) => {
    expect(reportScans(guestbook('v1.0.5'), ref)).toBe(expected);
  });

  it("reads Docker Hub's server and library repositories as one image", () => {
    const nginx = guestbook('v1.0.5');
    nginx.report.registry = { server: 'index.docker.io' };
    nginx.report.artifact = { repository: 'library/nginx', tag: '1.27' };
    expect(reportScans(nginx, 'nginx:1.27')).toBe(true);
    expect(reportScans(nginx, 'docker.io/library/nginx:1.27')).toBe(true);
  });
});

describe('policyEvidenceOf', () => {
  const image = `${GUESTBOOK}:v1.0.5`;
  const pod = 'guestbook-fd4596b9d-x2x7k';
  const dev = serviceResources({
    service: 'guestbook',
    env: 'dev',
    tag: 'v1.0.5',
    pod,
  });
  const workload: PolicyResource[] = [dev.deployment, dev.replicaSet, dev.pod];
  const deploymentReport = (
    results = [
      RULES.runAsNonRoot('controller', 'pass'),
      RULES.latestTag('controller', 'pass'),
      RULES.verifySignature('controller', image, 'pass'),
    ],
  ) => buildPolicyReport({ resource: dev.deployment, results });

  const cases: Array<[string, KubeObject[], Record<string, any> | null]> = [
    [
      "a Deployment's report, every rule passed",
      [deploymentReport()],
      { passed: 3, failed: 0, warned: 0, source: 'PolicyReport', failures: [] },
    ],
    [
      'a rule failed on a Pod and passed on its Deployment counts once, as failed',
      [
        deploymentReport(),
        buildPolicyReport({
          resource: dev.pod,
          results: [
            RULES.runAsNonRoot('Pod', 'fail'),
            RULES.latestTag('Pod', 'pass'),
            RULES.verifySignature('Pod', image, 'pass'),
          ],
        }),
      ],
      {
        passed: 2,
        failed: 1,
        warned: 0,
        failures: [
          {
            policy: 'require-run-as-nonroot',
            rule: 'run-as-non-root',
            message: expect.stringMatching(
              /^validation error: Running as root/,
            ),
            resource: `Pod guestbook-dev/${pod}`,
          },
        ],
      },
    ],
    [
      "verifyImages' failure on the Deployment, an error (registry down) counted as warned",
      [
        deploymentReport([
          RULES.runAsNonRoot('controller', 'pass'),
          RULES.verifySignature('controller', image, 'fail'),
          { ...RULES.latestTag('controller', 'fail'), result: 'error' },
          {
            ...RULES.latestTag('controller', 'pass'),
            rule: 'autogen-require-image-tag',
            result: 'skip',
          },
        ]),
      ],
      {
        passed: 1,
        failed: 1,
        warned: 1,
        failures: [
          {
            policy: 'verify-image-signature',
            rule: 'autogen-verify-signature',
            message: `failed to verify image ${image}: .attestors[0].entries[0].keyless: no matching signatures`,
            resource: 'Deployment guestbook-dev/guestbook',
          },
        ],
      },
    ],
    [
      "a namespace's report: only the results about the workload's objects",
      [
        buildNamespacePolicyReport({
          namespace: 'guestbook-dev',
          results: [
            {
              resource: dev.replicaSet,
              result: RULES.runAsNonRoot('controller', 'fail'),
            },
            {
              resource: { ...dev.deployment, name: 'guestbook-redis' },
              result: RULES.latestTag('controller', 'fail'),
            },
          ],
        }),
      ],
      {
        passed: 0,
        failed: 1,
        failures: [
          expect.objectContaining({
            resource: `ReplicaSet guestbook-dev/${dev.replicaSet.name}`,
          }),
        ],
      },
    ],
    ['no report', [], null],
  ];

  it.each(
    cases.flatMap(c => [
      c,
      [`${c[0]} (slim copies)`, slim(c[1]), c[2]] as typeof c,
    ]),
  )('%s', (_name, reports, expected) => {
    const evidence = policyEvidenceOf(reports, { resources: workload });
    // A null expected: no evidence; otherwise these fields.
    expect({ evidence }).toMatchObject({ evidence: expected });
  });
});
