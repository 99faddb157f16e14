import { ResponseError } from '@backstage/errors';
import {
  GateState,
  GitopsVersion,
  PromotionGate,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * The gates `gitops.override` may let through; the rest (an allowed source, a known version,
 * an evidence provider's verdict) need a change in Git or in the evidence.
 */
export const OVERRIDABLE_GATES: ReadonlySet<string> = new Set([
  'freeze',
  'window',
  'soak',
  'approvals',
  'verifiedIn',
  'healthySource',
]);

/** How the policy's gates read in the checklist; other names are shown as they come. */
const GATE_LABELS: Record<string, string> = {
  allowedSource: 'Allowed source',
  versionKnown: 'Version known',
  healthySource: 'Healthy source',
  soak: 'Soak time',
  verifiedIn: 'Verified',
  approvals: 'Approvals',
  window: 'Change window',
  freeze: 'Freeze',
  chartVersion: 'Chart version',
  signature: 'Signature',
  vulnerabilities: 'Vulnerabilities',
  provenance: 'Provenance',
  policyReports: 'Policy reports',
  podSecurity: 'Pod Security',
  digest: 'Digest pinned',
};

export function gateLabel(name: string): string {
  return GATE_LABELS[name] ?? name;
}

/** A gate's state; answers written before `state` existed only say `passed`. */
export function gateState(gate: PromotionGate): GateState {
  return gate.state ?? (gate.passed ? 'pass' : 'fail');
}

/** The gates that keep a change from going through. */
export function blockingGates(gates: PromotionGate[]): PromotionGate[] {
  return gates.filter(g => gateState(g) !== 'pass');
}

export function isOverridable(gate: PromotionGate): boolean {
  return OVERRIDABLE_GATES.has(gate.name);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An ISO time in the browser's time zone, the way a calendar says it: `Mon 9 Dec 09:00`, with
 * the year when it is not this year's.
 */
export function localTime(iso: string, now: number = Date.now()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const year =
    date.getFullYear() === new Date(now).getFullYear()
      ? ''
      : ` ${date.getFullYear()}`;
  return `${DAYS[date.getDay()]} ${date.getDate()} ${
    MONTHS[date.getMonth()]
  }${year} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A version as people name it: the tag, the chart version, or the digest's start. */
export function versionLabel(
  version: GitopsVersion | null | undefined,
): string {
  if (!version) return 'no version';
  return (
    version.tag ??
    version.chartVersion ??
    version.digest?.slice(0, 19) ??
    'no version'
  );
}

/** A version as the API takes it (`POST …/approvals`): the tag, chart version or digest. */
export function versionValue(
  version: GitopsVersion | null | undefined,
): string | undefined {
  return version?.tag ?? version?.chartVersion ?? version?.digest ?? undefined;
}

/** `prod`, `staging and prod`, `dev, staging and prod`. */
function names(list: string[]): string {
  if (list.length <= 1) return list.join('');
  return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/**
 * One freeze as a sentence: `prod is frozen until Mon 9 Dec 09:00: year-end freeze, set by
 * user:default/alice`.
 */
export function freezeSentence(
  environments: string[] | '*',
  freeze: { reason: string; until: string; by: string },
  now: number = Date.now(),
): string {
  let subject = 'Every environment is';
  if (environments !== '*') {
    subject = `${names(environments)} ${
      environments.length > 1 ? 'are' : 'is'
    }`;
  }
  return `${subject} frozen until ${localTime(freeze.until, now)}: ${
    freeze.reason
  }, set by ${freeze.by}`;
}

/** What went wrong, in the backend's words when it answered. */
export function errorMessage(error: Error): string {
  return error instanceof ResponseError ? error.cause.message : error.message;
}
