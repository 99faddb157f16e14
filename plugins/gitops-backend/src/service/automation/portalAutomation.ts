import {
  AutomationEvent,
  AutomationPause,
  PortalAutomationEntry,
} from '@gitops-backstage/plugin-gitops-common';
import { GitopsConfig } from '../config';

/**
 * The portal automation entries of an environment: one for auto-promotion and one for
 * auto-rollback, as configured, each with its latest event and the environment's pause.
 */
export function describeAutomation(
  config: GitopsConfig,
  entityRef: string,
  environment: string,
  state: {
    promotion?: AutomationEvent;
    rollback?: AutomationEvent;
    paused?: AutomationPause;
  },
): PortalAutomationEntry[] {
  const policy = config.policies[environment];
  if (!policy) return [];
  const entry = (
    kind: 'promotion' | 'rollback',
    text: string,
    last: AutomationEvent | undefined,
  ): PortalAutomationEntry => ({
    engine: 'portal',
    kind,
    policy: text,
    lastUpdateAt: last?.state === 'Done' ? last.at : null,
    error: last?.state === 'Error' ? last.message : null,
    paused: !!state.paused,
    pause: state.paused ?? null,
    from: kind === 'promotion' ? policy.autoPromotion?.from ?? null : null,
    detail: last?.message ?? null,
    last: last ?? null,
  });
  const entries: PortalAutomationEntry[] = [];
  const auto = policy.autoPromotion;
  if (auto && (!auto.entities || auto.entities.includes(entityRef))) {
    entries.push(
      entry(
        'promotion',
        `takes versions verified in ${auto.from}`,
        state.promotion,
      ),
    );
  }
  if (policy.rollbackOnFailedVerification) {
    entries.push(
      entry(
        'rollback',
        `rolls back a version that fails verification in ${environment}`,
        state.rollback,
      ),
    );
  }
  return entries;
}
