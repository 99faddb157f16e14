import { RolloutSide } from '@gitops-backstage/plugin-gitops-common';
import { parseImageRef } from '@gitops-backstage/plugin-gitops-repository';
import { KubeObject, condition } from '../kinds';
import { normalizeImage } from '../objectIndex';

/**
 * The image of the service's container among a pod's (or template's) containers: the one
 * of the image Git sets, else the one named like the workload, else the only or first one.
 * Sidecars (a mesh proxy injected beside it) are not the version being rolled out.
 */
export function serviceImage(
  containers: readonly any[] | undefined,
  options: { desiredImage?: string | null; workloadName?: string | null },
): string | null {
  const list = (containers ?? []).filter(c => c?.image);
  if (list.length === 0) return null;
  const wanted = options.desiredImage && normalizeImage(options.desiredImage);
  const byImage =
    wanted &&
    list.find(
      c => normalizeImage(parseImageRef(String(c.image)).name) === wanted,
    );
  const byName = list.find(c => c.name === options.workloadName);
  return String((byImage || byName || list[0]).image);
}

/** A pod whose Ready condition holds. */
export function isReadyPod(pod: KubeObject): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

/**
 * One side of a rollout from its pods: the service's image as they run it (the template's
 * when none runs, e.g. an aborted canary scaled to zero), and how many are ready.
 */
export function rolloutSide(
  revision: string | null,
  pods: readonly KubeObject[],
  templateImage: string | null,
  options: { desiredImage?: string | null; workloadName?: string | null },
): RolloutSide {
  const images = pods
    .map(p => serviceImage(p.spec?.containers, options))
    .filter((i): i is string => Boolean(i));
  return {
    image: images[0] ?? templateImage,
    revision,
    ready: pods.filter(isReadyPod).length,
    pods: pods.length,
  };
}

/** `12:04:10 UTC` of an RFC 3339 time; the time as given when it does not parse. */
export function timeOfDay(time: string | null | undefined): string | null {
  if (!time) return null;
  const parsed = Date.parse(time);
  return Number.isFinite(parsed)
    ? `${new Date(parsed).toISOString().slice(11, 19)} UTC`
    : time;
}

/** A Kubernetes duration (`30s`, `5m`, `1h`, `90` seconds) in seconds; null when unreadable. */
export function durationSeconds(value: unknown): number | null {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(value ?? '').trim());
  if (!match) return null;
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] ?? 's'] ?? 1;
  return Number(match[1]) * factor;
}

/** A count from an int-or-string field (`failureLimit: 3` or `"3"`); null otherwise. */
export function intOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return typeof value === 'string' && /^\d+$/.test(value)
    ? Number(value)
    : null;
}
