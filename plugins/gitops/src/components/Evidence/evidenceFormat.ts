import {
  ProvenanceEvidence,
  SignatureEvidence,
  SupplyChainPolicy,
  VersionEvidence,
  VulnerabilityEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { commitUrl, shortRevision } from '../../lib';
import { shortDigest } from '../../lib/format';

/** The gates of the promotion policy that judge a version's supply chain. */
export const SUPPLY_CHAIN_GATES: ReadonlySet<string> = new Set([
  'signature',
  'vulnerabilities',
  'provenance',
  'policyReports',
  'podSecurity',
  'digest',
]);

/** How a part of the evidence reads: fine, worth a look, or wrong. */
export type EvidenceTone = 'ok' | 'neutral' | 'warning' | 'error';

/** The parts of the evidence line, in their order. */
export type EvidencePartKey =
  | 'signature'
  | 'vulnerabilities'
  | 'policies'
  | 'provenance'
  | 'podSecurity';

/** One part of the evidence line: its text, its tone, and more on hover. */
export interface EvidencePart {
  key: EvidencePartKey;
  text: string;
  tone: EvidenceTone;
  tooltip?: string;
}

const GITHUB_WORKFLOW =
  /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/\.github\/workflows\/([^@]+?)(?:@.*)?$/;

/**
 * A signer as people name it: a GitHub Actions workflow URL as `acme/guestbook release.yml`,
 * `key:<name>` as `key <name>`, another URL without its scheme and ref, an e-mail as it is.
 */
export function shortIdentity(identity: string): string {
  if (identity.startsWith('key:')) return `key ${identity.slice(4)}`;
  const workflow = GITHUB_WORKFLOW.exec(identity);
  if (workflow) {
    const file = workflow[3].split('/').pop();
    return `${workflow[1]}/${workflow[2]} ${file}`;
  }
  if (/^https?:\/\//.test(identity)) {
    return identity.replace(/^https?:\/\//, '').replace(/@refs\/.*$/, '');
  }
  return identity;
}

/** The reason of an `unknown` signature says it was not looked at yet (not a failure). */
export function notCheckedYet(reason: string | null): boolean {
  return /not (been )?(checked|read|verified|looked at) yet/i.test(
    reason ?? '',
  );
}

/** `signed by acme/guestbook release.yml`, `unsigned`, `invalid signature`, … */
export function signaturePart(signature: SignatureEvidence): EvidencePart {
  switch (signature.state) {
    case 'verified': {
      const { identity, issuer } = signature;
      const others = Math.max(0, (signature.signers?.length ?? 0) - 1);
      let text = 'signed';
      if (identity?.startsWith('key:')) {
        text = `signed with key ${identity.slice(4)}`;
      } else if (identity) {
        text = `signed by ${shortIdentity(identity)}`;
      }
      if (others > 0) text += ` +${others}`;
      const tooltip = identity
        ? `${identity}${issuer ? ` (${issuer})` : ''}`
        : undefined;
      return { key: 'signature', text, tone: 'ok', tooltip };
    }
    case 'unsigned':
      return {
        key: 'signature',
        text: 'unsigned',
        tone: 'warning',
        tooltip: signature.reason ?? 'No signature was found for this digest',
      };
    case 'invalid':
      return {
        key: 'signature',
        text: 'invalid signature',
        tone: 'error',
        tooltip: signature.reason ?? undefined,
      };
    default:
      return {
        key: 'signature',
        text: notCheckedYet(signature.reason)
          ? 'checking signature…'
          : 'signature unknown',
        tone: 'neutral',
        tooltip: signature.reason ?? undefined,
      };
  }
}

/** `0 critical, 3 high`: red with a critical finding, amber with a high one. */
export function vulnerabilitiesPart(
  vulnerabilities: VulnerabilityEvidence,
): EvidencePart {
  const { critical, high, medium, low } = vulnerabilities;
  let tone: EvidenceTone = 'ok';
  if (critical > 0) tone = 'error';
  else if (high > 0) tone = 'warning';
  return {
    key: 'vulnerabilities',
    text: `${critical} critical, ${high} high`,
    tone,
    tooltip: `${critical} critical, ${high} high, ${medium} medium, ${low} low${
      vulnerabilities.scanner ? ` (${vulnerabilities.scanner})` : ''
    }`,
  };
}

/** `acme/payments` for `https://github.com/acme/payments` or `git+https://…@refs/heads/main`. */
export function shortRepository(repository: string): string {
  return repository
    .replace(/^git\+/, '')
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/@.*$/, '')
    .replace(/\.git\/?$/, '')
    .replace(/^github\.com\//, '');
}

/** The repository of a SLSA source as a URL Git hosts know (no `git+`, no `@ref`). */
function repositoryUrl(repository: string): string {
  return repository.replace(/^git\+/, '').replace(/(\/\/[^@]*)@.*$/, '$1');
}

/** The commit page of a provenance's source, when its host is known. */
export function provenanceSourceUrl(
  provenance: ProvenanceEvidence,
): string | undefined {
  const { sourceRepository, sourceRevision } = provenance;
  if (!sourceRepository || !sourceRevision) return undefined;
  return commitUrl(repositoryUrl(sourceRepository), sourceRevision);
}

/** `acme/payments@4f3a2c1`, `acme/payments` or `4f3a2c1`; `null` when the source is not named. */
export function provenanceSource(
  provenance: ProvenanceEvidence,
): string | null {
  const repo = provenance.sourceRepository
    ? shortRepository(provenance.sourceRepository)
    : null;
  const revision = provenance.sourceRevision
    ? shortRevision(provenance.sourceRevision)
    : null;
  if (repo && revision) return `${repo}@${revision}`;
  return repo ?? revision;
}

/** `built from acme/payments@4f3a2c1`, or who built it when the source is not named. */
export function provenancePart(provenance: ProvenanceEvidence): EvidencePart {
  const source = provenanceSource(provenance);
  let text = 'has provenance';
  if (source) text = `built from ${source}`;
  else if (provenance.builder) {
    text = `built by ${shortIdentity(provenance.builder)}`;
  }
  return {
    key: 'provenance',
    text,
    tone: 'ok',
    tooltip: provenance.builder ? `builder ${provenance.builder}` : undefined,
  };
}

/**
 * The evidence as the parts of one line: signature, vulnerabilities, policies, provenance,
 * pod security. Parts without evidence are left out.
 */
export function evidenceParts(evidence: VersionEvidence): EvidencePart[] {
  const parts: EvidencePart[] = [signaturePart(evidence.signature)];
  if (evidence.vulnerabilities) {
    parts.push(vulnerabilitiesPart(evidence.vulnerabilities));
  }
  if (evidence.policies) {
    const { passed, failed } = evidence.policies;
    parts.push({
      key: 'policies',
      text: `policies ${passed}/${passed + failed}`,
      tone: failed > 0 ? 'error' : 'ok',
      tooltip: `${passed} passed, ${failed} failed`,
    });
  }
  if (evidence.provenance) parts.push(provenancePart(evidence.provenance));
  if (evidence.podSecurity) {
    const { level, findings } = evidence.podSecurity;
    parts.push({
      key: 'podSecurity',
      text: level,
      tone: level === 'restricted' ? 'ok' : 'warning',
      tooltip:
        findings.length > 0
          ? `Pod Security ${level}: ${findings.join('; ')}`
          : `Pod Security ${level}`,
    });
  }
  return parts;
}

/** The evidence line as plain text (`signed by … · 0 critical, 3 high · …`). */
export function evidenceText(evidence: VersionEvidence): string {
  return evidenceParts(evidence)
    .map(p => p.text)
    .join(' · ');
}

/** `sha256:4f3a2c1d…`, or `this version` when the digest is not known. */
export function digestLabel(digest: string | null): string {
  return digest ? shortDigest(digest) : 'this version';
}

/** The advisory page of a vulnerability, for CVE ids. */
export function vulnerabilityUrl(id: string): string | undefined {
  return /^CVE-\d{4}-\d+$/i.test(id)
    ? `https://avd.aquasec.com/nvd/${id.toLowerCase()}`
    : undefined;
}

/** A subject pattern of the policy as people read it: no anchors, no escapes, shortened. */
function shortSubject(subject: string): string {
  const plain = subject
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\\([./\\{}@-])/g, '$1');
  return shortIdentity(plain);
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/**
 * What the policy requires of a version's supply chain, one part each:
 * `signature by acme/{service} release.yml`, `0 critical`, `restricted`, …
 */
export function supplyChainRequirements(policy: SupplyChainPolicy): string[] {
  const parts: string[] = [];
  if (policy.requireSignature) {
    const signers = policy.requireSignature.identities.map(identity =>
      'key' in identity
        ? `key ${identity.key}`
        : shortSubject(identity.subject),
    );
    parts.push(
      signers.length > 0
        ? `signature by ${signers.join(' or ')}`
        : 'a signature',
    );
  }
  const max = policy.maxVulnerabilities ?? {};
  const limits = SEVERITIES.filter(s => typeof max[s] === 'number').map(s =>
    max[s] === 0 ? `0 ${s}` : `at most ${max[s]} ${s}`,
  );
  if (limits.length > 0) parts.push(limits.join(', '));
  if (policy.requireProvenance) {
    const { builders, sourceRepositories } = policy.requireProvenance;
    let text = 'provenance';
    if (builders.length > 0) {
      text += ` by ${builders.map(shortIdentity).join(' or ')}`;
    }
    if (sourceRepositories.length > 0) {
      text += ` from ${sourceRepositories.map(shortRepository).join(' or ')}`;
    }
    parts.push(text);
  }
  if (policy.policyReports === 'noFailures') parts.push('no policy failures');
  if (policy.podSecurity) parts.push(policy.podSecurity);
  if (policy.requireDigest) parts.push('digest pinned');
  return parts;
}
