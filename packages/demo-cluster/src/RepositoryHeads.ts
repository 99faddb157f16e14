import { LoggerService } from '@backstage/backend-plugin-api';
import {
  GitProvider,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';

/** A repository's branch head and when the demo saw it move there. */
export interface SeenHead {
  head: string;
  seenAt: string;
}

/**
 * DEMO ONLY. The repositories the demo's engines follow (the default one, or the one a Flux
 * GitRepository names) and their branch heads: each read at most once per reconcile pass, with
 * the time the head was first seen (a source's artifact time).
 */
export class RepositoryHeads {
  private readonly heads = new Map<string, SeenHead>();

  constructor(
    private readonly options: {
      git: GitProvider;
      logger: LoggerService;
      repository: GitRepositoryRef;
      repositories?: Record<string, GitRepositoryRef>;
    },
  ) {}

  /** The repository of a Flux GitRepository object, or the default one. */
  repositoryOf(sourceName: string | undefined): GitRepositoryRef {
    return (
      (sourceName && this.options.repositories?.[sourceName]) ||
      this.options.repository
    );
  }

  /** A reader of heads for one pass: each repository's branch is resolved once in it. */
  pass(now: Date): (repository: GitRepositoryRef) => Promise<SeenHead> {
    const seen = new Set<string>();
    return async repository => {
      const known = this.heads.get(repository.url);
      if (seen.has(repository.url)) return known!;
      seen.add(repository.url);
      const head = await this.options.git.resolveBranch({ repository });
      if (head !== known?.head) {
        if (known) {
          this.options.logger.info(
            `demo: branch head of ${repository.url} moved to ${head.slice(
              0,
              7,
            )}`,
          );
        }
        this.heads.set(repository.url, { head, seenAt: now.toISOString() });
      }
      return this.heads.get(repository.url)!;
    };
  }
}
