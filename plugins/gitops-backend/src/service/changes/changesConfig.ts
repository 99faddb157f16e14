import { Config } from '@backstage/config';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the source repositories of one host or URL prefix are cloned from: `host` is a host
 * (`git.example.com`) or a URL prefix (`https://github.com/acme/guestbook`); `url`, when set,
 * replaces that prefix (a mirror, or the demo's `file://…` bare repository).
 */
export interface ChangesRepositoryMapping {
  host: string;
  url?: string;
}

/** `gitops.changes`, defaults applied. */
export interface ChangesConfig {
  repositories: ChangesRepositoryMapping[];
  /** Commits listed at most; more are `truncated`. */
  maxCommits: number;
  /** Folder of the blob-less mirrors of source repositories. */
  cacheDir: string;
  /** Comparisons kept in memory (each one pair of revisions). */
  cacheSize: number;
  /** GitHub calls per comparison asking which pull request a commit came with. */
  pullRequestLookups: number;
}

/** Reads `gitops.changes` from the `gitops` block. */
export function readChangesConfig(root: Config | undefined): ChangesConfig {
  const changes = root?.getOptionalConfig('changes');
  const repositories = (
    changes?.getOptionalConfigArray('repositories') ?? []
  ).map(entry => ({
    host: entry.getString('host').replace(/\/+$/, ''),
    url: entry.getOptionalString('url')?.replace(/\/+$/, ''),
  }));
  const maxCommits = changes?.getOptionalNumber('maxCommits') ?? 250;
  if (!(maxCommits >= 1 && maxCommits <= 10_000)) {
    throw new Error(
      `gitops.changes.maxCommits must be between 1 and 10000, not ${maxCommits}`,
    );
  }
  return {
    repositories,
    maxCommits,
    cacheDir:
      changes?.getOptionalString('cacheDir') ??
      path.join(os.tmpdir(), 'gitops-changes-cache'),
    cacheSize: changes?.getOptionalNumber('cacheSize') ?? 500,
    pullRequestLookups: changes?.getOptionalNumber('pullRequestLookups') ?? 20,
  };
}
