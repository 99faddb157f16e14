import type { RolloutAnalysisMetric } from '@gitops-backstage/plugin-gitops-common';
import {
  VerificationCheckKind,
  VerificationCheckOutcome,
  VerificationCheckSpec,
  VerificationContext,
} from '@gitops-backstage/plugin-gitops-node';
import { CheckOptions } from './options';

/**
 * `kind: analysisRun`: the analysis the environment's progressive rollout ran for the version
 * (an Argo Rollouts AnalysisRun, a Flagger Canary's checks) is the evidence. Verification
 * runs once the environment is settled, so the rollout has completed: its last analysis of the
 * revision now stable must have succeeded. Options: `metrics`, the metric names that must have
 * been measured (default: every metric of the run).
 *
 * A rollout that ran no analysis is Inconclusive (nothing was measured); one whose analysis is
 * still running, or an environment whose Rollout is not in the watches yet, is `Error`, which
 * the runner retries with backoff.
 */
export function createAnalysisRunCheck(): VerificationCheckKind {
  return {
    kind: 'analysisRun',
    validate(spec) {
      new CheckOptions(spec).stringList('metrics');
    },
    async run(spec, context) {
      return judge(spec, context);
    },
  };
}

function judge(
  spec: VerificationCheckSpec,
  context: VerificationContext,
): VerificationCheckOutcome {
  const required = new CheckOptions(spec).stringList('metrics') ?? [];
  const rollout = context.rollout ?? null;
  const threshold = required.length ? `metrics ${required.join(', ')}` : null;
  const outcome = (
    state: VerificationCheckOutcome['state'],
    detail: string,
    value: string | null = null,
  ): VerificationCheckOutcome => ({ state, value, threshold, detail });
  if (!rollout) {
    return outcome(
      'Error',
      `${context.environment} has no Argo Rollouts Rollout or Flagger Canary in the cluster's watches`,
    );
  }
  const label = `${rollout.kind} ${rollout.namespace}/${rollout.name}`;
  const analysis = rollout.analysis;
  if (!analysis) {
    return outcome('Inconclusive', `${label} ran no analysis`);
  }
  const stable = rollout.stable?.revision ?? null;
  if (analysis.revision && stable && analysis.revision !== stable) {
    return outcome(
      'Inconclusive',
      `${label}: the last analysis (${analysis.name}) was of revision ${analysis.revision}, not of the stable ${stable}`,
    );
  }
  const missing = required.filter(
    name => !analysis.metrics.some(m => m.name === name),
  );
  const measured = analysis.metrics.filter(
    m => !required.length || required.includes(m.name),
  );
  const value = measured.map(summary).join('; ') || null;
  const detail = `${analysis.name} ${analysis.state}${
    analysis.message ? `: ${analysis.message}` : ''
  }`;
  if (missing.length) {
    return outcome(
      'Inconclusive',
      `${label}: ${analysis.name} has no metric ${missing.join(', ')}`,
      value,
    );
  }
  switch (analysis.state) {
    case 'Successful':
      return outcome('Passed', detail, value);
    case 'Failed':
    case 'Error':
      return outcome('Failed', detail, value);
    case 'Inconclusive':
      return outcome('Inconclusive', detail, value);
    default:
      // Pending or Running: the run is retried until the analysis ends.
      return outcome('Error', `${detail} (not finished)`, value);
  }
}

/** `success-rate 3/3 successful, last [0.99] (result[0] >= 0.95)`. */
function summary(metric: RolloutAnalysisMetric): string {
  const last = metric.measurements[metric.measurements.length - 1];
  const condition = metric.successCondition ?? metric.failureCondition;
  return `${metric.name} ${metric.successful}/${metric.count} successful${
    last?.value ? `, last ${last.value}` : ''
  }${condition ? ` (${condition})` : ''}`;
}
