import {
  GateState,
  GitopsApproval,
  GitopsFreeze,
  EnvironmentStatus,
  PolicyChangeKind,
  PromotionGate,
  VerificationRecord,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentConfig } from '../config';
import { desiredVersion } from '../promotion/gates';
import { EnvironmentPolicy } from './policyConfig';
import {
  allowedSourceGate,
  approvalsGate,
  freezeGate,
  gate,
  healthyGate,
  soakGate,
  verifiedGate,
  versionKnownGate,
  windowGate,
} from './policyGates';
import {
  SupplyChainGateInput,
  supplyChainGates,
} from '../evidence/supplyChainGates';

export { coveringFreezes, shownValue } from './policyGates';

/** What the verification of the version looks like in one environment the policy names. */
export interface VerificationEvidence {
  environment: string;
  /** The record for the version there, or `null` when it was never verified there. */
  record: VerificationRecord | null;
  /** Whether that environment declares the version now (a record may still come). */
  declaresVersion: boolean;
}

/** An evidence provider's answer, already asked (the engine stays pure). */
export interface ProvidedGate {
  name: string;
  state: GateState;
  message: string;
  retryAt?: string | null;
  evidence?: Record<string, unknown> | null;
  links?: Array<{ title: string; url: string }>;
}

/** Everything one decision looks at; the engine reads no clock, store or network itself. */
export interface PolicyInput {
  kind: PolicyChangeKind;
  /** The environment the change goes into. */
  to: EnvironmentConfig;
  policy: EnvironmentPolicy;
  /** The source of a promotion (or automation); `null` for rollbacks and scaling. */
  from: EnvironmentConfig | null;
  /** The source environment as the environments endpoint shows it. */
  source: EnvironmentStatus | null;
  /** When the source's version arrived there in Git; `null` when unknown. */
  versionSince: Date | null;
  verifications: VerificationEvidence[];
  /** Approvals recorded for this version into `to` (any approver; the engine filters). */
  approvals: GitopsApproval[];
  /** The approvers in effect: the policy's, or the entity's owner. */
  approvers: string[];
  /** Who asks for the change (their approval never counts). */
  requester: string;
  /** Active freezes (the engine picks those covering `to`). */
  freezes: GitopsFreeze[];
  evidence: ProvidedGate[];
  /**
   * The proposed version's supply-chain evidence for `policy.supplyChain`'s gates; absent or
   * `null` when the policy requires nothing of it.
   */
  supplyChain?: SupplyChainFacts | null;
  /** Proceed past overridable gates, by whom and why (the caller checked the permission). */
  override: { by: string; reason: string } | null;
  /** The time zone to write times in, when no window names one. */
  timeZone: string;
  now: Date;
}

/** What the supply-chain gates read, besides the policy and the version. */
export type SupplyChainFacts = Pick<
  SupplyChainGateInput,
  'service' | 'evidence' | 'targetPinsDigest' | 'view'
>;

/** The engine's answer: every gate, and whether the change may go in. */
export interface PolicyDecision {
  gates: PromotionGate[];
  /** The proposed version's supply-chain evidence, when it was gathered (not by the engine). */
  evidence?: VersionEvidence | null;
  allowed: boolean;
  /** 400 for a path the config never allows, 409 for what may pass later or be overridden. */
  refusal: {
    status: 400 | 409;
    message: string;
    retryAt: string | null;
  } | null;
}

/** Gates that an on-call person with `gitops.override` may proceed past, with a reason. */
export const OVERRIDABLE_GATES = new Set([
  'freeze',
  'window',
  'soak',
  'approvals',
  'verifiedIn',
  'healthySource',
]);

const VERB: Record<PolicyChangeKind, string> = {
  promotion: 'Promotion',
  automation: 'Automatic promotion',
  rollback: 'Rollback',
  scale: 'Scaling',
};

/**
 * Decides one change: which gates apply to its kind, each gate's state with its evidence,
 * and whether the change goes in. Promotions and automation meet every gate; a rollback or a
 * scale skips the version's gates (source, soak, verification, approvals) but not a freeze
 * or a window. Only a person may override, never automation.
 */
export function evaluatePolicy(input: PolicyInput): PolicyDecision {
  const moving = input.kind === 'promotion' || input.kind === 'automation';
  const version = moving && input.source ? desiredVersion(input.source) : null;
  const gates: PromotionGate[] = [];
  if (moving) {
    gates.push(allowedSourceGate(input), versionKnownGate(input, version));
    if (input.to.requireHealthySource) gates.push(healthyGate(input, version));
    if (input.to.minSoakMinutes > 0) gates.push(soakGate(input, version));
    if (input.policy.verifiedIn.length > 0)
      gates.push(verifiedGate(input, version));
    if (input.policy.requiredApprovals > 0)
      gates.push(approvalsGate(input, version));
  }
  if (input.policy.windows.length > 0) gates.push(windowGate(input));
  gates.push(freezeGate(input));
  if (moving && input.policy.supplyChain) {
    // Without facts the gates see no evidence and refuse: required evidence never fails open.
    gates.push(
      ...supplyChainGates({
        ...(input.supplyChain ?? {
          service: '',
          evidence: null,
          targetPinsDigest: false,
          view: false,
        }),
        policy: input.policy.supplyChain,
        to: input.to.name,
        from: input.from?.name ?? null,
        version,
        now: input.now,
      }),
    );
  }
  if (moving) {
    for (const provided of input.evidence) {
      gates.push(
        gate(provided.name, provided.state, provided.message, {
          retryAt: provided.retryAt ?? null,
          evidence: provided.evidence ?? null,
          links: provided.links,
        }),
      );
    }
  }
  const overridden = applyOverride(gates, input);
  const blocking = overridden.filter(g => g.state !== 'pass');
  if (blocking.length === 0) {
    return { gates: overridden, allowed: true, refusal: null };
  }
  const verb = VERB[input.kind];
  const path = input.from
    ? `${input.from.name} → ${input.to.name}`
    : input.to.name;
  const message = `${verb} ${path} refused: ${blocking
    .map(g => `${g.name}: ${g.message}`)
    .join('; ')}`;
  // When every blocking gate only waits and says until when, the change may go in then.
  const retryAt = blocking.every(g => g.state === 'wait' && g.retryAt)
    ? blocking
        .map(g => g.retryAt!)
        .reduce((a, b) => (Date.parse(a) > Date.parse(b) ? a : b))
    : null;
  const status = blocking.some(g => g.name === 'allowedSource') ? 400 : 409;
  return {
    gates: overridden,
    allowed: false,
    refusal: { status, message, retryAt },
  };
}

function applyOverride(
  gates: PromotionGate[],
  input: PolicyInput,
): PromotionGate[] {
  const override = input.kind === 'automation' ? null : input.override;
  if (!override) return gates;
  return gates.map(g =>
    g.state !== 'pass' && OVERRIDABLE_GATES.has(g.name)
      ? {
          ...g,
          state: 'pass',
          passed: true,
          message: `${g.message} — overridden by ${override.by}: ${override.reason}`,
          override: { by: override.by, reason: override.reason },
        }
      : g,
  );
}
