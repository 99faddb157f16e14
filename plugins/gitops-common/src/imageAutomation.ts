/**
 * What writes an environment's image by itself: Flux image automation
 * (ImageRepository → ImagePolicy → ImageUpdateAutomation), Argo CD Image Updater (its
 * `ImageUpdater` resource or its annotations on the Application), or the portal's own
 * auto-promotion.
 *
 * @public
 */
export type EnvironmentAutomationEngine =
  | 'flux-image-automation'
  | 'argocd-image-updater'
  | 'portal';

/**
 * One automation that writes an environment's image (`automation[]` of `/environments`).
 * `engine`, `policy`, `lastUpdateAt` and `error` are the contract; the rest says more.
 *
 * @public
 */
export interface EnvironmentAutomation {
  engine: EnvironmentAutomationEngine;
  /**
   * Which versions it takes: a semver range (`^1.x`), or the ordering it picks the latest by
   * (`alphabetical asc`, `numerical asc`, `newest-build`), with the tags it allows.
   * For the portal, e.g. `takes versions verified in dev`.
   */
  policy: string | null;
  /** When it last wrote a new version (a push to Git, or the Application's parameters). */
  lastUpdateAt: string | null;
  /** Why it stopped, naming the object: `ImagePolicy flux-system/guestbook-dev: …`. */
  error: string | null;
  /** The image it picked last (`ghcr.io/acme/guestbook:1.4.2`), when the engine says. */
  latestImage?: string | null;
  /** When it last ran through, whether or not it changed anything. */
  lastRunAt?: string | null;
  /** The commit of its last push to Git. */
  lastCommit?: string | null;
  /** How it writes: `git` (a commit to the branch), `argocd` (the Application's parameters). */
  writeBack?: string | null;
  /** The objects it is configured by, e.g. `ImagePolicy flux-system/guestbook-dev`. */
  objects?: string[];
  /** Suspended (Flux `spec.suspend`) or paused (the portal's pause). */
  paused?: boolean;
  /**
   * Another automation writes the same image, e.g. "Flux image automation and the portal's
   * auto-promotion from dev both write staging's image"; null when none does.
   */
  conflict?: string | null;
  /** For `portal`: the environment it takes versions from. */
  from?: string | null;
  /** Anything else worth a line (e.g. that the engine reports no status). */
  detail?: string | null;
}

/**
 * Whether an engine's image automation can be read in the environment's cluster:
 * `not installed` when its CRDs are not served (never an error), `unreadable` when the
 * account may not list them, `unknown` while the cache has not read them yet.
 *
 * @public
 */
export type ImageAutomationInstall =
  | 'installed'
  | 'not installed'
  | 'unreadable'
  | 'unknown';
