import { KubeObject } from './kinds';

/** The labels Trivy Operator puts on a report to say what it scanned (the index reads them). */
export const TRIVY_LABELS = [
  'trivy-operator.resource.kind',
  'trivy-operator.resource.name',
  'trivy-operator.resource.namespace',
  'trivy-operator.container.name',
] as const;

/** Findings a slim VulnerabilityReport keeps: the worst ones, as the roll-up shows them. */
export const TOP_FINDINGS = 10;

/** Longest rule message kept (Kyverno's can repeat the policy's whole description). */
const MESSAGE_MAX = 1000;

const SEVERITY_RANK: Record<string, number> = { CRITICAL: 0, HIGH: 1 };

/** Of a report's labels, the Trivy ones; none for other kinds. */
export function slimReportLabels(
  kind: 'vulnerabilityreports' | 'policyreports',
  labels: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (kind !== 'vulnerabilityreports' || !labels) return undefined;
  const kept: Record<string, string> = {};
  for (const key of TRIVY_LABELS) {
    if (labels[key] !== undefined) kept[key] = labels[key];
  }
  return kept;
}

/**
 * What the cache keeps of a VulnerabilityReport: the image it is about, the scanner and
 * when it scanned, the counts by severity and at most {@link TOP_FINDINGS} critical and high
 * findings (critical first, then by score). A report lists every finding with descriptions
 * and links, often hundreds of kilobytes; the roll-up reads only these.
 */
export function slimVulnerabilityReport(object: KubeObject): KubeObject {
  const report = object.report ?? {};
  const summary = report.summary ?? {};
  const worst = (
    Array.isArray(report.vulnerabilities) ? report.vulnerabilities : []
  )
    .filter((v: any) => String(v?.severity) in SEVERITY_RANK)
    .sort(
      (a: any, b: any) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        (Number(b.score) || 0) - (Number(a.score) || 0),
    )
    .slice(0, TOP_FINDINGS)
    .map((v: any) => ({
      vulnerabilityID: v.vulnerabilityID,
      resource: v.resource,
      installedVersion: v.installedVersion,
      fixedVersion: v.fixedVersion,
      severity: v.severity,
      score: v.score,
    }));
  object.report = {
    updateTimestamp: report.updateTimestamp,
    scanner: report.scanner && {
      name: report.scanner.name,
      version: report.scanner.version,
    },
    registry: report.registry && { server: report.registry.server },
    artifact: report.artifact && {
      repository: report.artifact.repository,
      tag: report.artifact.tag,
      digest: report.artifact.digest,
    },
    summary: {
      criticalCount: summary.criticalCount,
      highCount: summary.highCount,
      mediumCount: summary.mediumCount,
      lowCount: summary.lowCount,
      unknownCount: summary.unknownCount,
    },
    vulnerabilities: worst,
  };
  return object;
}

/**
 * What the cache keeps of a PolicyReport: its scope and, per result, the policy, rule and
 * outcome; the message only of what did not pass, and the resources a result names (reports
 * of a whole namespace). Skipped results, timestamps, categories and properties go.
 */
export function slimPolicyReport(object: KubeObject): KubeObject {
  const scope = object.scope;
  const results = (Array.isArray(object.results) ? object.results : [])
    .filter((r: any) => r?.result && r.result !== 'skip')
    .map((r: any) => {
      const kept: Record<string, any> = {
        policy: r.policy,
        rule: r.rule,
        result: r.result,
      };
      if (r.result !== 'pass' && r.message) {
        kept.message = String(r.message).slice(0, MESSAGE_MAX);
      }
      if (Array.isArray(r.resources) && r.resources.length > 0) {
        kept.resources = r.resources.map(slimReference);
      }
      return kept;
    });
  delete object.summary;
  delete object.scopeSelector;
  object.results = results;
  if (scope) object.scope = slimReference(scope);
  return object;
}

function slimReference(ref: any) {
  return {
    apiVersion: ref?.apiVersion,
    kind: ref?.kind,
    name: ref?.name,
    namespace: ref?.namespace,
  };
}
