import { crdValidator } from 'supply-chain-testkit';
import {
  FINDINGS,
  RULES,
  SIDECAR_IMAGE,
  buildNamespacePolicyReport,
  buildPolicyReport,
  buildVulnerabilityReport,
  manyHighFindings,
  serviceResources,
} from './securityReportObjects';

const vulnerabilityReport = crdValidator(
  'vulnerabilityreports.aquasecurity.github.io.yaml',
);
const policyReport = crdValidator('policyreports.wgpolicyk8s.io.yaml');

const dev = serviceResources({
  service: 'guestbook',
  env: 'dev',
  tag: 'v1.0.5',
  pod: 'guestbook-6d8f4c9b7d-x2x7k',
});
const image = 'ghcr.io/acme/guestbook:v1.0.5';

const vulnerabilityReports = [
  buildVulnerabilityReport({
    service: 'guestbook',
    env: 'dev',
    tag: 'v1.0.5',
    findings: [FINDINGS.xNetContinuation],
  }),
  buildVulnerabilityReport({
    service: 'podinfo',
    env: 'prod',
    tag: '6.7.1',
    findings: [
      FINDINGS.xCryptoSsh,
      FINDINGS.xNetContinuation,
      FINDINGS.stdlibNetHttp,
      FINDINGS.libssl,
      FINDINGS.busyboxUnfixed,
    ],
  }),
  buildVulnerabilityReport({
    service: 'guestbook',
    env: 'prod',
    tag: 'v1.0.3',
    findings: [],
  }),
  buildVulnerabilityReport({
    service: 'guestbook',
    env: 'dev',
    tag: 'v1.0.5',
    container: 'envoy',
    image: SIDECAR_IMAGE,
    findings: manyHighFindings(12),
  }),
  buildVulnerabilityReport({
    service: 'redis',
    env: 'prod',
    tag: '7.2.4',
    resource: { kind: 'StatefulSet', name: 'redis' },
    findings: [FINDINGS.libssl],
  }),
];

const policyReports = [
  buildPolicyReport({
    resource: dev.deployment,
    results: [
      RULES.runAsNonRoot('controller', 'pass'),
      RULES.latestTag('controller', 'pass'),
      RULES.verifySignature('controller', image, 'pass'),
    ],
  }),
  buildPolicyReport({
    resource: dev.pod,
    results: [
      RULES.runAsNonRoot('Pod', 'fail'),
      RULES.latestTag('Pod', 'pass'),
      RULES.verifySignature('Pod', image, 'error'),
      { ...RULES.latestTag('Pod', 'pass'), result: 'skip' },
    ],
  }),
  buildNamespacePolicyReport({
    namespace: 'guestbook-dev',
    results: [
      {
        resource: dev.replicaSet,
        result: RULES.runAsNonRoot('controller', 'fail'),
      },
      {
        resource: { ...dev.deployment, name: 'guestbook-redis' },
        result: { ...RULES.latestTag('controller', 'fail'), result: 'warn' },
      },
    ],
  }),
];

describe('supply-chain report fixtures', () => {
  it.each(vulnerabilityReports.map(r => [r.metadata.name, r] as const))(
    'VulnerabilityReport %s validates against the Trivy Operator CRD',
    (_n, r) => {
      expect(vulnerabilityReport(r)).toEqual([]);
    },
  );

  it.each(policyReports.map(r => [r.metadata.name, r] as const))(
    'PolicyReport %s validates against the wgpolicyk8s.io CRD',
    (_n, r) => {
      expect(policyReport(r)).toEqual([]);
    },
  );

  it('name and label what Trivy scanned as Trivy Operator does', () => {
    const [report] = vulnerabilityReports;
    expect(report.metadata.name).toMatch(
      /^replicaset-guestbook-[4-9bcdf]+-guestbook$/,
    );
    expect(report.metadata.labels).toMatchObject({
      'trivy-operator.resource.kind': 'ReplicaSet',
      'trivy-operator.resource.name': dev.replicaSet.name,
      'trivy-operator.resource.namespace': 'guestbook-dev',
      'trivy-operator.container.name': 'guestbook',
    });
    expect(report.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'ReplicaSet',
        name: dev.replicaSet.name,
        controller: true,
        blockOwnerDeletion: false,
      }),
    ]);
    expect(report.report.artifact).toMatchObject({
      repository: 'acme/guestbook',
      tag: 'v1.0.5',
    });
    expect(report.report.registry).toEqual({ server: 'ghcr.io' });
  });

  it('are told apart from broken reports by the same validators', () => {
    const [good] = vulnerabilityReports;
    const broken = structuredClone(good);
    broken.report.sumary = broken.report.summary;
    delete broken.report.summary;
    broken.report.vulnerabilities[0].severity = 'Critical';
    delete broken.report.os;
    expect(vulnerabilityReport(broken)).toEqual(
      expect.arrayContaining([
        "/report must have required property 'summary'",
        "/report must have required property 'os'",
        '/report must NOT have additional properties (sumary)',
        '/report/vulnerabilities/0/severity must be equal to one of the allowed values',
      ]),
    );
    const badResult = structuredClone(policyReports[0]);
    badResult.results[0].result = 'failed';
    badResult.results[0].timestamp = { seconds: 1.5 };
    badResult.apiVersion = 'wgpolicyk8s.io/v1beta1';
    expect(policyReport(badResult)).toEqual(
      expect.arrayContaining([
        '/results/0/result must be equal to one of the allowed values',
        "/results/0/timestamp must have required property 'nanos'",
        '/results/0/timestamp/seconds must be integer',
        '/apiVersion must be equal to constant',
      ]),
    );
  });
});
