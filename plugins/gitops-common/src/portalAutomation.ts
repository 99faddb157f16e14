import { GitopsVersion } from './actions';
import { EnvironmentAutomation } from './imageAutomation';

/**
 * What the portal's own automation does: take a version into an environment by itself
 * (`policy.autoPromotion`), or roll a version back that failed verification there
 * (`policy.rollbackOnFailedVerification`).
 *
 * @public
 */
export type AutomationEventKind = 'promotion' | 'rollback';

/**
 * Where one event of the portal's automation stands. `Waiting`: due, or held back by a gate
 * until `nextAttemptAt`; `Claimed`: an instance acts on it now; `Done`: the change was made
 * (`actionId`); `Refused`: the policy never allows it, or nothing to roll back to;
 * `Superseded`: Git moved on before it could act; `Error`: its attempts are spent.
 *
 * @public
 */
export type AutomationEventState =
  | 'Waiting'
  | 'Claimed'
  | 'Done'
  | 'Refused'
  | 'Superseded'
  | 'Error';

/**
 * One event of the portal's automation (`GET …/automation`): a version taken into an
 * environment, or a failed version rolled back.
 *
 * @public
 */
export interface AutomationEvent {
  entityRef: string;
  environment: string;
  kind: AutomationEventKind;
  /** The version taken (promotion) or the version that failed (rollback). */
  version: GitopsVersion;
  /** Where a promotion takes the version from. */
  sourceEnvironment: string | null;
  state: AutomationEventState;
  /** What happened, in one line. */
  message: string | null;
  /** The change it made (`GET /actions/:id`). */
  actionId: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  /** When it last changed. */
  at: string;
}

/**
 * An environment of an entity whose portal automation somebody paused.
 *
 * @public
 */
export interface AutomationPause {
  entityRef: string;
  environment: string;
  by: string;
  reason: string | null;
  at: string;
}

/**
 * `POST …/automation`: pause or resume the portal's automation of an environment.
 *
 * @public
 */
export interface AutomationPauseRequest {
  environment: string;
  paused: boolean;
  reason?: string;
}

/**
 * The portal's own automation of an environment as the lanes show it: an entry of the
 * environments answer's `automation` with engine `portal`, one for auto-promotion and one for
 * auto-rollback, with its latest event and the environment's pause.
 *
 * @public
 */
export interface PortalAutomationEntry extends EnvironmentAutomation {
  engine: 'portal';
  kind: AutomationEventKind;
  /** Who paused it and why, when somebody did (`paused` says whether). */
  pause: AutomationPause | null;
  /** Its latest event. */
  last: AutomationEvent | null;
}

/**
 * `GET|POST …/automation`: what the portal's automation does in each environment of an entity
 * (with the engines' entries left out), and its events, newest first.
 *
 * @public
 */
export interface AutomationResponse {
  environments: Array<{ name: string; automation: PortalAutomationEntry[] }>;
  items: AutomationEvent[];
}
