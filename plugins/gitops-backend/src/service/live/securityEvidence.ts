import {
  PolicyEvidence,
  VulnerabilityEvidence,
  VulnerabilityItem,
  VulnerabilitySeverity,
  VULNERABILITY_SEVERITIES,
} from '@gitops-backstage/plugin-gitops-common';
import { parseImageRef } from '@gitops-backstage/plugin-gitops-repository';
import { KubeObject, describeObject } from './kinds';
import { aboutKey, normalizeImage } from './objectIndex';
import { TOP_FINDINGS } from './slimReports';

/*
 * Roll-ups of the reports the cluster's scanners and admission policies wrote about a
 * workload: Trivy Operator's VulnerabilityReports (aquasecurity.github.io/v1alpha1, one per
 * workload and container) and PolicyReports (wgpolicyk8s.io/v1alpha2, as Kyverno writes them).
 * Pure: the reports in, the evidence of `/environments` out.
 */

const SEVERITIES = VULNERABILITY_SEVERITIES;

/** `ghcr.io/acme/guestbook` of a report: its registry server and repository. */
export function reportRepository(report: KubeObject): string | null {
  const artifact = report.report?.artifact;
  if (!artifact?.repository) return null;
  const server = report.report?.registry?.server;
  return normalizeImage(
    server ? `${server}/${artifact.repository}` : artifact.repository,
  );
}

/**
 * Whether a report scanned this image reference: the same repository and, when the reference
 * pins a digest the report knows, that digest; otherwise the same tag (`latest` when none).
 */
export function reportScans(report: KubeObject, image: string): boolean {
  const ref = parseImageRef(image);
  if (reportRepository(report) !== normalizeImage(ref.name)) return false;
  const artifact = report.report?.artifact ?? {};
  if (ref.digest && artifact.digest) return artifact.digest === ref.digest;
  if (!ref.tag && ref.digest) return false;
  return (artifact.tag || 'latest') === (ref.tag ?? 'latest');
}

const count = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;

/** What a report is of: the same image scanned for two containers counts once. */
function artifactOf(report: KubeObject): string {
  const artifact = report.report?.artifact ?? {};
  return `${reportRepository(report)}@${artifact.digest || artifact.tag || ''}`;
}

const time = (report: KubeObject) =>
  Date.parse(report.report?.updateTimestamp ?? '') || 0;

/**
 * The vulnerabilities of a workload's containers from its VulnerabilityReports: with `image`,
 * of the containers that run that image only (the version the environment runs; reports of
 * other images, an old ReplicaSet's or a sidecar's, are left out); without it, of every
 * container. An image scanned for several containers or ReplicaSets counts once (its newest
 * report). Counts come from each report's summary; `top` lists at most ten critical, then
 * high, findings. `null` when no report is about the image.
 */
export function vulnerabilityEvidenceOf(
  reports: readonly KubeObject[],
  options: { image?: string | null } = {},
): VulnerabilityEvidence | null {
  const image = options.image;
  const newest = new Map<string, KubeObject>();
  for (const report of reports) {
    if (!report.report) continue;
    if (image && !reportScans(report, image)) continue;
    const key = artifactOf(report);
    const known = newest.get(key);
    if (!known || time(report) > time(known)) newest.set(key, report);
  }
  const included = [...newest.values()];
  if (included.length === 0) return null;
  const sum = (field: string) =>
    included.reduce((total, r) => total + count(r.report.summary?.[field]), 0);
  const seen = new Set<string>();
  const findings: Array<
    VulnerabilityItem & { report: KubeObject; score: number }
  > = [];
  for (const report of included) {
    for (const v of report.report.vulnerabilities ?? []) {
      const severity = String(v?.severity).toUpperCase();
      if (severity !== 'CRITICAL' && severity !== 'HIGH') continue;
      const key = `${v.vulnerabilityID}/${v.resource}/${v.installedVersion}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        id: String(v.vulnerabilityID),
        package: v.resource ? String(v.resource) : null,
        severity: severity as VulnerabilitySeverity,
        installedVersion: v.installedVersion
          ? String(v.installedVersion)
          : null,
        fixedVersion: v.fixedVersion ? String(v.fixedVersion) : null,
        report,
        score: Number(v.score) || 0,
      });
    }
  }
  // Critical first, the highest score first within a severity (as the slim copies keep them).
  findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      b.score - a.score,
  );
  const top = findings.slice(0, TOP_FINDINGS);
  // The report of the worst finding; the oldest scan says how current the counts are.
  const severityOf = (r: KubeObject) =>
    count(r.report.summary?.criticalCount) * 1e6 +
    count(r.report.summary?.highCount);
  const primary =
    top[0]?.report ??
    included.reduce((worst, r) =>
      severityOf(r) > severityOf(worst) ? r : worst,
    );
  const oldest = included.reduce((a, b) => (time(b) < time(a) ? b : a));
  const scanner = primary.report.scanner;
  return {
    critical: sum('criticalCount'),
    high: sum('highCount'),
    medium: sum('mediumCount'),
    low: sum('lowCount'),
    unknown: sum('unknownCount'),
    source: 'VulnerabilityReport',
    scanner: scanner?.name
      ? `${scanner.name}${scanner.version ? ` ${scanner.version}` : ''}`
      : null,
    scannedAt: oldest.report.updateTimestamp ?? null,
    top: top.map(({ report: _report, score: _score, ...item }) => item),
    object: describeObject(primary),
  };
}

/** A resource a policy result may be about (`Kind`, name, namespace). */
export interface PolicyResource {
  kind: string;
  name: string;
  namespace: string;
}

/** The outcomes of a rule, worst first. */
const OUTCOMES = ['fail', 'error', 'warn', 'pass'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** Failures listed at most (each a distinct policy and rule). */
const FAILURES_MAX = 20;

/**
 * Kyverno checks a Pod with a policy's rule and its controllers with the `autogen-` copy of
 * it: one rule for counting.
 */
export function baseRule(rule: unknown): string {
  return String(rule ?? '').replace(/^autogen-(cronjob-)?/, '');
}

/**
 * The policy results of a workload from its PolicyReports: a rule of a policy counts once,
 * with its worst outcome over the workload's objects (its Deployment, ReplicaSets, Pods), so
 * a Pod and its Deployment failing the same rule is one failure. `fail` counts as failed,
 * `warn` and `error` as warned, `skip` not at all. Results of a report about a whole
 * namespace count only when they name one of `resources`. `null` without any report.
 */
export function policyEvidenceOf(
  reports: readonly KubeObject[],
  options: { resources?: readonly PolicyResource[] } = {},
): PolicyEvidence | null {
  if (reports.length === 0) return null;
  const wanted = options.resources
    ? new Set(options.resources.map(r => aboutKey(r.namespace, r.kind, r.name)))
    : undefined;
  const rules = new Map<
    string,
    {
      outcome: Outcome;
      failure?: PolicyEvidence['failures'][number];
    }
  >();
  for (const report of reports) {
    const own = report.metadata?.namespace ?? '';
    for (const result of report.results ?? []) {
      const outcome = result?.result as Outcome;
      if (!OUTCOMES.includes(outcome)) continue;
      const named: any[] = Array.isArray(result.resources)
        ? result.resources
        : [];
      const about =
        named.find(
          r =>
            !wanted ||
            wanted.has(aboutKey(r?.namespace ?? own, r?.kind, r?.name)),
        ) ?? (named.length === 0 ? report.scope : undefined);
      if (named.length > 0 && !about) continue;
      const key = `${result.policy}/${baseRule(result.rule)}`;
      const known = rules.get(key);
      if (
        known &&
        OUTCOMES.indexOf(known.outcome) <= OUTCOMES.indexOf(outcome)
      ) {
        continue;
      }
      rules.set(key, {
        outcome,
        failure:
          outcome === 'fail'
            ? {
                policy: String(result.policy),
                rule: result.rule ? String(result.rule) : null,
                message: String(result.message ?? ''),
                resource: about?.kind
                  ? describeObject({
                      kind: about.kind,
                      metadata: {
                        name: about.name,
                        namespace: about.namespace ?? own,
                      },
                    })
                  : null,
              }
            : undefined,
      });
    }
  }
  const outcomes = [...rules.values()];
  const tally = (...which: Outcome[]) =>
    outcomes.filter(r => which.includes(r.outcome)).length;
  return {
    passed: tally('pass'),
    failed: tally('fail'),
    warned: tally('warn', 'error'),
    source: 'PolicyReport',
    failures: outcomes
      .flatMap(r => (r.failure ? [r.failure] : []))
      .slice(0, FAILURES_MAX),
  };
}
