import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  EnvironmentStatus,
  EnvironmentsResponse,
  VersionChanges,
} from '@gitops-backstage/plugin-gitops-common';
import { LRUCache } from 'lru-cache';
import { EnvironmentConfig } from '../config';
import { CliGitCompare, RawComparison } from './CliGitCompare';
import { ChangesConfig } from './changesConfig';
import { GithubCompare } from './GithubCompare';
import {
  countChanges,
  attributePullRequests,
  toChangeCommits,
} from './pullRequests';
import { SourceRevisionReader, VersionRef } from './SourceRevisionReader';
import { compareRoute } from './sourceUrl';

/** Options of {@link ChangesService}. */
export interface ChangesServiceOptions {
  environments: {
    getEnvironments(
      entity: Entity,
      signal?: AbortSignal,
    ): Promise<EnvironmentsResponse>;
  };
  /** The configured environments, in promotion order. */
  environmentConfigs: EnvironmentConfig[];
  reader: SourceRevisionReader;
  cli: CliGitCompare;
  /** For sources on hosts with a GitHub integration; without it they are not compared. */
  github?: GithubCompare;
  hasGithubIntegration(host: string): boolean;
  config: ChangesConfig;
  logger: LoggerService;
}

type Compared = Pick<
  VersionChanges,
  'commits' | 'truncated' | 'totalCommits' | 'removedCommits' | 'comparedWith'
>;

/** The version an environment runs, as written in Git (else as the cluster runs it). */
export function environmentVersion(
  status: EnvironmentStatus,
): (VersionRef & { version: string }) | null {
  const desired = status.desired;
  const liveImage = status.live?.images[0] ?? null;
  const image =
    desired?.image ??
    (liveImage ? liveImage.split('@')[0].replace(/:[^/:]+$/, '') : null);
  if (
    desired?.imageSource === 'chartDefaults' &&
    desired.chart?.version &&
    !desired.chart.range
  ) {
    const { name, source } = desired.chart;
    return {
      version: desired.chart.version,
      reference: desired.chart.version,
      image,
      chart: { name, source: source ?? null },
    };
  }
  if (desired && (desired.tag || desired.digest)) {
    // A digest names exactly one build; the tag is what people read.
    return {
      version: (desired.tag ?? desired.digest)!,
      reference: (desired.digest ?? desired.tag)!,
      image,
    };
  }
  const live = liveImage
    ? /^(.*?)(?::([^/:@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(liveImage)
    : null;
  if (live && (live[2] || live[3]))
    return {
      version: (live[2] ?? live[3])!,
      reference: (live[3] ?? live[2])!,
      image,
    };
  return null;
}

/**
 * "What will ship": the commits and pull requests between the version an environment runs
 * and a proposed one, found from the images' source annotations and compared with the git CLI
 * or the GitHub API. A comparison of two revisions never changes, so it is kept (LRU).
 */
export class ChangesService {
  private readonly cache: LRUCache<string, Compared>;

  constructor(private readonly options: ChangesServiceOptions) {
    this.cache = new LRUCache({ max: options.config.cacheSize });
  }

  async getChanges(request: {
    entity: Entity;
    environment: string;
    to?: string;
    signal?: AbortSignal;
  }): Promise<VersionChanges> {
    const { entity, environment, signal } = request;
    const config = this.options.environmentConfigs.find(
      e => e.name === environment,
    );
    if (!config) {
      throw new NotFoundError(
        `Unknown environment "${environment}"; configured: ${this.options.environmentConfigs
          .map(e => e.name)
          .join(', ')}`,
      );
    }
    const { environments } = await this.options.environments.getEnvironments(
      entity,
      signal,
    );
    const status = environments.find(e => e.name === environment);
    const current = status ? environmentVersion(status) : null;
    const target = request.to
      ? this.proposed(request.to, current, status)
      : this.previous(config, environments);
    const answer: VersionChanges = {
      entityRef: stringifyEntityRef(entity),
      environment,
      from: { version: current?.version ?? null, revision: null },
      to: { version: target.version, revision: null },
      commits: [],
      truncated: false,
      source: null,
      unknownSource: null,
      totalCommits: 0,
      removedCommits: 0,
      pullRequests: 0,
      authors: 0,
      comparedWith: null,
    };
    if (!current) {
      answer.unknownSource = `The version ${environment} runs is not known${
        status?.error ? `: ${status.error}` : ''
      }`;
      return answer;
    }
    const [from, to] = await Promise.all([
      this.options.reader.read(current, signal),
      this.options.reader.read(target, signal),
    ]);
    if ('revision' in from) answer.from.revision = from.revision;
    if ('revision' in to) answer.to.revision = to.revision;
    if ('unknown' in from || 'unknown' in to) {
      answer.unknownSource = [from, to]
        .flatMap(s => ('unknown' in s ? [s.unknown] : []))
        .join('; ');
      return answer;
    }
    answer.source = to.source;
    if (from.source !== to.source) {
      answer.unknownSource = `The versions come from different repositories: ${from.source} and ${to.source}`;
      return answer;
    }
    const compared = await this.compare(
      to.source,
      from.revision,
      to.revision,
      signal,
    );
    if ('unknown' in compared) {
      answer.unknownSource = compared.unknown;
      return answer;
    }
    return { ...answer, ...compared, ...countChanges(compared.commits) };
  }

  /** `to` as the caller wrote it, on the environment's image (or chart). */
  private proposed(
    to: string,
    current: VersionRef | null,
    status?: EnvironmentStatus,
  ): VersionRef & { version: string } {
    const image = current?.image ?? status?.desired?.image ?? null;
    if (current?.chart && !to.startsWith('sha256:'))
      return { version: to, reference: to, image, chart: current.chart };
    return { version: to, reference: to, image };
  }

  /** What the environment promotes from runs: its first allowed source, else the one before it. */
  private previous(
    config: EnvironmentConfig,
    environments: EnvironmentStatus[],
  ) {
    const names = this.options.environmentConfigs.map(e => e.name);
    const name =
      config.allowedSources[0] ?? names[names.indexOf(config.name) - 1];
    if (!name) {
      throw new InputError(
        `Query parameter "to" is required: ${config.name} has no environment before it`,
      );
    }
    const status = environments.find(e => e.name === name);
    const version = status ? environmentVersion(status) : null;
    if (!version) {
      throw new InputError(
        `Query parameter "to" is required: the version ${name} runs is not known`,
      );
    }
    return version;
  }

  private async compare(
    source: string,
    from: string,
    to: string,
    signal?: AbortSignal,
  ): Promise<Compared | { unknown: string }> {
    const { config, cli, github } = this.options;
    const route = compareRoute(
      source,
      config.repositories,
      host => !!github && this.options.hasGithubIntegration(host),
    );
    if (route.kind === 'none') return { unknown: route.reason };
    const key = `${route.kind} ${source} ${from} ${to}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const request = { from, to, maxCommits: config.maxCommits, signal };
    let raw: RawComparison;
    let pullRequests;
    if (route.kind === 'github') {
      const result = await github!.compare(source, request);
      raw = result;
      pullRequests = result.pullRequests;
    } else {
      raw = await cli.compare(route.cloneUrl, request);
      pullRequests = attributePullRequests(
        raw.commits,
        raw.commits[0]?.sha ?? '',
      );
    }
    if (raw.missing.length > 0) {
      // Not cached: a revision missing now may be pushed later.
      return {
        unknown: `The ${raw.missing.join(' and ')} revision${
          raw.missing.length > 1 ? 's are' : ' is'
        } not in ${source}`,
      };
    }
    const compared: Compared = {
      commits: toChangeCommits(raw.commits, pullRequests, source),
      truncated: raw.truncated,
      totalCommits: raw.total,
      removedCommits: raw.removed,
      comparedWith: route.kind,
    };
    this.cache.set(key, compared);
    return compared;
  }
}
