import { ChangesRepositoryMapping } from './changesConfig';

/**
 * An `org.opencontainers.image.source` as a plain web URL (`https://host/owner/repo`): `git+`,
 * `.git`, credentials, query and trailing slashes dropped, `git@host:path` and `ssh://` made
 * HTTPS. `null` for anything else (`file:`, `ext::`, a bare word): such a value never reaches
 * git.
 */
export function normalizeSourceUrl(text: string): string | null {
  let value = text.trim().replace(/^git\+/, '');
  if (/\/\.\.?(\/|$)/.test(value)) return null;
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(value);
  if (scp) value = `https://${scp[1]}/${scp[2]}`;
  // An ssh:// or git:// port is not the web server's; WHATWG URLs cannot switch those schemes.
  const other = /^(?:ssh|git):\/\/(?:[^/@]*@)?([\w.-]+)(?::\d+)?(\/.*)$/.exec(
    value,
  );
  if (other) value = `https://${other[1]}${other[2]}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const repoPath = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (!/^(\/[\w.~-]+)+$/.test(repoPath)) return null;
  return `${url.protocol}//${url.host}${repoPath}`;
}

/** How a source repository is compared. */
export type CompareRoute =
  | { kind: 'git'; cloneUrl: string }
  | { kind: 'github' }
  | { kind: 'none'; reason: string };

/**
 * Picks how to compare a source: an entry of `gitops.changes.repositories` (the longest
 * matching prefix, else the host) with the git CLI; else the GitHub API for a host with a
 * GitHub integration; else not at all. Only configured hosts are cloned: the URL comes from an
 * image annotation, which anyone who can push an image controls.
 */
export function compareRoute(
  source: string,
  mappings: ChangesRepositoryMapping[],
  hasGithubIntegration: (host: string) => boolean,
): CompareRoute {
  const host = new URL(source).host;
  const prefixes = mappings
    .filter(m => m.host.includes('/'))
    .map(m => ({ ...m, prefix: normalizeSourceUrl(m.host) }))
    .filter(
      (m): m is typeof m & { prefix: string } =>
        m.prefix !== null &&
        (source === m.prefix || source.startsWith(`${m.prefix}/`)),
    )
    .sort((a, b) => b.prefix.length - a.prefix.length);
  if (prefixes.length > 0) {
    const { prefix, url } = prefixes[0];
    return {
      kind: 'git',
      cloneUrl: url ? url + source.slice(prefix.length) : source,
    };
  }
  const byHost = mappings.find(m => !m.host.includes('/') && m.host === host);
  if (byHost) {
    return {
      kind: 'git',
      cloneUrl: byHost.url ? byHost.url + new URL(source).pathname : source,
    };
  }
  if (hasGithubIntegration(host)) return { kind: 'github' };
  return {
    kind: 'none',
    reason: `${host} is not in gitops.changes.repositories and has no GitHub integration, so ${source} is not compared`,
  };
}

/** Web pages of commits and pull requests, for the hosts whose URL scheme is known. */
export function sourceLinks(source: string | null): {
  commit(sha: string): string | null;
  pullRequest(number: number): string | null;
} {
  const host = source ? new URL(source).hostname : '';
  if (source && /(^|\.)github/.test(host)) {
    return {
      commit: sha => `${source}/commit/${sha}`,
      pullRequest: n => `${source}/pull/${n}`,
    };
  }
  if (source && /(^|\.)gitlab/.test(host)) {
    return {
      commit: sha => `${source}/-/commit/${sha}`,
      pullRequest: n => `${source}/-/merge_requests/${n}`,
    };
  }
  return { commit: () => null, pullRequest: () => null };
}
