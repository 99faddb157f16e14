import { LocalGit } from './localGit';

/** An HTTP answer of the demo's extra routes. */
export interface Served {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const PREFIX = /^\/git\/([^/]+)\/raw\/(.+)$/;

/**
 * DEMO ONLY. The files of the repositories the demo follows, as a plain Git host serves them:
 * `GET /git/<repository>/raw/<branch>/<path>` answers the file's bytes at the branch's head, so
 * the Backstage catalog can read a new service's `catalog-info.yaml` from a URL (the app config
 * lists the demo under `backend.reading.allow`).
 *
 * Unauthenticated on purpose: the demo serves its own example repositories on 127.0.0.1 only.
 */
export class RawGitFiles {
  private readonly git = new LocalGit();

  constructor(
    /** Local repository paths by the names `gitops.repositories[].name` gives them. */
    private readonly repositories: Record<string, string>,
  ) {}

  /** Answers a `/git/…/raw/…` request, or `undefined` when the path is not one. */
  async handle(method: string, url: string): Promise<Served | undefined> {
    // The raw request path: a URL parser would fold `..` away before it could be refused.
    const match = PREFIX.exec(url.split('?')[0]);
    if (!match || (method !== 'GET' && method !== 'HEAD')) return undefined;
    let segments: string[];
    try {
      segments = match[2].split('/').map(decodeURIComponent);
    } catch {
      return answer(method, 400, 'malformed path');
    }
    if (segments.some(s => s === '..' || s === '.' || /[\0\\]/.test(s))) {
      return answer(method, 400, 'a path with . or .. segments is refused');
    }
    const name = decodeURIComponent(match[1]);
    const repository = new Map(Object.entries(this.repositories)).get(name);
    if (!repository) return answer(method, 404, `no repository ${name}`);
    // Branches may hold slashes (`gitops/hello/prod/1`); Git cannot have both `a` and `a/b`,
    // so at most one split of the segments names a branch.
    for (let i = 1; i < segments.length; i++) {
      const branch = segments.slice(0, i).join('/');
      const head = await this.git.resolveBranch(repository, branch);
      if (!head) continue;
      const file = segments.slice(i).join('/');
      const bytes = await this.git.readBlob(repository, head, file);
      if (!bytes) return answer(method, 404, `${file} not found on ${branch}`);
      return {
        status: 200,
        headers: {
          'content-type': bytes.includes(0)
            ? 'application/octet-stream'
            : 'text/plain; charset=utf-8',
          'content-length': String(bytes.length),
        },
        body: method === 'HEAD' ? '' : bytes,
      };
    }
    return answer(method, 404, `no branch of ${name} in ${match[2]}`);
  }
}

function answer(method: string, status: number, message: string): Served {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: method === 'HEAD' ? '' : `${message}\n`,
  };
}
