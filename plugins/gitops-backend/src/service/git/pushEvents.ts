import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { EventParams, EventsService } from '@backstage/plugin-events-node';
import {
  GitProvider,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';
import { repositoryName } from '@gitops-backstage/plugin-gitops-repository';
import path from 'node:path';
import { GitopsConfig, RepositoryConfig } from '../config';
import { ServiceLocator } from '../ServiceLocator';

/**
 * Topics the Git hosts' push webhooks arrive on: `@backstage/plugin-events-backend-module-github`
 * publishes a webhook under `github.<X-GitHub-Event>`, the GitLab module under
 * `gitlab.<event_name>`, both with the webhook's JSON body as the payload. A merged pull or
 * merge request is a push to its target branch, so pushes are all that is needed.
 */
export const PUSH_EVENT_TOPICS = ['github.push', 'gitlab.push'];

/** What a push webhook says: the repository's addresses and the branch pushed to. */
export interface PushedBranch {
  /** Every address the payload gives for the repository (HTTPS, SSH, web). */
  urls: string[];
  branch: string;
  /** The branch's new head, when the payload says. */
  after?: string;
}

/**
 * Fields of a push payload that address the repository: GitHub's `repository` (`clone_url`,
 * `ssh_url`, `git_url`, `html_url`, `url`, `svn_url`) and GitLab's `project` and `repository`
 * (`git_http_url`, `git_ssh_url`, `web_url`, `http_url`, `ssh_url`, `url`, `homepage`).
 */
const URL_FIELDS = [
  'clone_url',
  'ssh_url',
  'git_url',
  'html_url',
  'url',
  'svn_url',
  'git_http_url',
  'git_ssh_url',
  'web_url',
  'http_url',
  'homepage',
];

/** The branch and repository a push webhook's payload names; undefined for anything else (a tag). */
export function readPushEvent(payload: unknown): PushedBranch | undefined {
  if (!isObject(payload) || typeof payload.ref !== 'string') return undefined;
  const branch = /^refs\/heads\/(.+)$/.exec(payload.ref)?.[1];
  if (!branch) return undefined;
  const urls = new Set<string>();
  for (const holder of [payload.repository, payload.project]) {
    if (!isObject(holder)) continue;
    for (const field of URL_FIELDS) {
      const value = holder[field];
      if (typeof value === 'string' && value) urls.add(value);
    }
  }
  if (urls.size === 0) return undefined;
  return {
    urls: [...urls],
    branch,
    after: typeof payload.after === 'string' ? payload.after : undefined,
  };
}

/**
 * One spelling per repository, whatever the address: `host/owner/repo` in lower case without
 * credentials, port, scheme or `.git` (HTTPS, SSH and web addresses of a repository agree, and
 * GitHub and GitLab paths are case-insensitive); `file:<absolute path>` for a local one.
 */
export function repositoryKey(url: string): string {
  const trimmed = url.trim();
  let host: string;
  let repoPath: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return trimmed.toLowerCase();
    }
    if (parsed.protocol === 'file:') {
      return `file:${path.resolve(decodeURIComponent(parsed.pathname))}`;
    }
    host = parsed.hostname;
    repoPath = parsed.pathname;
  } else {
    // `git@host:owner/repo`, as git reads it: anything else without a scheme is a local path.
    const scp = /^[^/]+@([^/:]+):(.+)$/.exec(trimmed);
    if (!scp) return `file:${path.resolve(trimmed)}`;
    host = scp[1];
    repoPath = scp[2];
  }
  const cleaned = repoPath
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .toLowerCase();
  return `${host.toLowerCase()}/${cleaned}`;
}

/** Options of {@link PushEvents}. */
export interface PushEventsOptions {
  repositories: RepositoryConfig[];
  providers: Map<string, GitProvider>;
  /** The repository an entity's GitOps state comes from; undefined when it has none. */
  repositoryOf: (entity: Entity) => GitRepositoryRef | undefined;
  /** Reads the watched entities `affected` picks again and signals the changed ones. */
  checkNow: (affected: (entity: Entity) => boolean) => Promise<number>;
  logger: LoggerService;
}

/**
 * Follows pushes the Git host announces: the pushed repository is fetched at once (not at the
 * next fetch interval, which stays as the fallback when a webhook is lost) and the entities
 * someone is looking at that live in it are read again, so their open tabs get a `state`
 * signal when their lanes changed. Pushes to other repositories or branches change nothing.
 */
export class PushEvents {
  /** A pass per repository and branch; pushes during one make one more pass, not one each. */
  private readonly passes = new Map<
    string,
    { again: boolean; done: Promise<void> }
  >();

  constructor(private readonly options: PushEventsOptions) {}

  /** Follows one event; resolves when its repositories are fetched and re-read, never rejects. */
  async handle(params: EventParams): Promise<void> {
    const { logger } = this.options;
    const pushed = readPushEvent(params.eventPayload);
    if (!pushed) {
      logger.debug(`GitOps: ${params.topic} event ignored: no branch push`);
      return;
    }
    const keys = new Set(pushed.urls.map(repositoryKey));
    const followed = new Map<string, RepositoryConfig>();
    for (const repository of this.options.repositories) {
      const key = `${repositoryKey(repository.url)}#${repository.branch}`;
      if (
        repository.branch === pushed.branch &&
        keys.has(repositoryKey(repository.url)) &&
        !followed.has(key)
      ) {
        followed.set(key, repository);
      }
    }
    if (followed.size === 0) {
      logger.debug(
        `GitOps: ${params.topic} to ${pushed.urls[0]} (${pushed.branch}) ignored: not a configured repository and branch`,
      );
      return;
    }
    await Promise.all(
      [...followed].map(([key, repository]) => this.follow(key, repository)),
    );
  }

  private follow(key: string, repository: RepositoryConfig): Promise<void> {
    const running = this.passes.get(key);
    if (running) {
      // The pass under way may have fetched before this push: one more after it.
      running.again = true;
      return running.done;
    }
    const pass = { again: false, done: Promise.resolve() };
    pass.done = (async () => {
      do {
        pass.again = false;
        await this.followOnce(repository);
      } while (pass.again);
    })().finally(() => this.passes.delete(key));
    this.passes.set(key, pass);
    return pass.done;
  }

  private async followOnce(repository: RepositoryConfig) {
    const { logger, providers, repositoryOf, checkNow } = this.options;
    const name =
      repository.name === repository.url
        ? repositoryName(repository.url)
        : repository.name;
    const ref = { url: repository.url, branch: repository.branch };
    const started = Date.now();
    try {
      await providers.get(repository.provider)?.refresh?.(ref);
    } catch (error) {
      logger.warn(
        `GitOps: fetching ${name} after a push failed, it is fetched again within git.fetchIntervalSeconds: ${error}`,
      );
      return;
    }
    const fetchedMs = Date.now() - started;
    try {
      const told = await checkNow(entity => {
        const of = repositoryOf(entity);
        return of?.url === ref.url && of.branch === ref.branch;
      });
      logger.info(
        `GitOps: push to ${name} (${
          ref.branch
        }) followed: fetched in ${fetchedMs} ms, ${told} open views told in ${
          Date.now() - started
        } ms`,
      );
    } catch (error) {
      logger.warn(`GitOps: re-reading ${name} after a push failed: ${error}`);
    }
  }
}

/**
 * Subscribes the backend to the Git hosts' push events (see {@link PUSH_EVENT_TOPICS}).
 * Nothing to configure: without the events backend and a webhook module no event comes and
 * the repositories are fetched every `git.fetchIntervalSeconds` as before.
 */
export async function subscribePushEvents(options: {
  events: EventsService;
  logger: LoggerService;
  config: GitopsConfig;
  providers: Map<string, GitProvider>;
  checkNow: PushEventsOptions['checkNow'];
}): Promise<PushEvents> {
  const locator = new ServiceLocator({
    config: options.config,
    providers: options.providers,
  });
  const push = new PushEvents({
    repositories: options.config.repositories,
    providers: options.providers,
    repositoryOf: entity => {
      try {
        return locator.locate(entity).repository;
      } catch {
        return undefined; // its annotations are wrong: its view says so
      }
    },
    checkNow: options.checkNow,
    logger: options.logger,
  });
  await options.events.subscribe({
    id: 'gitops-push',
    topics: PUSH_EVENT_TOPICS,
    // The webhook is answered at once; the fetch and the re-reads go on behind it.
    onEvent: async params => {
      push
        .handle(params)
        .catch(error =>
          options.logger.warn(`GitOps: a push event failed: ${error}`),
        );
    },
  });
  return push;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
