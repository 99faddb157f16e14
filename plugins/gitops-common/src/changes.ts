/**
 * One end of a comparison: the version as written (a tag, a `sha256:` digest or a chart
 * version) and the source commit it was built from, when its annotations say.
 *
 * @public
 */
export interface ChangesEndpoint {
  /** The version as written in Git or asked for; null when the environment runs none. */
  version: string | null;
  /** The commit the version was built from (`org.opencontainers.image.revision`); null when unknown. */
  revision: string | null;
}

/**
 * A pull request a commit came in with: found from merge commits ("Merge pull request #12
 * from …"), squash subjects ("… (#12)") or the Git host's API.
 *
 * @public
 */
export interface ChangePullRequest {
  number: number;
  title: string;
  /** Its web page; null when the source's host has no known pull request pages. */
  url: string | null;
}

/**
 * A commit between the version an environment runs and the proposed one.
 *
 * @public
 */
export interface ChangeCommit {
  /** Full commit sha. */
  sha: string;
  /** Author name. */
  author: string;
  /** The first line of the commit message. */
  message: string;
  /** Author date, ISO 8601. */
  at: string;
  pullRequest: ChangePullRequest | null;
  /** The commit's web page, for hosts with known commit pages; null otherwise. */
  url?: string | null;
}

/**
 * Answer of `GET /entities/:namespace/:kind/:name/changes?environment=&to=`: what will ship
 * when `to` replaces the version the environment runs. Commits are newest first.
 *
 * When the source of either version is not known (no `org.opencontainers.image.source` or
 * `.revision` annotation, a host not configured for comparisons), the answer says why in
 * `unknownSource` and lists no commits: it is still a 200, never an error.
 *
 * @public
 */
export interface VersionChanges {
  entityRef: string;
  environment: string;
  from: ChangesEndpoint;
  to: ChangesEndpoint;
  commits: ChangeCommit[];
  /** More commits than `maxCommits` lie between the two: `commits` holds the newest ones. */
  truncated: boolean;
  /** The source repository's web URL (from the annotations), normalised; null when unknown. */
  source: string | null;
  /** Why the commits cannot be listed, in a sentence; null when they are. */
  unknownSource: string | null;
  /** Commits in `to` not in `from`, including the ones `truncated` left out. */
  totalCommits: number;
  /** Commits in `from` that `to` does not have (a rollback or a diverged version). */
  removedCommits: number;
  /** Distinct pull requests among `commits`. */
  pullRequests: number;
  /** Distinct author names among `commits`. */
  authors: number;
  /** How the commits were found: the git CLI, the GitHub API, or neither. */
  comparedWith: 'git' | 'github' | null;
}
