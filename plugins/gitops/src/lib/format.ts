import {
  DesiredAutoscaling,
  DesiredResources,
  DesiredState,
} from '@gitops-backstage/plugin-gitops-common';

/** Shown where Git sets nothing, so an empty cell is not mistaken for "still loading". */
export const NOTHING = '—';

/** Enough hex digits to tell digests apart by eye; the full value goes in a tooltip. */
const DIGEST_HEX_CHARS = 8;
/** Git's own default abbreviation length. */
const REVISION_CHARS = 7;

/**
 * `sha256:4b1e2f0c…` for a full digest; digests without an algorithm prefix are
 * shortened the same way.
 */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  const algorithm = colon >= 0 ? digest.slice(0, colon + 1) : '';
  const hex = digest.slice(algorithm.length);
  if (hex.length <= DIGEST_HEX_CHARS) {
    return digest;
  }
  return `${algorithm}${hex.slice(0, DIGEST_HEX_CHARS)}…`;
}

/** The image version as Git pins it: tag, digest or both (`tag@digest`). */
export function formatVersion(
  desired: Pick<DesiredState, 'tag' | 'digest' | 'chart' | 'imageSource'>,
  /** The chart version the cluster installed (`sync.chartVersion`), shown beside a range. */
  installedChart?: string | null,
): string {
  const { tag, digest, chart } = desired;
  if (!tag && !digest && desired.imageSource === 'chartDefaults' && chart) {
    // The image is the chart's default: the chart is the version.
    const installed =
      chart.range && installedChart ? ` (installed ${installedChart})` : '';
    return `chart ${chart.name.split('/').pop()} ${
      chart.version ?? 'any version'
    }${installed}`;
  }
  if (tag && digest) {
    return `${tag}@${shortDigest(digest)}`;
  }
  if (tag) {
    return tag;
  }
  if (digest) {
    return shortDigest(digest);
  }
  return NOTHING;
}

function formatReplicas(replicas: number): string {
  return `${replicas} ${replicas === 1 ? 'replica' : 'replicas'}`;
}

function formatAutoscaling(autoscaling: DesiredAutoscaling): string {
  const {
    minReplicas: min,
    maxReplicas: max,
    targetCPUUtilizationPercentage: cpu,
    targetMemoryUtilizationPercentage: memory,
  } = autoscaling;
  let range = 'HPA';
  if (min !== null && max !== null) {
    range = `HPA ${min}–${max}`;
  } else if (max !== null) {
    range = `HPA up to ${max}`;
  } else if (min !== null) {
    range = `HPA from ${min}`;
  }
  const parts = [range];
  if (cpu !== null) {
    parts.push(`CPU ${cpu}%`);
  }
  if (memory !== null) {
    parts.push(`mem ${memory}%`);
  }
  return parts.join(' · ');
}

/**
 * How the environment scales: a fixed replica count, an autoscaler, or both
 * (Git may still set a count the autoscaler starts from).
 */
export function formatScaling(
  desired: Pick<DesiredState, 'replicas' | 'autoscaling'>,
): string {
  const parts: string[] = [];
  if (desired.autoscaling) {
    parts.push(formatAutoscaling(desired.autoscaling));
  }
  if (desired.replicas !== null) {
    parts.push(formatReplicas(desired.replicas));
  }
  return parts.length ? parts.join(' · ') : NOTHING;
}

function formatPair(pair: { cpu: string | null; memory: string | null }) {
  if (pair.cpu === null && pair.memory === null) {
    return undefined;
  }
  return `${pair.cpu ?? NOTHING}/${pair.memory ?? NOTHING}`;
}

/**
 * Requests and limits as `cpu/memory`, e.g. `req 50m/64Mi · lim 100m/128Mi`;
 * a side Git does not set is left out rather than shown empty.
 */
export function formatResources(resources: DesiredResources | null): string {
  if (!resources) {
    return NOTHING;
  }
  const requests = formatPair(resources.requests);
  const limits = formatPair(resources.limits);
  const parts: string[] = [];
  if (requests) {
    parts.push(`req ${requests}`);
  }
  if (limits) {
    parts.push(`lim ${limits}`);
  }
  return parts.length ? parts.join(' · ') : NOTHING;
}

/**
 * A commit sha abbreviated the way git does; anything that is not a full sha
 * (a branch, a tag) is kept whole since cutting it would make it ambiguous.
 */
export function shortRevision(revision: string): string {
  if (/^[0-9a-f]{8,}$/i.test(revision)) {
    return revision.slice(0, REVISION_CHARS);
  }
  return revision;
}
