import { Config } from '@backstage/config';

/** `gitops.automation`, defaults applied. */
export interface AutomationSettings {
  intervalMs: number;
  /** Verifications finished this long before a start are still acted on. */
  lookbackMs: number;
  maxAttempts: number;
  backoffMs: number;
  /** When a refusal names no `retryAt` (e.g. a failing source), ask again after this long. */
  waitRetryMs: number;
  claimTimeoutMs: number;
  /** The commit author of automated changes. */
  author: { name: string; email: string; ref: string };
}

/** Reads `gitops.automation` (the portal's auto-promotion and auto-rollback). */
export function readAutomationSettings(
  root: Config | undefined,
): AutomationSettings {
  const automation = root?.getOptionalConfig('automation');
  const seconds = (key: string, fallback: number) => {
    const value = automation?.getOptionalNumber(key) ?? fallback;
    if (!(value > 0)) {
      throw new Error(`gitops.automation.${key} must be more than 0`);
    }
    return value * 1000;
  };
  const maxAttempts = automation?.getOptionalNumber('maxAttempts') ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(
      'gitops.automation.maxAttempts must be a whole number, 1 or more',
    );
  }
  return {
    intervalMs: seconds('intervalSeconds', 15),
    lookbackMs: seconds('lookbackHours', 24) * 3600,
    maxAttempts,
    backoffMs: seconds('backoffSeconds', 30),
    waitRetryMs: seconds('waitRetrySeconds', 300),
    claimTimeoutMs: seconds('claimTimeoutSeconds', 300),
    author: {
      name:
        automation?.getOptionalString('author.name') ??
        'Backstage GitOps automation',
      email:
        automation?.getOptionalString('author.email') ??
        'gitops-automation@backstage.invalid',
      ref: 'plugin:gitops/automation',
    },
  };
}
