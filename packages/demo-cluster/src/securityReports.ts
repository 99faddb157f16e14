import { parseImageRef } from '@gitops-backstage/plugin-gitops-repository';
import { createHash } from 'node:crypto';
import { DemoImage, DemoRegistry, DemoVulnerability } from './DemoRegistry';
import { KubeObject, ObjectStore } from './ObjectStore';
import { DemoPod } from './workloadObjects';

/*
 * DEMO ONLY. Plays Trivy Operator and Kyverno's reports controller for the demo's workloads,
 * writing their reports in the controllers' own formats:
 * - Trivy Operator 0.2x: a VulnerabilityReport (aquasecurity.github.io/v1alpha1) per container
 *   of each ReplicaSet that runs pods, named `replicaset-<replicaset>-<container>`, labelled with
 *   what it scanned and owned by the ReplicaSet; its findings are the image seed's
 *   `vulnerabilities` of the tag (none: a report with zero counts). An image the registry does
 *   not have cannot be scanned: no report.
 * - Kyverno ≥ 1.10: a PolicyReport (wgpolicyk8s.io/v1alpha2) per Deployment, named by its uid,
 *   scoped to and owned by it, with the `autogen-` rules of three policies evaluated on the
 *   Deployment: require-run-as-nonroot, disallow-latest-tag (its two rules) and
 *   verify-image-signature (verifyImages: signed unless the seed has no signer or lists the tag
 *   as unsigned).
 * The cluster may not serve these kinds (ObjectStore `without`): nothing is written then.
 */

/** The scanner Trivy Operator 0.2x runs. */
export const TRIVY = {
  name: 'Trivy',
  vendor: 'Aqua Security',
  version: '0.58.1',
} as const;

/** What the demo knows of a container image's OS (Trivy reports it; the CRD requires it). */
const OS = { family: 'alpine', name: '3.20.3' } as const;

/** The seeds give no CVSS score: a typical one for the severity. */
const TYPICAL_SCORE: Record<DemoVulnerability['severity'], number | null> = {
  CRITICAL: 9.8,
  HIGH: 7.5,
  MEDIUM: 5.3,
  LOW: 3.1,
  UNKNOWN: null,
};

/** Kubernetes' alphabet of generated names (no vowels), as Trivy's hashes use it. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function safeHash(value: string, length = 10): string {
  const digest = createHash('sha256').update(value).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[digest[i] % 27];
  return out;
}

/** A workload as the reconciler wrote it, for the scanners to report on. */
export interface ScannedWorkload {
  namespace: string;
  /** The Deployment. */
  name: string;
  pods: DemoPod[];
  now: Date;
  /**
   * What Git declares of the pod's security (the desired state's Pod Security check), for
   * settings the demo's Deployment does not carry; `null` when unknown.
   */
  declared?: { level?: string; findings?: string[] } | null;
}

/** Trivy Operator and Kyverno, over the demo's object store. */
export class DemoSecurityReports {
  /** When each report's content was first written: a rescan of the same thing keeps it. */
  private readonly firstSeen = new Map<string, Date>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: DemoRegistry,
    private readonly images: readonly DemoImage[],
  ) {}

  /** Writes (and prunes) the reports of one workload. */
  write(w: ScannedWorkload): void {
    if (this.store.serves('vulnerabilityreports')) this.writeVulnerabilities(w);
    if (this.store.serves('policyreports')) this.writePolicies(w);
  }

  private since(key: string, now: Date): Date {
    let at = this.firstSeen.get(key);
    if (!at) {
      at = now;
      this.firstSeen.set(key, at);
      if (this.firstSeen.size > 10_000) {
        this.firstSeen.delete(this.firstSeen.keys().next().value!);
      }
    }
    return at;
  }

  private imageOf(reference: string) {
    const name = parseImageRef(reference).name;
    const image = this.images.find(i => i.image === name);
    const tag = this.registry.tagOf(reference);
    return image && tag ? { image, tag } : undefined;
  }

  private writeVulnerabilities(w: ScannedWorkload) {
    const written = new Set<string>();
    const replicaSets = new Map<string, DemoPod>();
    for (const pod of w.pods) {
      if (!replicaSets.has(pod.hash)) replicaSets.set(pod.hash, pod);
    }
    for (const [hash, pod] of replicaSets) {
      const found = this.imageOf(pod.image);
      if (!found) continue; // not pulled: the scan job cannot pull it either
      const report = buildVulnerabilityReport({
        namespace: w.namespace,
        replicaSet: `${w.name}-${hash}`,
        replicaSetUid: `rs-${hash}`,
        container: w.name,
        image: pod.image,
        digest: this.registry.digestOf(found.image, found.tag),
        tag: found.tag,
        vulnerabilities: found.image.vulnerabilities?.[found.tag] ?? [],
        updateTimestamp: this.since(
          `vuln:${w.namespace}/${w.name}-${hash}`,
          w.now,
        ),
      });
      this.store.put('vulnerabilityreports', report);
      written.add(report.metadata.name);
    }
    // A ReplicaSet without pods was rolled away from: its report goes with it.
    const ours = new RegExp(`^${escape(w.name)}-[0-9a-f]{10}$`);
    for (const report of this.store.list('vulnerabilityreports', w.namespace)) {
      const labels = report.metadata.labels ?? {};
      if (
        labels['trivy-operator.resource.kind'] === 'ReplicaSet' &&
        ours.test(labels['trivy-operator.resource.name'] ?? '') &&
        !written.has(report.metadata.name)
      ) {
        this.store.delete(
          'vulnerabilityreports',
          w.namespace,
          report.metadata.name,
        );
      }
    }
  }

  private writePolicies(w: ScannedWorkload) {
    const deployment = this.store.get('deployments', w.namespace, w.name);
    if (!deployment) return;
    const results = kyvernoResults(deployment, {
      declared: w.declared ?? null,
      signature: image => this.signature(image),
    });
    const at = this.since(
      `polr:${deployment.metadata.uid}:${JSON.stringify(results)}`,
      w.now,
    );
    this.store.put('policyreports', buildPolicyReport(deployment, results, at));
  }

  /** What Kyverno's verifyImages finds for an image: signed, or why not. */
  private signature(reference: string): { verified: boolean; why: string } {
    const found = this.imageOf(reference);
    if (!found) {
      return {
        verified: false,
        why: `GET https://${
          parseImageRef(reference).name.split('/')[0]
        }/v2/: MANIFEST_UNKNOWN: manifest unknown`,
      };
    }
    const signer = found.image.signedBy;
    const entry = signer && 'key' in signer ? 'keys' : 'keyless';
    if (!signer || found.image.unsigned?.includes(found.tag)) {
      return {
        verified: false,
        why: `.attestors[0].entries[0].${entry}: no signatures found`,
      };
    }
    return { verified: true, why: '' };
  }
}

/** Deletes a workload's reports, as the garbage collector does with its owner. */
export function removeSecurityReports(
  store: ObjectStore,
  w: { namespace: string; name: string },
) {
  const ours = new RegExp(`^${escape(w.name)}-[0-9a-f]{10}$`);
  for (const report of store.list('vulnerabilityreports', w.namespace)) {
    if (ours.test(report.metadata.labels?.['trivy-operator.resource.name'])) {
      store.delete('vulnerabilityreports', w.namespace, report.metadata.name);
    }
  }
  for (const report of store.list('policyreports', w.namespace)) {
    if (report.scope?.kind === 'Deployment' && report.scope?.name === w.name) {
      store.delete('policyreports', w.namespace, report.metadata.name);
    }
  }
}

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A Trivy-generated report name: `<kind>-<name>-<container>`, hashed when too long for a label. */
function reportName(replicaSet: string, container: string): string {
  const name = `replicaset-${replicaSet}-${container}`;
  return name.length <= 63
    ? name
    : `replicaset-${safeHash(`${replicaSet}-${container}`)}`;
}

/** A VulnerabilityReport as Trivy Operator writes it for one container of a ReplicaSet. */
export function buildVulnerabilityReport(o: {
  namespace: string;
  replicaSet: string;
  replicaSetUid: string;
  container: string;
  image: string;
  tag: string;
  digest: string;
  vulnerabilities: readonly DemoVulnerability[];
  updateTimestamp: Date;
}): KubeObject {
  const ref = parseImageRef(o.image);
  const [server, ...path] = ref.name.split('/');
  const counts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  for (const v of o.vulnerabilities) counts[v.severity] += 1;
  const goBinary = (pkg: string) => pkg.includes('/') || pkg === 'stdlib';
  return {
    apiVersion: 'aquasecurity.github.io/v1alpha1',
    kind: 'VulnerabilityReport',
    metadata: {
      name: reportName(o.replicaSet, o.container),
      namespace: o.namespace,
      labels: {
        'resource-spec-hash': safeHash(`${o.replicaSet}/${o.image}`),
        'trivy-operator.container.name': o.container,
        'trivy-operator.resource.kind': 'ReplicaSet',
        'trivy-operator.resource.name': o.replicaSet,
        'trivy-operator.resource.namespace': o.namespace,
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: o.replicaSet,
          uid: o.replicaSetUid,
          controller: true,
          blockOwnerDeletion: false,
        },
      ],
    },
    report: {
      updateTimestamp: o.updateTimestamp
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      scanner: { ...TRIVY },
      registry: { server },
      artifact: {
        repository: path.join('/'),
        tag: o.tag,
        digest: o.digest,
      },
      os: { ...OS },
      summary: {
        criticalCount: counts.CRITICAL,
        highCount: counts.HIGH,
        mediumCount: counts.MEDIUM,
        lowCount: counts.LOW,
        unknownCount: counts.UNKNOWN,
      },
      vulnerabilities: o.vulnerabilities.map(v => {
        const score = TYPICAL_SCORE[v.severity];
        return {
          vulnerabilityID: v.id,
          resource: v.package,
          installedVersion: v.installedVersion,
          fixedVersion: v.fixedVersion ?? '',
          publishedDate: '',
          lastModifiedDate: '',
          severity: v.severity,
          title: v.title ?? '',
          primaryLink: `https://avd.aquasec.com/nvd/${v.id.toLowerCase()}`,
          links: [],
          ...(score !== null ? { score } : {}),
          // Go modules are found in the binary, OS packages in the image's package database.
          target: goBinary(v.package)
            ? `app/${o.container}`
            : `${ref.name}:${o.tag} (${OS.family} ${OS.name})`,
          ...(goBinary(v.package) ? { packageType: 'gobinary' } : {}),
        };
      }),
    },
  };
}

/** One rule's result, before the report's common fields. */
export interface KyvernoResult {
  policy: string;
  rule: string;
  result: 'pass' | 'fail';
  message: string;
  category: string;
  severity: 'medium' | 'high';
}

/**
 * The results Kyverno's background scan gives a Deployment for the demo's three policies
 * (their `autogen-` rules, which check the pod template). `runAsNonRoot` is read from the
 * template, or (the demo's Deployment carries no security context) from what Git declares;
 * a chart's template, which the plugin does not render, counts as non-root.
 */
export function kyvernoResults(
  deployment: KubeObject,
  o: {
    declared: { level?: string; findings?: string[] } | null;
    signature: (image: string) => { verified: boolean; why: string };
  },
): KyvernoResult[] {
  const spec = deployment.spec?.template?.spec ?? {};
  const containers: any[] = spec.containers ?? [];
  const podNonRoot = spec.securityContext?.runAsNonRoot;
  const set =
    podNonRoot !== undefined ||
    containers.some(c => c.securityContext?.runAsNonRoot !== undefined);
  const nonRoot = set
    ? containers.every(
        c => (c.securityContext?.runAsNonRoot ?? podNonRoot) === true,
      )
    : // DEMO: a Helm chart's pod template is not rendered (declared unknown); the demo's
      // charts run as non-root, as podinfo's does.
      !o.declared ||
      o.declared.level === 'restricted' ||
      !(o.declared.findings ?? []).some(f => /runAsNonRoot/.test(f));
  const results: KyvernoResult[] = [];
  const rule = (
    policy: string,
    name: string,
    category: string,
    failure: string | null,
    passed = `validation rule '${name}' passed.`,
  ) =>
    results.push({
      policy,
      rule: name,
      result: failure === null ? 'pass' : 'fail',
      message: failure ?? passed,
      category,
      severity: 'medium',
    });
  rule(
    'require-run-as-nonroot',
    'autogen-run-as-non-root',
    'Pod Security Standards (Restricted)',
    nonRoot
      ? null
      : 'validation error: Running as root is not allowed. Set spec.securityContext.runAsNonRoot, or runAsNonRoot of every container, to `true`. rule autogen-run-as-non-root[0] failed at path /spec/template/spec/securityContext/runAsNonRoot/ rule autogen-run-as-non-root[1] failed at path /spec/template/spec/containers/0/securityContext/',
    "validation rule 'autogen-run-as-non-root' anyPattern[0] passed.",
  );
  const untagged = containers.findIndex(
    c =>
      !parseImageRef(String(c.image)).tag &&
      !parseImageRef(String(c.image)).digest,
  );
  rule(
    'disallow-latest-tag',
    'autogen-require-image-tag',
    'Best Practices',
    untagged < 0
      ? null
      : `validation error: An image tag is required. rule autogen-require-image-tag failed at path /spec/template/spec/containers/${untagged}/image/`,
  );
  const latest = containers.findIndex(
    c => parseImageRef(String(c.image)).tag === 'latest',
  );
  rule(
    'disallow-latest-tag',
    'autogen-validate-image-tag',
    'Best Practices',
    latest < 0
      ? null
      : `validation error: Using a mutable image tag e.g. 'latest' is not allowed. rule autogen-validate-image-tag failed at path /spec/template/spec/containers/${latest}/image/`,
  );
  for (const container of containers) {
    const image = String(container.image);
    const { verified, why } = o.signature(image);
    results.push({
      policy: 'verify-image-signature',
      rule: 'autogen-verify-signature',
      result: verified ? 'pass' : 'fail',
      message: verified
        ? `verified image signatures for ${image}`
        : `failed to verify image ${image}: ${why}`,
      category: 'Software Supply Chain Security',
      severity: 'high',
    });
  }
  return results;
}

/** A PolicyReport as Kyverno's reports controller writes it for one Deployment. */
export function buildPolicyReport(
  deployment: KubeObject,
  results: readonly KyvernoResult[],
  at: Date,
): KubeObject {
  const { name, namespace, uid } = deployment.metadata;
  const seconds = Math.floor(at.getTime() / 1000);
  const tally = (r: string) => results.filter(x => x.result === r).length;
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: {
      name: uid,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name, uid },
      ],
    },
    scope: { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace, uid },
    results: results.map(r => ({
      category: r.category,
      message: r.message,
      policy: r.policy,
      result: r.result,
      rule: r.rule,
      scored: true,
      severity: r.severity,
      source: 'kyverno',
      timestamp: { nanos: 0, seconds },
    })),
    summary: {
      error: 0,
      fail: tally('fail'),
      pass: tally('pass'),
      skip: 0,
      warn: 0,
    },
  };
}
