/**
 * Links from a repository URL to its Git host's web pages: a commit, and a file at a line.
 * Pure: the host is told by its name, so an unknown host (or a local path) gets no link and
 * the UI shows the plain text instead of a link that leads nowhere.
 */

type GitHost = 'github' | 'gitlab' | 'bitbucket' | 'azure';

/** A repository on a known host: the host kind and the repository's web address. */
interface WebRepo {
  host: GitHost;
  /** e.g. `https://github.com/acme/gitops` or `https://dev.azure.com/o/p/_git/r` */
  url: string;
}

function hostKind(hostname: string): GitHost | undefined {
  const host = hostname.toLowerCase();
  if (host === 'github.com' || host.startsWith('github.')) return 'github';
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) return 'gitlab';
  if (host === 'bitbucket.org') return 'bitbucket';
  if (
    host === 'dev.azure.com' ||
    host === 'ssh.dev.azure.com' ||
    host.endsWith('.visualstudio.com')
  ) {
    return 'azure';
  }
  return undefined;
}

/** Host, port (web URLs only) and repository path of an https, ssh or scp-like Git URL. */
function splitRepoUrl(
  repo: string,
): { hostname: string; port: string; path: string } | undefined {
  const trimmed = repo.trim();
  // scp-like: git@github.com:acme/gitops.git (no scheme, a colon before the path)
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(trimmed);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    return { hostname: scp[1], port: '', path: scp[2] };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') {
    return { hostname: url.hostname, port: url.port, path: url.pathname };
  }
  // The port of an ssh URL is the ssh server's, not the web server's.
  if (url.protocol === 'ssh:' || url.protocol === 'git+ssh:') {
    return { hostname: url.hostname, port: '', path: url.pathname };
  }
  return undefined; // file://, git:// and the like have no web pages
}

/** The web address of a repository on a known host; `undefined` otherwise. */
function webRepo(repo: string): WebRepo | undefined {
  const parts = splitRepoUrl(repo);
  if (!parts) return undefined;
  const host = hostKind(parts.hostname);
  if (!host) return undefined;
  const segments = parts.path
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter(Boolean);
  if (host === 'azure') {
    return azureRepo(parts.hostname, segments);
  }
  // GitLab groups nest (group/subgroup/repo); the others are owner/repo.
  if (segments.length < 2 || (host !== 'gitlab' && segments.length !== 2)) {
    return undefined;
  }
  const origin = `https://${parts.hostname}${
    parts.port ? `:${parts.port}` : ''
  }`;
  return { host, url: `${origin}/${segments.join('/')}` };
}

/**
 * Azure DevOps: `dev.azure.com/org/project/_git/repo`, `org.visualstudio.com/project/_git/repo`
 * and over ssh `ssh.dev.azure.com:v3/org/project/repo`.
 */
function azureRepo(hostname: string, segments: string[]): WebRepo | undefined {
  const host = hostname.toLowerCase();
  if (host === 'ssh.dev.azure.com' || host.startsWith('vs-ssh.')) {
    if (segments.length !== 4 || segments[0] !== 'v3') return undefined;
    const [, org, project, name] = segments;
    return {
      host: 'azure',
      url: `https://dev.azure.com/${org}/${project}/_git/${name}`,
    };
  }
  const git = segments.indexOf('_git');
  if (git < 1 || git !== segments.length - 2) return undefined;
  return { host: 'azure', url: `https://${host}/${segments.join('/')}` };
}

function encodePath(path: string): string {
  return path
    .split('/')
    .filter(p => p && p !== '.')
    .map(encodeURIComponent)
    .join('/');
}

/**
 * The web page of a commit, e.g. `https://github.com/acme/gitops/commit/3f2a9c8…`;
 * `undefined` for a host without known pages.
 */
export function commitUrl(repo: string, revision: string): string | undefined {
  const web = webRepo(repo);
  if (!web || !revision) return undefined;
  const sha = encodeURIComponent(revision);
  switch (web.host) {
    case 'gitlab':
      return `${web.url}/-/commit/${sha}`;
    case 'bitbucket':
      return `${web.url}/commits/${sha}`;
    default: // GitHub and Azure DevOps
      return `${web.url}/commit/${sha}`;
  }
}

/**
 * The web page of a file at a ref (a branch or a commit), at a line when given, e.g.
 * `https://github.com/acme/gitops/blob/3f2a9c8…/apps/guestbook/values.yaml#L12`;
 * `undefined` for a host without known pages.
 */
export function fileUrl(
  repo: string,
  ref: string,
  path: string,
  line?: number,
): string | undefined {
  const web = webRepo(repo);
  const file = encodePath(path);
  if (!web || !ref || !file) return undefined;
  const hasLine = line !== undefined && line > 0;
  switch (web.host) {
    case 'github':
      return `${web.url}/blob/${encodePath(ref)}/${file}${
        hasLine ? `#L${line}` : ''
      }`;
    case 'gitlab':
      return `${web.url}/-/blob/${encodePath(ref)}/${file}${
        hasLine ? `#L${line}` : ''
      }`;
    case 'bitbucket':
      return `${web.url}/src/${encodePath(ref)}/${file}${
        hasLine ? `#lines-${line}` : ''
      }`;
    case 'azure': {
      // GC names a commit, GB a branch.
      const version = /^[0-9a-f]{7,40}$/i.test(ref) ? `GC${ref}` : `GB${ref}`;
      return `${web.url}?path=/${file}&version=${encodeURIComponent(version)}${
        hasLine ? `&line=${line}` : ''
      }`;
    }
    default:
      return undefined;
  }
}
