import { KubeConfig } from '@kubernetes/client-node';
import { promises as fs } from 'node:fs';

/**
 * Longest time a token file's content is trusted without reading it again, whatever its
 * metadata says: client-go re-reads its token file every minute, and an editor or a copy can
 * rewrite a file with the same size within the same mtime tick.
 */
export const TOKEN_FILE_MAX_AGE_MS = 60_000;

/** The credentials could not be read (a token file missing or empty): says which cluster and file. */
export class ClusterCredentialsError extends Error {
  readonly name = 'ClusterCredentialsError';
}

/**
 * A cluster's client config whose credentials can change while the backend runs. Bound
 * service-account tokens expire (hourly): the kubelet rewrites the projected token file, and
 * every request after that must carry the new token. Before each request the token file is
 * checked (a stat: inode, size, mtime — the kubelet swaps a symlink, so the inode changes)
 * and read again when it changed or is a minute old. {@link refreshCredentials} forgets every
 * cached credential — the token file's and an exec plugin's — for a retry after a 401.
 *
 * Every request path goes through one of the two overridden methods: `applyToFetchOptions`
 * (lists, watches, rollout requests) calls `applyToHTTPSOptions`; the generated API clients
 * (engine actions) call `applySecurityAuthentication`.
 */
export class RotatingKubeConfig extends KubeConfig {
  private tokenFile?: string;
  private fileToken?: string;
  private fileKey?: string;
  private readAt = 0;
  private authQueue: Promise<void> = Promise.resolve();

  constructor(
    /** The cluster's name in the config, for messages. */
    readonly clusterName: string,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /**
   * Takes the current user's token from this file from now on. A user loaded with the
   * client's own `tokenFile` provider (in-cluster) is taken over: that provider reads the
   * file synchronously, only every minute, and cannot be told to read it again after a 401.
   */
  useTokenFile(path: string) {
    this.tokenFile = path;
    this.fileToken = undefined;
    this.fileKey = undefined;
    const user = this.getCurrentUser();
    if (user?.authProvider?.config?.tokenFile) {
      (user as { authProvider?: unknown }).authProvider = undefined;
    }
  }

  /** The token file of a user loaded with the client's `tokenFile` provider, if any. */
  adoptProviderTokenFile() {
    const file = this.getCurrentUser()?.authProvider?.config?.tokenFile;
    if (typeof file === 'string' && file) this.useTokenFile(file);
  }

  /** The token file read before each request, if any. */
  tokenFilePath(): string | undefined {
    return this.tokenFile;
  }

  override async applyToHTTPSOptions(
    opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0],
  ): Promise<void> {
    return this.oneAtATime(async () => {
      await this.syncTokenFile(false);
      await super.applyToHTTPSOptions(opts);
    });
  }

  override async applySecurityAuthentication(
    context: Parameters<KubeConfig['applySecurityAuthentication']>[0],
  ): Promise<void> {
    return this.oneAtATime(async () => {
      await this.syncTokenFile(false);
      await super.applySecurityAuthentication(context);
    });
  }

  /**
   * With an exec plugin, credentials are worked out one request at a time: the client runs
   * the plugin for every request until one has cached its credential, and the informers
   * starting together would otherwise run dozens of `aws eks get-token` at once.
   */
  private oneAtATime(apply: () => Promise<void>): Promise<void> {
    if (!this.getCurrentUser()?.exec) return apply();
    const next = this.authQueue.then(apply);
    this.authQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * Forgets the cached credentials, so the next request reads the token file again and runs
   * the exec plugin again. Called once after a 401: the API server no longer accepts what was
   * sent, which is what a rotated or revoked token looks like.
   */
  async refreshCredentials(): Promise<void> {
    this.clearExecCache();
    await this.syncTokenFile(true);
  }

  private async syncTokenFile(force: boolean) {
    const file = this.tokenFile;
    if (!file) return;
    let key: string;
    try {
      const stat = await fs.stat(file);
      key = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch (error: any) {
      // A kubelet swap is atomic, so a missing file is a real fault; an old token may still
      // be accepted until it expires, and a 401 will say so.
      if (this.fileToken !== undefined) return;
      throw new ClusterCredentialsError(
        `cluster ${this.clusterName}: cannot read the token file ${file} (${
          error?.code ?? 'error'
        })`,
      );
    }
    const fresh =
      !force &&
      key === this.fileKey &&
      this.fileToken !== undefined &&
      this.now() - this.readAt < TOKEN_FILE_MAX_AGE_MS;
    if (fresh) return;
    const token = (await fs.readFile(file, 'utf8')).trim();
    if (!token) {
      if (this.fileToken !== undefined) return;
      throw new ClusterCredentialsError(
        `cluster ${this.clusterName}: the token file ${file} is empty`,
      );
    }
    this.fileToken = token;
    this.fileKey = key;
    this.readAt = this.now();
    const user = this.getCurrentUser();
    // The client sends `user.token` after any provider's header, so it wins.
    if (user) (user as { token?: string }).token = token;
  }

  /**
   * The client's exec provider caches a credential until its `expirationTimestamp`, in a map
   * it keeps private: emptied here, the plugin runs again on the next request (what client-go
   * does after a 401).
   */
  private clearExecCache() {
    const authenticators: unknown[] = (this as any).authenticators ?? [];
    for (const authenticator of authenticators) {
      const cache = (authenticator as { tokenCache?: Record<string, unknown> })
        .tokenCache;
      if (cache && typeof cache === 'object') {
        for (const name of Object.keys(cache)) delete cache[name];
      }
    }
  }
}

/** The cluster's name for messages: the config's name, or the kubeconfig's cluster. */
export function clusterNameOf(kubeConfig: KubeConfig): string {
  if (kubeConfig instanceof RotatingKubeConfig) return kubeConfig.clusterName;
  return kubeConfig.getCurrentCluster()?.name ?? 'unnamed';
}

/** Forgets cached credentials of a config that can; false when there is nothing to refresh. */
export async function refreshCredentials(
  kubeConfig: KubeConfig,
): Promise<boolean> {
  if (!(kubeConfig instanceof RotatingKubeConfig)) return false;
  await kubeConfig.refreshCredentials();
  return true;
}

/**
 * Sends a request with the cluster's current credentials; when the API server answers 401,
 * re-reads the credentials and sends it once more — never more, so a revoked account fails
 * after two requests instead of looping. The second answer is returned whatever it is; the
 * caller reports it. `discard` releases an unread response body (a socket otherwise).
 */
export async function sendWithFreshCredentials<
  R extends { status: number; body?: unknown },
>(kubeConfig: KubeConfig, send: (init: any) => Promise<R>): Promise<R> {
  const first = await send(await kubeConfig.applyToFetchOptions({}));
  if (first.status !== 401) return first;
  if (!(await refreshCredentials(kubeConfig))) return first;
  discard(first);
  return send(await kubeConfig.applyToFetchOptions({}));
}

function discard(response: { body?: unknown }) {
  const body = response.body as { resume?: () => void } | null | undefined;
  body?.resume?.();
}

/** The message of a 401 after the retry: which cluster, and that fresh credentials failed too. */
export function unauthorizedMessage(
  kubeConfig: KubeConfig,
  what: string,
): string {
  return `cluster ${clusterNameOf(
    kubeConfig,
  )} refused the backend's credentials (401) ${what}, also after reading them again: check the token, token file or exec plugin of the cluster`;
}
