import {
  GitopsVersion,
  PromotionGate,
  SupplyChainPolicy,
  VersionEvidence,
  VulnerabilityEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { formatVersion } from '../promotion/gates';
import { gate } from '../policy/policyGates';
import { allowsSigner, subjectPattern } from '../supplychain/identityPolicy';

/** What the supply-chain gates of one change look at; read by the caller, so this stays pure. */
export interface SupplyChainGateInput {
  policy: SupplyChainPolicy;
  /** The entity's name: `{service}` in identity and repository patterns. */
  service: string;
  /** The environment the version goes into. */
  to: string;
  /** Where the version comes from (its cluster's reports are the evidence); `null` if none. */
  from: string | null;
  version: GitopsVersion | null;
  /** The version's evidence; `null` when it could not be assembled at all. */
  evidence: VersionEvidence | null;
  /** The target pins its image by digest now (a promotion then writes the version's digest). */
  targetPinsDigest: boolean;
  /** A view's answer from caches only: missing evidence then waits ("checking"). */
  view: boolean;
  now: Date;
}

/** How long a change waits for evidence that could not be read before it asks again. */
const RETRY_MS = 60_000;

/**
 * The gates of `policy.supplyChain`, one per requirement, each with the evidence it read.
 * None of them may be overridden: a person on call can pass a freeze, not an unsigned image.
 */
export function supplyChainGates(input: SupplyChainGateInput): PromotionGate[] {
  const { policy } = input;
  const gates: PromotionGate[] = [];
  if (policy.requireSignature) gates.push(signatureGate(input));
  if (policy.maxVulnerabilities) gates.push(vulnerabilityGate(input));
  if (policy.requireProvenance) gates.push(provenanceGate(input));
  if (policy.policyReports) gates.push(policyReportsGate(input));
  if (policy.podSecurity) gates.push(podSecurityGate(input));
  if (policy.requireDigest) gates.push(digestGate(input));
  return gates;
}

function subjectOf(input: SupplyChainGateInput): string {
  const { version, evidence } = input;
  const name = version ? formatVersion(version) : 'the version';
  const digest = evidence?.digest ?? version?.digest ?? null;
  return digest && !name.includes(digest)
    ? `${name} (${shortDigest(digest)})`
    : name;
}

export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

/** Waits (a view: "checking") or fails, for evidence that could not be read. */
function unread(
  name: string,
  input: SupplyChainGateInput,
  what: string,
  reason: string | null,
): PromotionGate {
  return gate(
    name,
    'wait',
    `${what} of ${subjectOf(input)} ${
      input.view ? 'is being checked' : 'could not be read'
    }${reason ? `: ${reason}` : ''}`,
    {
      retryAt: new Date(input.now.getTime() + RETRY_MS).toISOString(),
    },
  );
}

/** A configured pattern, `{service}` filled in, matched against the whole value. */
export function matchesPattern(
  pattern: string,
  value: string,
  service: string,
): boolean {
  return subjectPattern(pattern, service).test(value);
}

/** A pattern as a person reads it: `{service}` filled in, `\.` written `.`. */
export function readablePattern(pattern: string, service: string): string {
  return pattern.split('{service}').join(service).replace(/\\(.)/g, '$1');
}

/** The expected signers in words, `{service}` filled in. */
export function describeSigners(
  policy: NonNullable<SupplyChainPolicy['requireSignature']>,
  service: string,
): string {
  return policy.identities
    .map(identity =>
      'key' in identity
        ? `key ${identity.key}`
        : `${readablePattern(identity.subject, service)}${
            identity.issuer ? ` (issuer ${identity.issuer})` : ''
          }`,
    )
    .join(' or ');
}

function signatureGate(input: SupplyChainGateInput): PromotionGate {
  const required = input.policy.requireSignature!;
  const expected = describeSigners(required, input.service);
  const signature = input.evidence?.signature;
  const subject = subjectOf(input);
  if (!signature || signature.state === 'unknown') {
    return unread(
      'signature',
      input,
      'The signature',
      signature?.reason ?? null,
    );
  }
  if (signature.state === 'unsigned') {
    return gate(
      'signature',
      'fail',
      `${subject} is not signed; ${input.to} requires a signature by ${expected}`,
      { evidence: { signature, digest: input.evidence?.digest ?? null } },
    );
  }
  if (signature.state === 'invalid') {
    return gate(
      'signature',
      'fail',
      `${subject} has no valid signature: ${signature.reason ?? 'invalid'}`,
      { evidence: { signature, digest: input.evidence?.digest ?? null } },
    );
  }
  const signers = signature.signers?.length
    ? signature.signers
    : [{ identity: signature.identity ?? '', issuer: signature.issuer }];
  const allowed = signers.find(signer =>
    required.identities.some(identity =>
      allowsSigner(identity, signer, input.service),
    ),
  );
  if (!allowed) {
    return gate(
      'signature',
      'fail',
      `${subject} is signed by ${signers
        .map(s => `${s.identity}${s.issuer ? ` (issuer ${s.issuer})` : ''}`)
        .join(', ')}, not by ${expected} as ${input.to} requires`,
      { evidence: { signature, digest: input.evidence?.digest ?? null } },
    );
  }
  return gate(
    'signature',
    'pass',
    `${subject} is signed by ${allowed.identity}`,
    {
      evidence: {
        identity: allowed.identity,
        issuer: allowed.issuer,
        digest: input.evidence?.digest ?? null,
        source: signature.source ?? null,
      },
    },
  );
}

function countsOf(v: VulnerabilityEvidence): string {
  return `${v.critical} critical, ${v.high} high, ${v.medium} medium, ${v.low} low`;
}

function vulnerabilityGate(input: SupplyChainGateInput): PromotionGate {
  const limits = input.policy.maxVulnerabilities!;
  const scan = input.evidence?.vulnerabilities;
  const subject = subjectOf(input);
  if (!scan) {
    if (!input.evidence || input.evidence.signature.state === 'unknown') {
      return unread('vulnerabilities', input, 'The vulnerability scan', null);
    }
    return gate(
      'vulnerabilities',
      'fail',
      `no vulnerability scan of ${subject} was found (neither an attestation nor a VulnerabilityReport${
        input.from ? ` in ${input.from}` : ''
      }); ${input.to} allows at most ${describeLimits(limits)}`,
    );
  }
  const over = (Object.keys(limits) as Array<keyof typeof limits>).filter(
    severity => scan[severity] > limits[severity]!,
  );
  const where = `${
    scan.source === 'attestation' ? 'attested scan' : 'VulnerabilityReport'
  }${scan.scanner ? ` by ${scan.scanner}` : ''}`;
  const evidence = {
    critical: scan.critical,
    high: scan.high,
    medium: scan.medium,
    low: scan.low,
    source: scan.source,
    scanner: scan.scanner,
    scannedAt: scan.scannedAt,
    top: scan.top.slice(0, 3),
  };
  if (over.length === 0) {
    return gate(
      'vulnerabilities',
      'pass',
      `${subject}: ${countsOf(scan)} (${where}), within ${describeLimits(
        limits,
      )}`,
      { evidence },
    );
  }
  const worst = scan.top
    .filter(v =>
      over.includes(v.severity.toLowerCase() as (typeof over)[number]),
    )
    .slice(0, 3)
    .map(
      v =>
        `${v.id}${v.package ? ` in ${v.package}` : ''}${
          v.fixedVersion ? ` (fixed in ${v.fixedVersion})` : ' (no fix yet)'
        }`,
    );
  return gate(
    'vulnerabilities',
    'fail',
    `${subject} has ${over
      .map(
        severity =>
          `${scan[severity]} ${severity} (at most ${limits[severity]})`,
      )
      .join(', ')} in ${input.to}${
      worst.length ? `: ${worst.join(', ')}` : ''
    } — ${where}`,
    { evidence },
  );
}

function describeLimits(
  limits: NonNullable<SupplyChainPolicy['maxVulnerabilities']>,
): string {
  return Object.entries(limits)
    .map(([severity, max]) => `${max} ${severity}`)
    .join(', ');
}

function provenanceGate(input: SupplyChainGateInput): PromotionGate {
  const required = input.policy.requireProvenance!;
  const provenance = input.evidence?.provenance;
  const subject = subjectOf(input);
  if (!provenance) {
    if (!input.evidence || input.evidence.signature.state === 'unknown') {
      return unread('provenance', input, 'The provenance', null);
    }
    return gate(
      'provenance',
      'fail',
      `${subject} has no verified SLSA provenance attestation; ${input.to} requires one`,
    );
  }
  const evidence = { ...provenance };
  const mismatch = (patterns: string[], value: string | null, what: string) =>
    patterns.length > 0 &&
    !patterns.some(p => value && matchesPattern(p, value, input.service))
      ? `${what} ${value ?? 'unknown'} is not one of ${patterns
          .map(p => readablePattern(p, input.service))
          .join(', ')}`
      : null;
  const problems = [
    mismatch(required.builders, provenance.builder, 'builder'),
    mismatch(
      required.sourceRepositories,
      provenance.sourceRepository,
      'source repository',
    ),
  ].filter((p): p is string => !!p);
  if (problems.length > 0) {
    return gate(
      'provenance',
      'fail',
      `${subject}'s provenance does not match ${
        input.to
      }'s policy: ${problems.join('; ')}`,
      { evidence },
    );
  }
  return gate(
    'provenance',
    'pass',
    `${subject} was built by ${provenance.builder ?? 'an unnamed builder'}${
      provenance.sourceRepository
        ? ` from ${provenance.sourceRepository}${
            provenance.sourceRevision
              ? `@${provenance.sourceRevision.slice(0, 7)}`
              : ''
          }`
        : ''
    }`,
    { evidence },
  );
}

function policyReportsGate(input: SupplyChainGateInput): PromotionGate {
  const reports = input.evidence?.policies;
  const subject = subjectOf(input);
  const where = input.from ?? input.to;
  if (!reports) {
    return gate(
      'policyReports',
      'fail',
      `no PolicyReport about ${subject} in ${where}${
        input.evidence?.notes?.length
          ? ` (${input.evidence.notes.join('; ')})`
          : ''
      }; ${input.to} requires its policies to pass`,
    );
  }
  const evidence = {
    passed: reports.passed,
    failed: reports.failed,
    failures: reports.failures.slice(0, 5),
  };
  if (reports.failed > 0) {
    return gate(
      'policyReports',
      'fail',
      `${reports.failed} failed polic${
        reports.failed === 1 ? 'y' : 'ies'
      } for ${subject} in ${where}: ${reports.failures
        .slice(0, 3)
        .map(f => `${f.policy}${f.rule ? `/${f.rule}` : ''}: ${f.message}`)
        .join('; ')}`,
      { evidence },
    );
  }
  return gate(
    'policyReports',
    'pass',
    `policies ${reports.passed}/${
      reports.passed + reports.failed
    } passed for ${subject} in ${where}`,
    { evidence },
  );
}

const LEVEL_RANK = { privileged: 0, baseline: 1, restricted: 2 } as const;

function podSecurityGate(input: SupplyChainGateInput): PromotionGate {
  const required = input.policy.podSecurity!;
  const pod = input.evidence?.podSecurity;
  if (!pod) {
    return gate(
      'podSecurity',
      'fail',
      `${input.to}'s pod template is not known (a chart that is not rendered?), so Pod Security "${required}" cannot be checked`,
    );
  }
  const evidence = { level: pod.level, findings: pod.findings.slice(0, 5) };
  if (LEVEL_RANK[pod.level] < LEVEL_RANK[required]) {
    return gate(
      'podSecurity',
      'fail',
      `${input.to}'s pod template meets Pod Security "${
        pod.level
      }", not "${required}": ${pod.findings.slice(0, 3).join('; ')}`,
      { evidence },
    );
  }
  return gate(
    'podSecurity',
    'pass',
    `${input.to}'s pod template meets Pod Security "${pod.level}"`,
    { evidence },
  );
}

function digestGate(input: SupplyChainGateInput): PromotionGate {
  const { version } = input;
  if (version?.digest) {
    return gate(
      'digest',
      'pass',
      `${formatVersion(version)} is pinned by digest`,
      { evidence: { digest: version.digest } },
    );
  }
  if (input.targetPinsDigest && version?.tag) {
    return gate(
      'digest',
      'pass',
      `${input.to} pins its image by digest: the promotion writes ${version.tag}'s digest`,
      { evidence: { digest: input.evidence?.digest ?? null } },
    );
  }
  return gate(
    'digest',
    'fail',
    `${input.to} requires the image pinned by digest; ${
      input.from ?? 'the source'
    } declares ${version ? formatVersion(version) : 'no version'} by tag only`,
  );
}
