import path from 'node:path';

/**
 * The remote as the git CLI must see it from inside a mirror: a relative local path (as written
 * in config, relative to the backend's working directory) is made absolute.
 *
 * @public
 */
export function pushUrl(url: string): string {
  const isLocalPath =
    !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^[^/]+@[^/:]+:/.test(url);
  return isLocalPath ? path.resolve(url) : url;
}

/**
 * Whether a refused push means the branch moved underneath it (re-plan and retry): a
 * `[rejected]` non-fast-forward or lease failure, or a concurrent update the remote saw while
 * locking the ref. A `[remote rejected]` for any other reason (a hook, a checked-out branch)
 * cannot be fixed by retrying.
 */
export function isBranchMoved(stderr: string): boolean {
  return (
    /\[rejected\].*\((non-fast-forward|fetch first|stale info|already exists)\)/i.test(
      stderr,
    ) || /cannot lock ref|incorrect old value provided/i.test(stderr)
  );
}

/** The remote answered and refused the push (a rejection, a hook): the remote is up. */
export function isRefused(stderr: string): boolean {
  return /\[(remote )?rejected\]|cannot lock ref|incorrect old value provided|hook declined/i.test(
    stderr,
  );
}

/**
 * Whether a failed `git fetch` failed on a ref of the local mirror, not on the remote: the
 * branch moved between the fetch reading it and writing it ("cannot lock ref …: is at X but
 * expected Y", "unable to update local ref"), or another update held its lock file. The remote
 * answered: fetching again succeeds.
 */
export function isLocalRefRace(stderr: string): boolean {
  return /cannot lock ref|unable to update local ref|\.lock'?: File exists/i.test(
    stderr,
  );
}
