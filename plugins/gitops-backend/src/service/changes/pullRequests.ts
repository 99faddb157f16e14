import { ChangeCommit } from '@gitops-backstage/plugin-gitops-common';
import { sourceLinks } from './sourceUrl';

/** A commit as git or the Git host lists it, before pull requests are attached. */
export interface LoggedCommit {
  sha: string;
  parents: string[];
  author: string;
  /** Author date, ISO 8601. */
  at: string;
  /** The whole commit message. */
  message: string;
}

/** A pull request number and title, found without asking the Git host. */
export interface FoundPullRequest {
  number: number;
  title: string;
}

const GITHUB_MERGE = /^Merge pull request #(\d+) from \S+/;
const GITLAB_MERGE = /^See merge request \S+!(\d+)\s*$/m;
const SQUASH = /\s*\(#(\d+)\)\s*$/;

/**
 * The pull request a commit message names itself: GitHub's merge commit ("Merge pull request
 * #12 from acme/x", the title on the next paragraph), GitLab's ("See merge request g/p!12"),
 * or a squash or rebase subject ending in "(#12)".
 */
export function ownPullRequest(message: string): FoundPullRequest | null {
  const [subject, ...body] = message.split('\n');
  const paragraph = body
    .map(line => line.trim())
    .find(line => line.length > 0 && !GITLAB_MERGE.test(line));
  const merge = GITHUB_MERGE.exec(subject);
  if (merge) return { number: Number(merge[1]), title: paragraph ?? subject };
  const gitlab = GITLAB_MERGE.exec(message);
  if (gitlab) return { number: Number(gitlab[1]), title: paragraph ?? subject };
  const squash = SQUASH.exec(subject);
  if (squash) {
    return { number: Number(squash[1]), title: subject.replace(SQUASH, '') };
  }
  return null;
}

/**
 * The pull request of each commit of a range: its own (see {@link ownPullRequest}), else that
 * of the merge on the mainline (first parents from `head`) that brought it in. `commits` are
 * the range's; parents outside it are not followed.
 */
export function attributePullRequests(
  commits: LoggedCommit[],
  head: string,
): Map<string, FoundPullRequest> {
  const bySha = new Map(commits.map(c => [c.sha, c]));
  const found = new Map<string, FoundPullRequest>();
  for (const commit of commits) {
    const own = ownPullRequest(commit.message);
    if (own) found.set(commit.sha, own);
  }
  const mainline: LoggedCommit[] = [];
  for (let c = bySha.get(head); c; c = bySha.get(c.parents[0] ?? '')) {
    if (mainline.includes(c)) break;
    mainline.push(c);
  }
  const onMainline = new Set(mainline.map(c => c.sha));
  const visited = new Set<string>();
  // Newest merge first: a commit two merges brought in belongs to the one that shipped it.
  for (const merge of mainline) {
    const pullRequest = found.get(merge.sha);
    if (!pullRequest || merge.parents.length < 2) continue;
    const stack = merge.parents.slice(1);
    while (stack.length > 0) {
      const sha = stack.pop()!;
      const commit = bySha.get(sha);
      if (!commit || onMainline.has(sha) || visited.has(sha)) continue;
      visited.add(sha);
      if (!found.has(sha)) found.set(sha, pullRequest);
      stack.push(...commit.parents);
    }
  }
  return found;
}

/** The answer's commits: first lines, authors, and pull requests with their links. */
export function toChangeCommits(
  commits: LoggedCommit[],
  pullRequests: Map<string, FoundPullRequest & { url?: string | null }>,
  source: string | null,
): ChangeCommit[] {
  const links = sourceLinks(source);
  return commits.map(commit => {
    const pullRequest = pullRequests.get(commit.sha);
    return {
      sha: commit.sha,
      author: commit.author,
      message: commit.message.split('\n')[0],
      at: commit.at,
      pullRequest: pullRequest
        ? {
            number: pullRequest.number,
            title: pullRequest.title,
            url: pullRequest.url ?? links.pullRequest(pullRequest.number),
          }
        : null,
      url: links.commit(commit.sha),
    };
  });
}

/** Distinct pull requests and authors, for "12 commits, 4 pull requests, 3 authors". */
export function countChanges(commits: ChangeCommit[]) {
  return {
    pullRequests: new Set(
      commits.flatMap(c => (c.pullRequest ? [c.pullRequest.number] : [])),
    ).size,
    authors: new Set(commits.map(c => c.author)).size,
  };
}
