import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { GitRepositoryStaleness } from '@gitops-backstage/plugin-gitops-node';
import { redactCredentials } from './runGit';

/**
 * The repositories whose remote stopped answering, keyed by mirror folder: reads then answer
 * from the mirror's last fetched revision, and say so, until a fetch succeeds again.
 *
 * @public
 */
export class FetchOutages {
  private readonly outages = new Map<string, GitRepositoryStaleness>();

  constructor(private readonly logger: LoggerService) {}

  /** Notes a failed fetch or push; `since` stays the time of the first failure in a row. */
  failed(key: string, url: string, error: unknown) {
    // git's first line says what failed; the rest is advice ("check your access rights").
    const lastError = redactCredentials(
      (error instanceof Error ? error.message : String(error)).split('\n')[0],
    );
    const known = this.outages.get(key);
    if (known) {
      known.lastError = lastError;
      return;
    }
    this.outages.set(key, {
      repository: redactCredentials(url),
      since: new Date().toISOString(),
      lastError,
      revision: null,
    });
    this.logger.warn(
      `${redactCredentials(
        url,
      )} does not answer (${lastError}); reads answer from the last fetched revision`,
    );
  }

  /** A fetch succeeded: the repository is current again. */
  recovered(key: string) {
    const known = this.outages.get(key);
    if (!known) return;
    this.outages.delete(key);
    this.logger.info(
      `${known.repository} answers again (no answer since ${known.since})`,
    );
  }

  /** Remembers the revision reads answer with during the outage. */
  shown(key: string, revision: string) {
    const known = this.outages.get(key);
    if (known) known.revision = revision;
  }

  get(key: string): GitRepositoryStaleness | undefined {
    const known = this.outages.get(key);
    return known ? { ...known } : undefined;
  }

  all(): GitRepositoryStaleness[] {
    return [...this.outages.values()].map(known => ({ ...known }));
  }
}

/**
 * The repository's short name: the last path segment without `.git`.
 *
 * @public
 */
export function repositoryName(url: string): string {
  const last = url.replace(/\/+$/, '').split(/[/:]/).pop() ?? url;
  return last.replace(/\.git$/, '') || url;
}

/**
 * One line for people, such as
 * `repository example: no answer since 09:12:04 UTC; showing revision c277e0c`.
 *
 * @public
 */
export function describeStaleness(
  staleness: GitRepositoryStaleness,
  /** The repository's configured name; default: the URL's last segment. */
  name = repositoryName(staleness.repository),
): string {
  const since = `${staleness.since.slice(11, 19)} UTC`;
  const shown = staleness.revision
    ? `; showing revision ${staleness.revision.slice(0, 7)}`
    : '';
  return `repository ${name}: no answer since ${since}${shown}`;
}

/**
 * The 503 a write answers while its repository does not answer: nothing was written.
 *
 * @public
 */
export function repositoryUnavailable(
  staleness: GitRepositoryStaleness,
): ServiceUnavailableError {
  return new ServiceUnavailableError(
    `Cannot write to ${staleness.repository}: ${describeStaleness(
      staleness,
    )} (${staleness.lastError}); nothing was written`,
  );
}
