import {
  GitopsScaling,
  GitopsVersion,
} from '@gitops-backstage/plugin-gitops-common';
import { formatVersion } from './gates';

/** Trailer that links a commit to the stored action that made it. */
export const ACTION_ID_TRAILER = 'Gitops-Action-Id';

/** What a commit message describes. */
export type MessageSubject =
  | {
      action: 'promote';
      from: string;
      before: GitopsVersion | null;
      after: GitopsVersion;
    }
  | {
      action: 'rollback';
      before: GitopsVersion | null;
      after: GitopsVersion;
      /** Short sha or tag the rollback returns to. */
      to: string;
    }
  | {
      action: 'scale';
      before: GitopsScaling;
      after: GitopsScaling;
    };

/**
 * A commit message that says what changed, in the conventional-commit shape people grep for:
 * `promote(staging): guestbook v1.0.4 → v1.0.5 (from dev)`, with the requester and the action
 * id as trailers.
 */
export function commitMessage(options: {
  service: string;
  environment: string;
  subject: MessageSubject;
  actor: { name: string; ref: string; trailers?: string[] };
  actionId: string;
}): string {
  const { service, environment, subject } = options;
  let summary: string;
  switch (subject.action) {
    case 'promote':
      summary = `${service} ${formatVersion(subject.before)} → ${formatVersion(
        subject.after,
      )} (from ${subject.from})`;
      break;
    case 'rollback':
      summary = `${service} ${formatVersion(subject.before)} → ${formatVersion(
        subject.after,
      )} (to ${subject.to})`;
      break;
    default:
      summary = `${service} ${scalingChange(subject.before, subject.after)}`;
  }
  return [
    `${subject.action}(${environment}): ${summary}`,
    '',
    `Requested-by: ${options.actor.name} <${options.actor.ref}>`,
    ...(options.actor.trailers ?? []),
    `${ACTION_ID_TRAILER}: ${options.actionId}`,
    '',
  ].join('\n');
}

function scalingChange(before: GitopsScaling, after: GitopsScaling): string {
  if (after.replicas !== null) {
    return `replicas ${before.replicas ?? '–'} → ${after.replicas}`;
  }
  const bounds = (s: GitopsScaling) =>
    `${s.minReplicas ?? '–'}–${s.maxReplicas ?? '–'}`;
  return `autoscaling ${bounds(before)} → ${bounds({
    replicas: null,
    minReplicas: after.minReplicas ?? before.minReplicas,
    maxReplicas: after.maxReplicas ?? before.maxReplicas,
  })}`;
}

/** The action id a commit message carries, if any. */
export function actionIdOf(message: string): string | null {
  const match = new RegExp(`^${ACTION_ID_TRAILER}: ([0-9a-f-]{36})$`, 'm').exec(
    message,
  );
  return match ? match[1] : null;
}
