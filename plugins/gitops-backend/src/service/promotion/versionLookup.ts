import { ConflictError } from '@backstage/errors';
import {
  DesiredState,
  GitopsVersion,
  HistoryItem,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * The version to write into an environment: one that pins images by digest gets the digest of
 * the promoted tag (from the registry), so the pinning style of the environment is kept.
 */
export async function versionForTarget(
  current: DesiredState,
  version: GitopsVersion,
  resolveDigest: (
    image: string,
    tag: string,
    signal?: AbortSignal,
  ) => Promise<string | null>,
  signal?: AbortSignal,
): Promise<GitopsVersion> {
  const pinsDigest = current.tag === null && current.digest !== null;
  if (!pinsDigest || version.digest !== null || version.tag === null) {
    return version;
  }
  const digest = await resolveDigest(current.image ?? '', version.tag, signal);
  if (!digest) {
    throw new ConflictError(
      `${current.source.path} pins ${current.image} by digest, and the digest of ${version.tag} is unknown: add the registry to gitops.registries or promote a digest`,
    );
  }
  return { tag: null, digest };
}

/**
 * When a version arrived in an environment's Git history (newest first): the oldest commit of
 * the unbroken run of commits that still have it; `null` when the history does not reach it.
 */
export function versionArrival(
  items: HistoryItem[],
  version: GitopsVersion,
): Date | null {
  let since: string | null = null;
  for (const item of items) {
    if (!item.changes.includes('version')) continue;
    if (item.tag !== version.tag || item.digest !== version.digest) break;
    since = item.committedAt;
  }
  return since ? new Date(since) : null;
}
