import {
  ChangeCommit,
  VersionChanges,
} from '@gitops-backstage/plugin-gitops-common';
import { commitUrl } from '../../lib';

function count(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "12 commits, 4 pull requests, 3 authors", counting every commit, not only those shown. */
export function changesSummary(changes: VersionChanges): string {
  return [
    count(changes.totalCommits, 'commit', 'commits'),
    count(changes.pullRequests, 'pull request', 'pull requests'),
    count(changes.authors, 'author', 'authors'),
  ].join(', ');
}

/** A commit's web page: the backend's link, else one for a known Git host; none otherwise. */
export function commitLink(
  changes: Pick<VersionChanges, 'source'>,
  commit: ChangeCommit,
): string | undefined {
  if (commit.url) return commit.url;
  return changes.source ? commitUrl(changes.source, commit.sha) : undefined;
}
