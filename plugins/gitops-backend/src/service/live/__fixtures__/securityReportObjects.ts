/*
 * Supply-chain report fixtures, field by field from the controllers' APIs:
 * - Trivy Operator 0.2x VulnerabilityReport (aquasecurity.github.io/v1alpha1;
 *   pkg/apis/aquasecurity/v1alpha1/vulnerability_types.go): one per container of the workload
 *   Trivy scans (a Deployment's ReplicaSet), named `replicaset-<replicaset>-<container>`,
 *   labelled `trivy-operator.resource.kind|name|namespace` and `trivy-operator.container.name`,
 *   owned by the ReplicaSet (blockOwnerDeletion false).
 * - Kyverno ≥ 1.10 PolicyReport (wgpolicyk8s.io/v1alpha2): one per resource, named by the
 *   resource's uid, `scope` and owner the resource, `app.kubernetes.io/managed-by: kyverno`;
 *   the Deployment's results are of the policies' `autogen-` rules, the Pods' of the rules
 *   themselves. Kyverno before 1.10 wrote one report per namespace (`polr-ns-<namespace>`)
 *   whose results name their `resources`.
 * Plain data like clusterObjects.ts; securityReportObjects.test.ts validates them against the
 * CRDs' schemas (crds/).
 */

import {
  IMAGE_REGISTRY,
  KubeObject,
  fakeSha256,
  fakeUid,
  imageRef,
  minutesAgo,
  objectMeta,
  templateHashFor,
} from './clusterObjects';

/** One finding as Trivy reports it. */
export interface Finding {
  id: string;
  package: string;
  installedVersion: string;
  /** Empty when no fixed version exists yet (Trivy writes `''`). */
  fixedVersion: string;
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';
  title: string;
  score?: number;
  /** Go module (found in the binary) or OS package (the image's package database). */
  type: 'gobinary' | 'alpine';
  published: string;
}

/** Typed as findings, each keeping its own name. */
const findings = <K extends string>(f: Record<K, Finding>) => f;

/** Findings the fixtures use, as Trivy reports them for Go binaries and Alpine packages. */
export const FINDINGS = findings({
  xNetContinuation: {
    id: 'CVE-2023-45288',
    package: 'golang.org/x/net',
    installedVersion: 'v0.17.0',
    fixedVersion: '0.23.0',
    severity: 'HIGH',
    title:
      'golang: net/http, x/net/http2: unlimited number of CONTINUATION frames causes DoS',
    score: 7.5,
    type: 'gobinary',
    published: '2024-04-04T21:15:16Z',
  },
  xCryptoSsh: {
    id: 'CVE-2024-45337',
    package: 'golang.org/x/crypto',
    installedVersion: 'v0.21.0',
    fixedVersion: '0.31.0',
    severity: 'CRITICAL',
    title:
      'golang.org/x/crypto/ssh: Misuse of ServerConfig.PublicKeyCallback may cause authorization bypass in golang.org/x/crypto',
    score: 9.1,
    type: 'gobinary',
    published: '2024-12-12T02:02:07Z',
  },
  stdlibNetHttp: {
    id: 'CVE-2024-24791',
    package: 'stdlib',
    installedVersion: 'v1.21.8',
    fixedVersion: '1.21.12, 1.22.5',
    severity: 'MEDIUM',
    title:
      'net/http: Denial of service due to improper 100-continue handling in net/http',
    score: 5.9,
    type: 'gobinary',
    published: '2024-07-02T22:15:04Z',
  },
  libssl: {
    id: 'CVE-2024-2511',
    package: 'libssl3',
    installedVersion: '3.1.4-r5',
    fixedVersion: '3.1.4-r6',
    severity: 'LOW',
    title: 'openssl: Unbounded memory growth with session handling in TLSv1.3',
    score: 5.9,
    type: 'alpine',
    published: '2024-04-08T14:15:07Z',
  },
  busyboxUnfixed: {
    id: 'CVE-2023-42366',
    package: 'busybox',
    installedVersion: '1.36.1-r15',
    fixedVersion: '',
    severity: 'CRITICAL',
    title: 'busybox: A heap-buffer-overflow in next_token() in awk.c',
    score: 9.8,
    type: 'alpine',
    published: '2023-11-27T23:15:07Z',
  },
});

/** `count` distinct HIGH findings in one Go module (a report with many). */
export function manyHighFindings(count: number): Finding[] {
  return Array.from({ length: count }, (_, i) => ({
    ...FINDINGS.xNetContinuation,
    id: `CVE-2024-${String(30000 + i)}`,
    package: `github.com/acme/lib${i}`,
    score: 7 + (i % 10) / 10,
  }));
}

const OS = { family: 'alpine', name: '3.20.3' };

/** The ReplicaSet of a Deployment fixture that runs `image` (as buildPod names it). */
export function replicaSetOf(o: {
  service: string;
  namespace: string;
  image: string;
}): { name: string; uid: string } {
  const name = `${o.service}-${templateHashFor(
    o.namespace,
    o.service,
    o.image,
  )}`;
  return { name, uid: fakeUid(`ReplicaSet/${o.namespace}/${name}`) };
}

export interface VulnerabilityReportOptions {
  service: string;
  env: string;
  tag: string;
  findings: Finding[];
  /** Default the service's own (`<service>`, as the fixtures' pods name it). */
  container?: string;
  /** Another image than the service's, e.g. a sidecar's (`<registry>/<repo>:<tag>`). */
  image?: string;
  /** What Trivy scanned: the ReplicaSet (default) or the workload itself (a StatefulSet). */
  resource?: {
    kind: 'ReplicaSet' | 'StatefulSet' | 'Deployment';
    name: string;
  };
  scannedMinutesAgo?: number;
  trivyVersion?: string;
}

/** A VulnerabilityReport as Trivy Operator writes it for one container of the ReplicaSet. */
export function buildVulnerabilityReport(
  o: VulnerabilityReportOptions,
): KubeObject {
  const namespace = `${o.service}-${o.env}`;
  const image = o.image ?? imageRef(o.service, o.tag);
  const container = o.container ?? o.service;
  const owner = o.resource
    ? {
        name: o.resource.name,
        kind: o.resource.kind,
        uid: fakeUid(`${o.resource.kind}/${namespace}/${o.resource.name}`),
      }
    : {
        // The pod's ReplicaSet, whichever of its containers the report is about.
        ...replicaSetOf({
          service: o.service,
          namespace,
          image: imageRef(o.service, o.tag),
        }),
        kind: 'ReplicaSet',
      };
  const [server, ...path] = image.replace(/:[^:/]+$/, '').split('/');
  const tag = image.match(/:([^:/]+)$/)?.[1] ?? o.tag;
  const scanned = o.scannedMinutesAgo ?? 90;
  const counts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  for (const f of o.findings) counts[f.severity] += 1;
  const name = `${owner.kind.toLowerCase()}-${owner.name}-${container}`;
  return {
    apiVersion: 'aquasecurity.github.io/v1alpha1',
    kind: 'VulnerabilityReport',
    metadata: {
      ...objectMeta('VulnerabilityReport', namespace, name, {
        createdMinutesAgo: scanned,
        labels: {
          'resource-spec-hash': templateHashFor(namespace, container, image),
          'trivy-operator.container.name': container,
          'trivy-operator.resource.kind': owner.kind,
          'trivy-operator.resource.name': owner.name,
          'trivy-operator.resource.namespace': namespace,
        },
        generation: 1,
      }),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: owner.kind,
          name: owner.name,
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: false,
        },
      ],
    },
    report: {
      updateTimestamp: minutesAgo(scanned),
      scanner: {
        name: 'Trivy',
        vendor: 'Aqua Security',
        version: o.trivyVersion ?? '0.58.1',
      },
      registry: { server },
      artifact: {
        repository: path.join('/'),
        tag,
        digest: `sha256:${fakeSha256(image)}`,
      },
      os: OS,
      summary: {
        criticalCount: counts.CRITICAL,
        highCount: counts.HIGH,
        mediumCount: counts.MEDIUM,
        lowCount: counts.LOW,
        unknownCount: counts.UNKNOWN,
        noneCount: 0,
      },
      vulnerabilities: o.findings.map(f => ({
        vulnerabilityID: f.id,
        resource: f.package,
        installedVersion: f.installedVersion,
        fixedVersion: f.fixedVersion,
        publishedDate: f.published,
        lastModifiedDate: f.published,
        severity: f.severity,
        title: f.title,
        primaryLink: `https://avd.aquasec.com/nvd/${f.id.toLowerCase()}`,
        links: [],
        ...(f.score !== undefined ? { score: f.score } : {}),
        target:
          f.type === 'gobinary'
            ? `usr/local/bin/${o.service}`
            : `${image} (${OS.family} ${OS.name})`,
        class: f.type === 'gobinary' ? 'lang-pkgs' : 'os-pkgs',
        packageType: f.type,
        packagePURL:
          f.type === 'gobinary'
            ? `pkg:golang/${f.package}@${f.installedVersion}`
            : `pkg:apk/alpine/${f.package}@${f.installedVersion}?arch=x86_64&distro=${OS.name}`,
      })),
    },
  };
}

/** One result of a Kyverno rule. */
export interface RuleResult {
  policy: string;
  rule: string;
  result: 'pass' | 'fail' | 'warn' | 'error' | 'skip';
  message?: string;
  category?: string;
  severity?: 'critical' | 'high' | 'medium' | 'low' | 'info';
}

/** The rules of the Kyverno policies the fixtures use, as their results read. */
export const RULES = {
  runAsNonRoot: (
    kind: 'Pod' | 'controller',
    result: 'pass' | 'fail',
  ): RuleResult => {
    const rule = kind === 'Pod' ? 'run-as-non-root' : 'autogen-run-as-non-root';
    const spec = kind === 'Pod' ? '/spec' : '/spec/template/spec';
    return {
      policy: 'require-run-as-nonroot',
      rule,
      result,
      message:
        result === 'pass'
          ? `validation rule '${rule}' anyPattern[0] passed.`
          : `validation error: Running as root is not allowed. Either the field spec.securityContext.runAsNonRoot must be set to \`true\`, or the fields spec.containers[*].securityContext.runAsNonRoot must be set to \`true\`. rule ${rule}[0] failed at path ${spec}/securityContext/runAsNonRoot/ rule ${rule}[1] failed at path ${spec}/containers/0/securityContext/`,
      category: 'Pod Security Standards (Restricted)',
      severity: 'medium',
    };
  },
  latestTag: (
    kind: 'Pod' | 'controller',
    result: 'pass' | 'fail',
  ): RuleResult => {
    const rule =
      kind === 'Pod' ? 'validate-image-tag' : 'autogen-validate-image-tag';
    return {
      policy: 'disallow-latest-tag',
      rule,
      result,
      message:
        result === 'pass'
          ? `validation rule '${rule}' passed.`
          : `validation error: Using a mutable image tag e.g. 'latest' is not allowed. rule ${rule} failed at path /spec/containers/0/image/`,
      category: 'Best Practices',
      severity: 'medium',
    };
  },
  verifySignature: (
    kind: 'Pod' | 'controller',
    image: string,
    result: 'pass' | 'fail' | 'error',
  ): RuleResult => {
    const rule =
      kind === 'Pod' ? 'verify-signature' : 'autogen-verify-signature';
    const messages = {
      pass: `verified image signatures for ${image}`,
      fail: `failed to verify image ${image}: .attestors[0].entries[0].keyless: no matching signatures`,
      error: `failed to verify image ${image}: failed to fetch manifest: Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io: i/o timeout`,
    };
    return {
      policy: 'verify-image-signature',
      rule,
      result,
      message: messages[result],
      category: 'Software Supply Chain Security',
      severity: 'high',
    };
  },
};

function resultEntry(r: RuleResult, minutes: number, extra = {}) {
  return {
    ...(r.category ? { category: r.category } : {}),
    message: r.message ?? '',
    policy: r.policy,
    ...extra,
    result: r.result,
    rule: r.rule,
    scored: r.result !== 'warn',
    ...(r.severity ? { severity: r.severity } : {}),
    source: 'kyverno',
    timestamp: {
      nanos: 0,
      seconds: Math.floor(Date.parse(minutesAgo(minutes)) / 1000),
    },
  };
}

function summaryOf(results: RuleResult[]) {
  const count = (r: RuleResult['result']) =>
    results.filter(x => x.result === r).length;
  return {
    error: count('error'),
    fail: count('fail'),
    pass: count('pass'),
    skip: count('skip'),
    warn: count('warn'),
  };
}

/** A resource of a service's namespace a policy report is about. */
export interface ReportedResource {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** `{apiVersion, kind, name, namespace, uid}`, the uid as the fixtures' objectMeta makes it. */
function reference(r: ReportedResource) {
  return { ...r, uid: fakeUid(`${r.kind}/${r.namespace}/${r.name}`) };
}

/** A PolicyReport as Kyverno ≥ 1.10 writes it for one resource (named by the resource's uid). */
export function buildPolicyReport(o: {
  resource: ReportedResource;
  results: RuleResult[];
  scannedMinutesAgo?: number;
}): KubeObject {
  const scope = reference(o.resource);
  const minutes = o.scannedMinutesAgo ?? 30;
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: {
      ...objectMeta('PolicyReport', scope.namespace, scope.uid, {
        createdMinutesAgo: 2 * 24 * 60,
        labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
        generation: 3,
      }),
      ownerReferences: [
        {
          apiVersion: scope.apiVersion,
          kind: scope.kind,
          name: scope.name,
          uid: scope.uid,
        },
      ],
    },
    results: o.results.map(r => resultEntry(r, minutes)),
    scope,
    summary: summaryOf(o.results),
  };
}

/**
 * A namespace's PolicyReport as Kyverno before 1.10 wrote it (`polr-ns-<namespace>`): the
 * results of every resource of the namespace, each naming its `resources`.
 */
export function buildNamespacePolicyReport(o: {
  namespace: string;
  results: Array<{ resource: ReportedResource; result: RuleResult }>;
}): KubeObject {
  const name = `polr-ns-${o.namespace}`;
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: {
      ...objectMeta('PolicyReport', o.namespace, name, {
        createdMinutesAgo: 30 * 24 * 60,
        labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
      }),
    },
    results: o.results.map(r =>
      resultEntry(r.result, 60, { resources: [reference(r.resource)] }),
    ),
    summary: summaryOf(o.results.map(r => r.result)),
  };
}

/** The Deployment, ReplicaSet and a Pod of a service fixture, as policy reports name them. */
export function serviceResources(o: {
  service: string;
  env: string;
  tag: string;
  pod: string;
}): Record<'deployment' | 'replicaSet' | 'pod', ReportedResource> {
  const namespace = `${o.service}-${o.env}`;
  const image = imageRef(o.service, o.tag);
  return {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: o.service,
      namespace,
    },
    replicaSet: {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: replicaSetOf({ service: o.service, namespace, image }).name,
      namespace,
    },
    pod: { apiVersion: 'v1', kind: 'Pod', name: o.pod, namespace },
  };
}

/** A sidecar's image, for reports of other containers than the service's. */
export const SIDECAR_IMAGE = `${IMAGE_REGISTRY}/envoy-sidecar:1.31.2`;
