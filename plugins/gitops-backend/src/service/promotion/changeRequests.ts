import { GitopsAction } from '@gitops-backstage/plugin-gitops-common';

/** Who asks for a change; becomes the commit author. */
export interface Actor {
  /** User entity ref (or the service principal's subject). */
  ref: string;
  name: string;
  email: string;
}

/** `POST …/promotions`. */
export interface PromoteRequest {
  from: string;
  to: string;
  dryRun?: boolean;
}

/** `POST …/rollback`: a tag, or the version the environment had at a revision. */
export interface RollbackRequest {
  environment: string;
  toRevision?: string;
  toTag?: string;
  dryRun?: boolean;
}

/** `POST …/scale`: replicas, or autoscaler bounds. */
export interface ScaleRequest {
  environment: string;
  replicas?: number;
  autoscaling?: { minReplicas?: number; maxReplicas?: number };
  dryRun?: boolean;
}

/** An answer and the HTTP status it goes out with. */
export interface ActionResult {
  httpStatus: 200 | 201;
  action: GitopsAction;
}
