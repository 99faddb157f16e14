import { ConflictError, InputError } from '@backstage/errors';
import {
  PromotionGate,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * A change the policy refused: 409 for gates that wait or may be overridden (with `retryAt`
 * when the change may go in by itself then), carrying every gate; the router puts `gates`
 * and `retryAt` beside the error in the body.
 */
export class PolicyRefusedError extends ConflictError {
  constructor(
    message: string,
    readonly gates: PromotionGate[],
    readonly retryAt: string | null,
    /** The proposed version's supply-chain evidence, shown beside the refusal. */
    readonly evidence: VersionEvidence | null = null,
  ) {
    super(message);
  }
}

/** A change the config never allows (a source that is not allowed): 400, with its gates. */
export class PolicyInputError extends InputError {
  constructor(message: string, readonly gates: PromotionGate[]) {
    super(message);
  }
}
