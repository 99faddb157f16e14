import { ScmIntegrationRegistry } from '@backstage/integration';
import { VerificationCheckKind } from '@gitops-backstage/plugin-gitops-node';
import { Octokit } from '@octokit/rest';
import { createAnalysisRunCheck } from './analysisRunCheck';
import { createCommitStatusCheck } from './commitStatusCheck';
import { createHttpCheck } from './httpCheck';
import { createPrometheusCheck } from './prometheusCheck';

export { createAnalysisRunCheck } from './analysisRunCheck';
export { createCommitStatusCheck } from './commitStatusCheck';
export type { CommitStatusCheckKindOptions } from './commitStatusCheck';
export { createHttpCheck } from './httpCheck';
export { createPrometheusCheck } from './prometheusCheck';
export type { PrometheusCheckKindOptions } from './prometheusCheck';
export { checkTemplateValues, fillCheckTemplate } from './template';
export { compare, parseThreshold } from './threshold';
export type { Threshold } from './threshold';

/** Options of {@link builtInCheckKinds}. */
export interface BuiltInCheckKindsOptions {
  integrations: ScmIntegrationRegistry;
  /** `gitops.verification.prometheus.url`. */
  prometheusUrl?: string | null;
  /** Replaces the GitHub client of the `commitStatus` kind (tests). */
  octokitFor?: (host: string, repository: string) => Promise<Octokit>;
}

/**
 * The check kinds every installation has: `http`, `prometheus`, `commitStatus` and
 * `analysisRun`.
 */
export function builtInCheckKinds(
  options: BuiltInCheckKindsOptions,
): VerificationCheckKind[] {
  return [
    createHttpCheck(),
    createPrometheusCheck({ defaultUrl: options.prometheusUrl ?? undefined }),
    createCommitStatusCheck({
      integrations: options.integrations,
      octokitFor: options.octokitFor,
    }),
    createAnalysisRunCheck(),
  ];
}
