import {
  PromotionGate,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { desiredVersion } from '../promotion/gates';
import { PolicyInputError, PolicyRefusedError } from './PolicyRefusedError';
import { ChangeToDecide, PolicyService } from './PolicyService';

/** The gates of an allowed change (or a dry run), and the version's supply-chain evidence. */
export interface EnforcedPolicy {
  gates: PromotionGate[];
  evidence: VersionEvidence | null;
}

/**
 * Decides a change and holds it to the answer: a dry run gets every gate; otherwise a refusal
 * is thrown (400 for a path the config never allows, 409 with `retryAt` for the rest), after
 * recording the request of a promotion that waits for approvals — the request is what the
 * approvers answer, and its author cannot approve it. `notes` are informational gates shown
 * beside the policy's (e.g. a target that takes a chart range).
 */
export async function enforcePolicy(
  policy: PolicyService,
  change: Omit<ChangeToDecide, 'override'> & {
    override?: { reason: string };
    dryRun?: boolean;
    notes?: PromotionGate[];
  },
): Promise<EnforcedPolicy> {
  const { dryRun, notes = [], override, ...rest } = change;
  const decision = await policy.decide({
    ...rest,
    override: override
      ? { by: change.requester, reason: override.reason }
      : null,
  });
  const gates = [...decision.gates, ...notes];
  const evidence = decision.evidence ?? null;
  if (!decision.refusal || dryRun) return { gates, evidence };
  const source = change.from
    ? change.statuses.find(s => s.name === change.from!.name)
    : undefined;
  const proposed = source ? desiredVersion(source) : null;
  if (
    proposed &&
    gates.some(g => g.name === 'approvals' && g.state === 'wait')
  ) {
    await policy.recordProposal(
      change.entity,
      change.to.name,
      proposed,
      change.requester,
    );
  }
  const { status, message, retryAt } = decision.refusal;
  if (status === 400) throw new PolicyInputError(message, gates);
  throw new PolicyRefusedError(message, gates, retryAt, evidence);
}
