import { GitopsAction } from '@gitops-backstage/plugin-gitops-common';

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
}
