import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { NOTHING, formatVersion } from '../../lib/format';
import { versionGap } from '../../lib/versionGap';

/** What the control between two lanes says, and why it is off when there is nothing to do. */
export interface PromoteControl {
  /** The visible text, e.g. `Promote v1.0.5 →`. */
  label: string;
  /** The accessible name: the visible text's words plus both environments. */
  ariaLabel: string;
  /** Why there is nothing to promote; absent when a promotion makes sense. */
  nothingToPromote?: string;
}

/**
 * The promote control from `from` to `to`: names the version `from` asks for, and is off when
 * `from` has no version to give or `to` already asks for it.
 */
export function promoteControl(
  from: EnvironmentStatus,
  to: EnvironmentStatus,
): PromoteControl {
  const version = from.desired ? formatVersion(from.desired) : NOTHING;
  const known = version !== NOTHING;
  const label = known ? `Promote ${version} →` : 'Promote →';
  const ariaLabel = known
    ? `Promote ${version} from ${from.name} to ${to.name}`
    : `Promote ${from.name} to ${to.name}`;
  if (!from.desired) {
    return {
      label,
      ariaLabel,
      nothingToPromote: from.error
        ? `${from.name} could not be read: ${from.error}`
        : `${from.name} has no desired state to promote`,
    };
  }
  if (!known) {
    return {
      label,
      ariaLabel,
      nothingToPromote: `${from.name} names no version in Git`,
    };
  }
  if (versionGap(to, from)?.kind === 'same') {
    return {
      label,
      ariaLabel,
      nothingToPromote: `${to.name} already asks for ${version}`,
    };
  }
  return { label, ariaLabel };
}
