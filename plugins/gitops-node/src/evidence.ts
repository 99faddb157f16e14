import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { ProgressiveRollout } from '@gitops-backstage/plugin-gitops-common';

/**
 * A version as the evidence sees it: an image tag, a digest pin, or a chart version.
 *
 * @public
 */
export interface EvidenceVersion {
  tag: string | null;
  digest: string | null;
  chartVersion?: string | null;
}

/**
 * What a verification check runs against: the service, the environment and the version it
 * runs there, Synced and Healthy.
 *
 * @public
 */
export interface VerificationContext {
  entityRef: string;
  /** The entity's name, `{service}` in templates. */
  service: string;
  environment: string;
  /** The environment's namespace, `{namespace}` in templates. */
  namespace: string;
  version: EvidenceVersion;
  /** Image repository the environment runs, when known. */
  image: string | null;
  /** The Git commit the environment's state was read at (the GitOps repository). */
  revision: string | null;
  /** The entity's annotations (e.g. `github.com/project-slug` for commit statuses). */
  annotations: Record<string, string>;
  /** The values `{placeholders}` of a check's templates are filled with. */
  templateValues: Record<string, string>;
  /**
   * The environment's progressive rollout (Argo Rollouts, Flagger) as the watches show it
   * when the check runs; absent or `null` without one.
   */
  rollout?: ProgressiveRollout | null;
}

/**
 * The result of one check. `Error` means the check could not be evaluated (its source did
 * not answer): the run is retried with backoff.
 *
 * @public
 */
export interface VerificationCheckOutcome {
  state: 'Passed' | 'Failed' | 'Inconclusive' | 'Error';
  value: number | string | null;
  threshold: string | null;
  detail: string;
  links?: Array<{ title: string; url: string }>;
}

/**
 * One configured check: its name, its kind and the rest of its config block as written.
 *
 * @public
 */
export interface VerificationCheckSpec {
  name: string;
  kind: string;
  /** The check's own keys (`url`, `query`, `threshold`, …). */
  options: Record<string, unknown>;
}

/**
 * A kind of verification check (`http`, `prometheus`, `commitStatus` are built in).
 *
 * @public
 */
export interface VerificationCheckKind {
  /** The `kind` value in config that selects it. */
  kind: string;
  /** Throws with a message naming the bad key when a check's options are not usable. */
  validate?(spec: VerificationCheckSpec): void;
  run(
    spec: VerificationCheckSpec,
    context: VerificationContext,
    signal: AbortSignal,
  ): Promise<VerificationCheckOutcome>;
}

/**
 * What a gate of an evidence provider is asked about: one version going into one environment.
 *
 * @public
 */
export interface EvidenceGateInput {
  entityRef: string;
  environment: string;
  /** The source environment of a promotion; `null` for rollbacks and scaling. */
  from: string | null;
  version: EvidenceVersion | null;
  image: string | null;
  kind: 'promotion' | 'rollback' | 'scale' | 'automation';
  /** The provider's options from `gitops.environments[].policy.evidence[]`. */
  options: Record<string, unknown>;
}

/**
 * The answer of an evidence provider's gate; the policy engine adds its name.
 *
 * @public
 */
export interface EvidenceGateResult {
  state: 'pass' | 'fail' | 'wait';
  message: string;
  retryAt?: string | null;
  evidence?: Record<string, unknown> | null;
  links?: Array<{ title: string; url: string }>;
}

/**
 * A source of evidence a policy may require (`policy.evidence: [{ provider: <name> }]`):
 * signatures, scans, an external change-management system. It must answer from what it has
 * recorded or cached; it is asked on every dry run and change, never per page view.
 *
 * @public
 */
export interface EvidenceProvider {
  name: string;
  evaluate(
    input: EvidenceGateInput,
    signal?: AbortSignal,
  ): Promise<EvidenceGateResult>;
}

/**
 * The interface of {@link gitopsEvidenceProvidersExtensionPoint}.
 *
 * @public
 */
export interface GitopsEvidenceProvidersExtensionPoint {
  addEvidenceProvider(provider: EvidenceProvider): void;
}

/**
 * Lets backend modules add evidence that promotion policies can require.
 *
 * @public
 */
export const gitopsEvidenceProvidersExtensionPoint =
  createExtensionPoint<GitopsEvidenceProvidersExtensionPoint>({
    id: 'gitops.evidence-providers',
  });

/**
 * The interface of {@link gitopsVerificationChecksExtensionPoint}.
 *
 * @public
 */
export interface GitopsVerificationChecksExtensionPoint {
  /** Adds a check kind, or replaces the built-in one of the same `kind`. */
  addCheckKind(kind: VerificationCheckKind): void;
}

/**
 * Lets backend modules add kinds of verification check (e.g. a load test, Datadog).
 *
 * @public
 */
export const gitopsVerificationChecksExtensionPoint =
  createExtensionPoint<GitopsVerificationChecksExtensionPoint>({
    id: 'gitops.verification-checks',
  });
