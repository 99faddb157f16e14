import { GitopsAction } from '@gitops-backstage/plugin-gitops-common';
import type { Request } from 'express';

export type {
  PromoteRequest,
  RollbackRequest,
  ScaleRequest,
} from '@gitops-backstage/plugin-gitops-common';

/** Who asks for a change; becomes the commit author. */
export interface Actor {
  /** User entity ref (or the service principal's subject). */
  ref: string;
  name: string;
  email: string;
  /** More commit trailers, e.g. the policy an automated change follows. */
  trailers?: string[];
}

/** An answer and the HTTP status it goes out with. */
export interface ActionResult {
  httpStatus: 200 | 201;
  action: GitopsAction;
  /** The answer of an earlier request with the same `Idempotency-Key`: nothing was written. */
  replayed?: boolean;
}

/** How a change was asked for, besides its body. */
export interface ChangeOptions {
  /**
   * The client's `Idempotency-Key`: a request repeated with the same key answers the first
   * one's record instead of writing again (after a time-out, a lost answer, a double click).
   */
  idempotencyKey?: string;
  /** The portal's auto-promotion asks: the policy decides it as automation. */
  automation?: boolean;
  /**
   * The HTTP request that asked, when one did: the auditor takes the caller, address and
   * path from it. The automation has none.
   */
  request?: Request;
}
