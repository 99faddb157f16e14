import { healthyArgoService, imageRef } from './__fixtures__/clusterObjects';
import {
  FINDINGS,
  RULES,
  SIDECAR_IMAGE,
  buildPolicyReport,
  buildVulnerabilityReport,
  serviceResources,
} from './__fixtures__/securityReportObjects';
import { securityProblems } from './diagnose';
import { HINTS } from './hints';
import {
  ClusterObjects,
  KindKey,
  KindReadState,
  KubeObject,
  WATCHED_KINDS,
} from './kinds';
import { ObjectIndex } from './objectIndex';
import { liveSecurity, workloadResources } from './securityReports';
import { selectServiceObjects } from './selectServiceObjects';
import { slimObject } from './slimObject';

const REPORT_KINDS: KindKey[] = ['vulnerabilityreports', 'policyreports'];

/**
 * The objects as ClusterWatch holds them (slim, indexed), counting lookups; listing a report
 * kind fails the test: reports are found through the index, never by a scan.
 */
function indexedCluster(
  snapshot: Partial<Record<KindKey, KubeObject[]>>,
  states: Partial<Record<KindKey, KindReadState>> = {},
) {
  const indexes = new Map<KindKey, ObjectIndex>();
  const lists = new Map<KindKey, KubeObject[]>();
  for (const kind of Object.keys(WATCHED_KINDS) as KindKey[]) {
    const index = new ObjectIndex(kind);
    const kept = (snapshot[kind] ?? []).map(o =>
      slimObject(kind, structuredClone(o)),
    );
    kept.forEach(o => index.put(o));
    indexes.set(kind, index);
    lists.set(kind, kept);
  }
  const lookups: string[] = [];
  const cluster: ClusterObjects = {
    list(kind, namespace) {
      if (REPORT_KINDS.includes(kind)) throw new Error(`scanned ${kind}`);
      return lists
        .get(kind)!
        .filter(o => !namespace || o.metadata?.namespace === namespace);
    },
    lookup(kind, key) {
      lookups.push(`${kind} ${key}`);
      return indexes.get(kind)!.get(key);
    },
    kindState: kind => states[kind] ?? 'read',
  };
  return { cluster, lookups };
}

const service = (env: string, tag: string, name = 'guestbook') =>
  healthyArgoService({ service: name, env, tag, replicas: 2 });

function merge(...snapshots: Array<Record<string, any[]>>) {
  const result: Record<string, any[]> = {};
  for (const s of snapshots)
    for (const [k, v] of Object.entries(s))
      result[k] = [...(result[k] ?? []), ...v];
  return result;
}

const dev = service('dev', 'v1.0.5');
const pods = dev.pods.map(p => p.metadata.name);
const resources = serviceResources({
  service: 'guestbook',
  env: 'dev',
  tag: 'v1.0.5',
  pod: pods[0],
});
const image = imageRef('guestbook', 'v1.0.5');

const snapshot = {
  ...merge(dev, service('prod', '6.7.1', 'podinfo')),
  vulnerabilityreports: [
    buildVulnerabilityReport({
      service: 'guestbook',
      env: 'dev',
      tag: 'v1.0.5',
      findings: [FINDINGS.xNetContinuation],
    }),
    // The ReplicaSet the last rollout left (Kubernetes keeps ten), its report too.
    buildVulnerabilityReport({
      service: 'guestbook',
      env: 'dev',
      tag: 'v1.0.4',
      findings: [FINDINGS.xCryptoSsh],
    }),
    buildVulnerabilityReport({
      service: 'guestbook',
      env: 'dev',
      tag: 'v1.0.5',
      container: 'envoy',
      image: SIDECAR_IMAGE,
      findings: [FINDINGS.xCryptoSsh],
    }),
    buildVulnerabilityReport({
      service: 'podinfo',
      env: 'prod',
      tag: '6.7.1',
      findings: [FINDINGS.xCryptoSsh],
    }),
  ],
  policyreports: [
    buildPolicyReport({
      resource: resources.deployment,
      results: [
        RULES.runAsNonRoot('controller', 'pass'),
        RULES.latestTag('controller', 'pass'),
        RULES.verifySignature('controller', image, 'pass'),
      ],
    }),
    buildPolicyReport({
      resource: resources.pod,
      results: [RULES.runAsNonRoot('Pod', 'fail')],
    }),
    buildPolicyReport({
      resource: {
        ...resources.deployment,
        namespace: 'podinfo-prod',
        name: 'podinfo',
      },
      results: [RULES.latestTag('controller', 'fail')],
    }),
  ],
};

const query = {
  namespace: 'guestbook-dev',
  environment: 'dev',
  kubernetesId: 'guestbook',
};

describe('liveSecurity', () => {
  it("reads the workload's reports through the index: its ReplicaSet's container, its Deployment's and Pods' policies", () => {
    const { cluster, lookups } = indexedCluster(snapshot);
    const found = selectServiceObjects(cluster, query);
    const security = liveSecurity(cluster, found, {
      namespace: 'guestbook-dev',
      desiredImage: 'ghcr.io/acme/guestbook',
    });
    expect(security).toEqual({
      vulnerabilities: expect.objectContaining({
        critical: 0,
        high: 1,
        top: [expect.objectContaining({ id: 'CVE-2023-45288' })],
        object: `VulnerabilityReport guestbook-dev/replicaset-${resources.replicaSet.name}-guestbook`,
      }),
      policies: {
        passed: 2,
        failed: 1,
        warned: 0,
        source: 'PolicyReport',
        failures: [
          expect.objectContaining({
            policy: 'require-run-as-nonroot',
            resource: `Pod guestbook-dev/${pods[0]}`,
          }),
        ],
      },
      installed: {
        'trivy-operator': 'installed',
        'policy-reports': 'installed',
      },
    });
    // One lookup per object, none for Pods' vulnerability reports (Trivy scans ReplicaSets).
    expect(lookups.filter(l => l.startsWith('vulnerabilityreports'))).toEqual([
      'vulnerabilityreports about:guestbook-dev/Deployment/guestbook',
      `vulnerabilityreports about:guestbook-dev/ReplicaSet/${resources.replicaSet.name}`,
    ]);
    expect(lookups.filter(l => l.startsWith('policyreports'))).toHaveLength(
      2 + pods.length,
    );
  });

  it("knows the current ReplicaSet from the Deployment's Progressing condition with no pod running", () => {
    const { cluster } = indexedCluster({ ...snapshot, pods: [] });
    const found = selectServiceObjects(cluster, query);
    expect(workloadResources(found, 'guestbook-dev')).toEqual([
      { kind: 'Deployment', name: 'guestbook', namespace: 'guestbook-dev' },
      {
        kind: 'ReplicaSet',
        name: resources.replicaSet.name,
        namespace: 'guestbook-dev',
      },
    ]);
    expect(
      liveSecurity(cluster, found, { namespace: 'guestbook-dev' })
        .vulnerabilities,
    ).toMatchObject({ high: 1 });
  });

  it("names a Rollout's ReplicaSets from its pods' rollouts-pod-template-hash", () => {
    const pod = (name: string, hash: string) => ({
      metadata: {
        name,
        labels: {
          'rollouts-pod-template-hash': hash,
          'pod-template-hash': hash,
        },
      },
    });
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'checkout', namespace: 'checkout-prod' },
    };
    expect(
      workloadResources(
        {
          deployment: undefined,
          rollout,
          pods: [
            pod('checkout-6d4f9c-a', '6d4f9c'),
            pod('checkout-77aa01-b', '77aa01'),
          ],
        },
        'checkout-prod',
      ),
    ).toEqual([
      { kind: 'Rollout', name: 'checkout', namespace: 'checkout-prod' },
      {
        kind: 'ReplicaSet',
        name: 'checkout-6d4f9c',
        namespace: 'checkout-prod',
      },
      {
        kind: 'ReplicaSet',
        name: 'checkout-77aa01',
        namespace: 'checkout-prod',
      },
      { kind: 'Pod', name: 'checkout-6d4f9c-a', namespace: 'checkout-prod' },
      { kind: 'Pod', name: 'checkout-77aa01-b', namespace: 'checkout-prod' },
    ]);
  });

  it('reads absent CRDs as not installed, with no evidence, no lookup and no problem', () => {
    const { cluster, lookups } = indexedCluster(
      { ...snapshot, vulnerabilityreports: [], policyreports: [] },
      { vulnerabilityreports: 'absent', policyreports: 'absent' },
    );
    const found = selectServiceObjects(cluster, query);
    const security = liveSecurity(cluster, found, {
      namespace: 'guestbook-dev',
    });
    expect(security).toEqual({
      vulnerabilities: null,
      policies: null,
      installed: {
        'trivy-operator': 'not installed',
        'policy-reports': 'not installed',
      },
    });
    expect(
      lookups.filter(l => REPORT_KINDS.some(k => l.startsWith(k))),
    ).toEqual([]);
    expect(securityProblems(security)).toEqual([]);
  });

  it('reads a kind the account may not list as unreadable', () => {
    const { cluster } = indexedCluster(snapshot, {
      vulnerabilityreports: 'forbidden',
      policyreports: 'forbidden',
    });
    const found = selectServiceObjects(cluster, query);
    expect(
      liveSecurity(cluster, found, { namespace: 'guestbook-dev' }).installed,
    ).toEqual({
      'trivy-operator': 'unreadable',
      'policy-reports': 'unreadable',
    });
  });
});

describe('securityProblems', () => {
  const critical = buildVulnerabilityReport({
    service: 'podinfo',
    env: 'prod',
    tag: '6.7.1',
    findings: [FINDINGS.xNetContinuation, FINDINGS.xCryptoSsh],
  });

  it('says Vulnerable (a warning) for critical findings, naming the top one, its package and fixed version', () => {
    const { cluster } = indexedCluster({
      ...service('prod', '6.7.1', 'podinfo'),
      vulnerabilityreports: [critical],
    });
    const found = selectServiceObjects(cluster, {
      ...query,
      namespace: 'podinfo-prod',
      kubernetesId: 'podinfo',
    });
    const security = liveSecurity(cluster, found, {
      namespace: 'podinfo-prod',
    });
    // Without a limit in prod's policy the findings are evidence, not a problem.
    expect(securityProblems(security)).toEqual([]);
    const problems = securityProblems(security, { critical: 0 });
    expect(problems).toEqual([
      {
        type: 'Vulnerable',
        severity: 'warning',
        message:
          '1 critical vulnerability (Trivy 0.58.1; at most 0 allowed): CVE-2024-45337 in golang.org/x/crypto v0.21.0, fixed in 0.31.0',
        hint: 'Rebuild with golang.org/x/crypto ≥ 0.31.0, or promote a fixed version.',
        object: `VulnerabilityReport podinfo-prod/${critical.metadata.name}`,
      },
    ]);
  });

  it.each([
    [
      'high findings only, under a limit on critical ones: no problem',
      { critical: 0, high: 3, top: [] },
      [],
    ],
    [
      'a critical one with no fix yet',
      {
        critical: 2,
        high: 0,
        top: [
          {
            id: 'CVE-2023-42366',
            package: 'busybox',
            severity: 'CRITICAL' as const,
            installedVersion: '1.36.1-r15',
            fixedVersion: null,
          },
        ],
      },
      [
        expect.objectContaining({
          message:
            '2 critical vulnerabilities (at most 0 allowed): CVE-2023-42366 in busybox 1.36.1-r15, no fixed version yet',
          hint: 'No fixed version of busybox yet: promote a version without it, or mitigate until a fix is out.',
        }),
      ],
    ],
  ])('%s', (_name, counts, expected) => {
    expect(
      securityProblems(
        {
          vulnerabilities: {
            medium: 0,
            low: 0,
            source: 'VulnerabilityReport',
            scanner: null,
            scannedAt: null,
            ...counts,
          },
          policies: null,
          installed: {
            'trivy-operator': 'installed',
            'policy-reports': 'installed',
          },
        },
        { critical: 0 },
      ),
    ).toEqual(expected);
  });

  it('says nothing under limits when there is no VulnerabilityReport (a workload not scanned yet)', () => {
    expect(
      securityProblems(
        {
          vulnerabilities: null,
          policies: null,
          installed: {
            'trivy-operator': 'installed',
            'policy-reports': 'not installed',
          },
        },
        { critical: 0, high: 3 },
      ),
    ).toEqual([]);
  });

  it('says PolicyViolation (an error) for failed rules: the policy, rule and message, and how many more', () => {
    expect(
      securityProblems({
        vulnerabilities: null,
        policies: {
          passed: 4,
          failed: 2,
          source: 'PolicyReport',
          failures: [
            {
              policy: 'verify-image-signature',
              rule: 'autogen-verify-signature',
              message: `failed to verify image ${image}: .attestors[0].entries[0].keyless: no matching signatures`,
              resource: 'Deployment guestbook-dev/guestbook',
            },
            {
              policy: 'require-run-as-nonroot',
              rule: 'autogen-run-as-non-root',
              message: 'validation error: Running as root is not allowed.',
              resource: 'Deployment guestbook-dev/guestbook',
            },
          ],
        },
        installed: {
          'trivy-operator': 'installed',
          'policy-reports': 'installed',
        },
      }),
    ).toEqual([
      {
        type: 'PolicyViolation',
        severity: 'error',
        message: `verify-image-signature/autogen-verify-signature: failed to verify image ${image}: .attestors[0].entries[0].keyless: no matching signatures (and 1 more)`,
        hint: "Change the workload to meet policy verify-image-signature (the rule's message says how), or agree an exception with the policy's owners.",
        object: 'Deployment guestbook-dev/guestbook',
      },
    ]);
    expect(HINTS.PolicyViolation).toBeTruthy();
  });
});

describe('slim reports', () => {
  it('keep of a VulnerabilityReport the image, scanner, counts and ten worst findings', () => {
    const many = buildVulnerabilityReport({
      service: 'guestbook',
      env: 'dev',
      tag: 'v1.0.5',
      findings: Array.from({ length: 300 }, (_, i) => ({
        ...(i % 30 === 0 ? FINDINGS.xCryptoSsh : FINDINGS.libssl),
        id: `CVE-2024-${10000 + i}`,
      })),
    });
    for (const v of many.report.vulnerabilities) {
      v.description = 'x'.repeat(800);
      v.links = Array.from({ length: 8 }, (_, i) => `https://example.com/${i}`);
    }
    many.metadata.annotations = {
      'trivy-operator.aquasecurity.github.io/report-ttl': '24h',
    };
    const size = JSON.stringify(many).length;
    const kept = slimObject('vulnerabilityreports', structuredClone(many));
    expect(JSON.stringify(kept).length).toBeLessThan(size / 100);
    expect(kept.metadata).toEqual({
      name: many.metadata.name,
      namespace: 'guestbook-dev',
      uid: many.metadata.uid,
      resourceVersion: many.metadata.resourceVersion,
      generation: 1,
      creationTimestamp: many.metadata.creationTimestamp,
      labels: {
        'trivy-operator.resource.kind': 'ReplicaSet',
        'trivy-operator.resource.name': resources.replicaSet.name,
        'trivy-operator.resource.namespace': 'guestbook-dev',
        'trivy-operator.container.name': 'guestbook',
      },
    });
    expect(kept.report.summary).toEqual({
      criticalCount: 10,
      highCount: 0,
      mediumCount: 0,
      lowCount: 290,
      unknownCount: 0,
    });
    expect(kept.report.vulnerabilities).toHaveLength(10);
    expect(kept.report.vulnerabilities[0]).toEqual({
      vulnerabilityID: 'CVE-2024-10000',
      resource: 'golang.org/x/crypto',
      installedVersion: 'v0.21.0',
      fixedVersion: '0.31.0',
      severity: 'CRITICAL',
      score: 9.1,
    });
  });

  it("keep of a PolicyReport its scope and each result's policy, rule and outcome; messages only of what did not pass", () => {
    const report = buildPolicyReport({
      resource: resources.deployment,
      results: [
        RULES.runAsNonRoot('controller', 'fail'),
        RULES.latestTag('controller', 'pass'),
        {
          ...RULES.latestTag('controller', 'pass'),
          rule: 'autogen-require-image-tag',
          result: 'skip',
        },
      ],
    });
    const kept = slimObject('policyreports', structuredClone(report));
    expect(kept.metadata!.labels).toBeUndefined();
    expect(kept.summary).toBeUndefined();
    expect(kept.scope).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'guestbook',
      namespace: 'guestbook-dev',
    });
    expect(kept.results).toEqual([
      {
        policy: 'require-run-as-nonroot',
        rule: 'autogen-run-as-non-root',
        result: 'fail',
        message: expect.stringMatching(/^validation error/),
      },
      {
        policy: 'disallow-latest-tag',
        rule: 'autogen-validate-image-tag',
        result: 'pass',
      },
    ]);
  });
});
