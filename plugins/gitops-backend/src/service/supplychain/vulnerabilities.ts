import {
  VulnerabilityEvidence,
  VulnerabilityItem,
  VulnerabilitySeverity,
  VULNERABILITY_SEVERITIES,
} from '@gitops-backstage/plugin-gitops-common';
import { isSarifPredicate } from './predicates';

const SEVERITIES = VULNERABILITY_SEVERITIES;
const TOP = 10;

/**
 * Counts and worst findings of a vulnerability scan attestation: cosign's vuln predicate
 * (`scanner.result` a Trivy JSON report, or Grype's) or a SARIF log (Trivy, Grype, …).
 * `null` when the predicate holds no scan result this reads.
 */
export function parseVulnerabilityScan(
  predicateType: string,
  predicate: unknown,
  object: string | null = null,
): VulnerabilityEvidence | null {
  if (!predicate || typeof predicate !== 'object') return null;
  const scan = isSarifPredicate(predicateType)
    ? fromSarif(predicate as Record<string, any>)
    : fromCosignVuln(predicate as Record<string, any>);
  if (!scan) return null;
  return summarize(scan.items, scan.scanner, scan.scannedAt, object);
}

interface Scan {
  items: VulnerabilityItem[];
  scanner: string | null;
  scannedAt: string | null;
}

function fromCosignVuln(predicate: Record<string, any>): Scan | null {
  const scanner = predicate.scanner ?? {};
  const result = scanner.result;
  if (!result || typeof result !== 'object') return null;
  let items: VulnerabilityItem[];
  if (Array.isArray(result.Results)) items = trivyItems(result.Results);
  else if (Array.isArray(result.matches)) items = grypeItems(result.matches);
  else return null;
  const metadata = predicate.metadata ?? {};
  return {
    items,
    scanner: scannerName(scanner.uri, scanner.version),
    scannedAt:
      stringOr(metadata.scanFinishedOn) ??
      stringOr(metadata.scanStartedOn) ??
      stringOr(result.CreatedAt) ??
      null,
  };
}

/** Trivy's JSON report: `Results[].Vulnerabilities[]`. */
function trivyItems(results: any[]): VulnerabilityItem[] {
  return results.flatMap(result =>
    (Array.isArray(result?.Vulnerabilities) ? result.Vulnerabilities : [])
      .filter((v: any) => typeof v?.VulnerabilityID === 'string')
      .map(
        (v: any): VulnerabilityItem => ({
          id: v.VulnerabilityID,
          package: stringOr(v.PkgName) ?? null,
          severity: severityOf(v.Severity),
          installedVersion: stringOr(v.InstalledVersion) ?? null,
          fixedVersion: stringOr(v.FixedVersion) ?? null,
        }),
      ),
  );
}

/** Grype's JSON report: `matches[].vulnerability` and `.artifact`. */
function grypeItems(matches: any[]): VulnerabilityItem[] {
  return matches
    .filter(m => typeof m?.vulnerability?.id === 'string')
    .map(
      (m): VulnerabilityItem => ({
        id: m.vulnerability.id,
        package: stringOr(m.artifact?.name) ?? null,
        severity: severityOf(m.vulnerability.severity),
        installedVersion: stringOr(m.artifact?.version) ?? null,
        fixedVersion:
          stringOr(m.vulnerability.fix?.versions?.join?.(', ')) ?? null,
      }),
    );
}

/**
 * A SARIF 2.1.0 log. Severity comes from, in order: the rule's tags (Trivy tags rules
 * `CRITICAL`, `HIGH`, …), `Severity:` in the message (Trivy), the rule's CVSS
 * `security-severity` (GitHub's convention, Grype), and last the SARIF level.
 */
function fromSarif(log: Record<string, any>): Scan | null {
  if (!Array.isArray(log.runs)) return null;
  const items: VulnerabilityItem[] = [];
  let scanner: string | null = null;
  let scannedAt: string | null = null;
  for (const run of log.runs) {
    const driver = run?.tool?.driver ?? {};
    scanner ??= scannerName(driver.name, driver.version);
    const invocation = Array.isArray(run?.invocations)
      ? run.invocations[0]
      : undefined;
    scannedAt ??=
      stringOr(invocation?.endTimeUtc) ??
      stringOr(invocation?.startTimeUtc) ??
      null;
    const rules: any[] = Array.isArray(driver.rules) ? driver.rules : [];
    const ruleById = new Map(rules.map(r => [r?.id, r]));
    for (const result of Array.isArray(run?.results) ? run.results : []) {
      const rule =
        (typeof result?.ruleIndex === 'number'
          ? rules[result.ruleIndex]
          : undefined) ?? ruleById.get(result?.ruleId);
      const id = stringOr(result?.ruleId) ?? stringOr(rule?.id);
      if (!id) continue;
      const text = String(result?.message?.text ?? '');
      const pkg =
        match(text, /^Package: (.+)$/m) ?? match(text, /package: ([^,\s]+)/i);
      items.push({
        // Grype names its rules `<vulnerability>-<package>`.
        id: pkg && id.endsWith(`-${pkg}`) ? id.slice(0, -pkg.length - 1) : id,
        package: pkg ?? null,
        severity: sarifSeverity(rule, result, text),
        installedVersion:
          match(text, /^Installed Version: (.+)$/m) ??
          match(text, /, version ([^\s,]+)/) ??
          null,
        fixedVersion: match(text, /^Fixed Version: (.+)$/m) ?? null,
      });
    }
  }
  return { items, scanner, scannedAt };
}

function sarifSeverity(
  rule: any,
  result: any,
  text: string,
): VulnerabilitySeverity {
  const tags: unknown[] = Array.isArray(rule?.properties?.tags)
    ? rule.properties.tags
    : [];
  const tagged = tags
    .map(t => String(t).toUpperCase())
    .find(t => SEVERITIES.includes(t as VulnerabilitySeverity));
  if (tagged) return tagged as VulnerabilitySeverity;
  const said = match(text, /^Severity: (\w+)$/m);
  if (said) return severityOf(said);
  const score = Number(
    result?.properties?.['security-severity'] ??
      rule?.properties?.['security-severity'],
  );
  if (Number.isFinite(score) && score > 0) {
    // CVSS v3 qualitative ratings.
    if (score >= 9) return 'CRITICAL';
    if (score >= 7) return 'HIGH';
    if (score >= 4) return 'MEDIUM';
    return 'LOW';
  }
  const level = result?.level ?? rule?.defaultConfiguration?.level;
  if (level === 'error') return 'HIGH';
  if (level === 'warning') return 'MEDIUM';
  if (level === 'note') return 'LOW';
  return 'UNKNOWN';
}

/**
 * Counts by severity and the ten worst. A finding reported for several targets of one image
 * (Trivy lists a package per layer path) is counted once per package and installed version.
 */
export function summarize(
  items: VulnerabilityItem[],
  scanner: string | null,
  scannedAt: string | null,
  object: string | null,
): VulnerabilityEvidence {
  const unique = new Map<string, VulnerabilityItem>();
  for (const item of items) {
    const key = `${item.id} ${item.package ?? ''} ${
      item.installedVersion ?? ''
    }`;
    if (!unique.has(key)) unique.set(key, item);
  }
  const all = [...unique.values()];
  const count = (severity: VulnerabilitySeverity) =>
    all.filter(i => i.severity === severity).length;
  const top = all
    .map((item, index) => ({ item, index }))
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.item.severity) -
          SEVERITIES.indexOf(b.item.severity) || a.index - b.index,
    )
    .slice(0, TOP)
    .map(({ item }) => item);
  return {
    critical: count('CRITICAL'),
    high: count('HIGH'),
    medium: count('MEDIUM'),
    low: count('LOW'),
    unknown: count('UNKNOWN'),
    source: 'attestation',
    scanner,
    scannedAt,
    top,
    object,
  };
}

export function severityOf(value: unknown): VulnerabilitySeverity {
  const upper = String(value ?? '').toUpperCase();
  if (upper === 'NEGLIGIBLE') return 'LOW';
  return SEVERITIES.includes(upper as VulnerabilitySeverity)
    ? (upper as VulnerabilitySeverity)
    : 'UNKNOWN';
}

/** `pkg:github/aquasecurity/trivy@v0.50.1` and `0.50.1` → `trivy 0.50.1`. */
function scannerName(uri: unknown, version: unknown): string | null {
  const name = stringOr(uri)
    ?.replace(/^pkg:[^/]+\//, '')
    .replace(/@.*$/, '')
    .split('/')
    .pop();
  const v = stringOr(version) ?? stringOr(uri)?.match(/@v?([^@]+)$/)?.[1];
  if (!name) return null;
  return v ? `${name} ${v.replace(/^v/, '')}` : name;
}

function match(text: string, pattern: RegExp): string | undefined {
  return text.match(pattern)?.[1]?.trim() || undefined;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
