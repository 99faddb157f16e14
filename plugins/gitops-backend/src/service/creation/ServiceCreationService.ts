import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CreateServiceRequest,
  CreatedService,
  GitopsAction,
} from '@gitops-backstage/plugin-gitops-common';
import { GitProvider } from '@gitops-backstage/plugin-gitops-node';
import {
  NewServiceSpec,
  fillTemplate,
  renderNewService,
} from '@gitops-backstage/plugin-gitops-repository';
import { randomUUID } from 'node:crypto';
import { GitopsConfig, RepositoryConfig } from '../config';
import { ServiceTarget } from '../ServiceLocator';
import { ChangeWriter } from '../promotion/ChangeWriter';
import { Actor, ChangeOptions } from '../promotion/changeRequests';
import { ChangeAuditor, diffSummary } from '../audit/auditChange';
import { ACTION_ID_TRAILER } from '../promotion/commitMessage';
import { ActionStore } from '../store/ActionStore';
import { newServiceSpec } from './newServiceSpec';
import { planNewFiles } from './planNewFiles';
import { actionJournal } from '../promotion/actionJournal';

/** Options of {@link ServiceCreationService}. */
export interface ServiceCreationServiceOptions {
  config: GitopsConfig;
  providers: Map<string, GitProvider>;
  writer: ChangeWriter;
  store: ActionStore;
  /** Every new service (a dry run too) is one audit event. */
  audit: ChangeAuditor;
  logger: LoggerService;
  /** Whether the catalog already has an entity of that ref (whoever may see it). */
  entityExists(entityRef: string): Promise<boolean>;
  /** The digest of `image:tag` from a configured registry, or null. */
  resolveDigest(
    image: string,
    tag: string,
    signal?: AbortSignal,
  ): Promise<string | null>;
  /** Whether the environment's cluster is watched, so the tracker can follow the change. */
  tracks(environment: GitopsConfig['environments'][number]): boolean;
}

/**
 * Creates a new service's files in the GitOps repository — every environment's overlay or
 * values file, the engine objects and the catalog entity — as one commit or one pull request,
 * through the same writer as promotions: planned on the branch head, refused when any of its
 * files or its folder exists there (re-checked after a conflict), recorded for the tracker.
 */
export class ServiceCreationService {
  constructor(private readonly options: ServiceCreationServiceOptions) {}

  async create(
    request: CreateServiceRequest,
    actor: Actor,
    signal?: AbortSignal,
    options: Pick<ChangeOptions, 'request'> = {},
  ): Promise<{ httpStatus: 200 | 201; service: CreatedService }> {
    return this.options.audit.audit({
      change: {
        kind: 'service-create',
        action: 'create',
        actor: actor.ref,
        entityRef: `component:default/${request.name}`,
        environment: null,
        environments: this.options.config.environments.map(e => e.name),
        dryRun: request.dryRun,
        // What identifies the new service; owner and description are the catalog's to keep.
        requested: {
          repository: request.repository ?? null,
          engine: request.engine,
          layout: request.layout,
          image: request.image,
          tag: request.tag,
        },
      },
      request: options.request,
      work: () => this.createNow(request, actor, signal),
      outcome: ({ service }) => {
        const summary = diffSummary(service.diff);
        return {
          plan: {
            path: service.path,
            repository: service.repository,
            files: service.files.length,
            additions: summary.additions,
          },
          result: {
            status: service.status,
            actionId: service.id,
            commit: service.commit,
            branch: service.branch,
            pullRequest: service.pullRequest,
            message: service.message,
          },
        };
      },
    });
  }

  private async createNow(
    request: CreateServiceRequest,
    actor: Actor,
    signal?: AbortSignal,
  ): Promise<{ httpStatus: 200 | 201; service: CreatedService }> {
    const { config } = this.options;
    const repository = this.repository(request.repository);
    const provider = this.options.providers.get(repository.provider);
    if (!provider) {
      throw new InputError(
        `GitOps repository ${repository.name} uses provider "${repository.provider}", which is not installed`,
      );
    }
    const entityRef = `component:default/${request.name}`;
    if (await this.options.entityExists(entityRef)) {
      throw new ConflictError(
        `${entityRef} is already in the catalog: choose another name; nothing was written`,
      );
    }
    const servicePath = fillTemplate(config.serviceCreation.pathTemplate, {
      service: request.name,
    });
    const digest =
      request.digest ??
      (await this.options.resolveDigest(request.image, request.tag, signal));
    const spec = newServiceSpec({
      request,
      repository,
      servicePath,
      config,
      digest,
    });
    const rendered = renderNewService(spec);
    const target: ServiceTarget = {
      entityRef,
      service: request.name,
      path: servicePath,
      repository: { url: repository.url, branch: repository.branch },
      provider,
      hints: {},
      selectors: {},
      layout: repository.layout,
    };
    const id = randomUUID();
    const pullRequest = this.pullRequestMode();
    const commitMessage = [
      `create: ${request.name} (${engineName(request.engine)}, ${
        request.layout
      }) in ${spec.environments.map(e => e.name).join(', ')}`,
      '',
      `Asked by ${actor.ref} through Backstage.`,
      '',
      `${ACTION_ID_TRAILER}: ${id}`,
    ].join('\n');
    const pullRequestBranch = `gitops/${request.name}/create/${id.slice(0, 8)}`;
    const created = new Date().toISOString();
    // Recorded as `Writing` before the push, like a promotion, so a restart cannot lose it.
    const journal = actionJournal<null>({
      store: this.options.store,
      record: {
        id,
        action: 'create',
        entityRef,
        status: 'Writing',
        from: null,
        to: config.environments[0].name,
        actor: actor.ref,
        gates: [],
        version: { tag: request.tag, digest: null },
        previousVersion: null,
        scaling: null,
        diff: '',
        commit: null,
        branch: pullRequest ? pullRequestBranch : null,
        pullRequest: null,
        message: null,
        createdAt: created,
        updatedAt: created,
        finishedAt: null,
        request: { ...request },
        repository: repository.url,
      },
      fromPlan: ({ plan }) => ({ diff: plan.diff }),
    });
    const writeOptions = {
      journal,
      target,
      author: { name: actor.name, email: actor.email },
      pullRequest: pullRequest
        ? {
            branch: pullRequestBranch,
            title: () => `Create ${request.name}`,
            body: () =>
              `New service ${request.name} (${engineName(request.engine)}, ${
                request.layout
              }), asked by ${
                actor.ref
              } through Backstage.\n\nFiles:\n${rendered.files
                .map(f => `- \`${f.path}\``)
                .join('\n')}`,
          }
        : undefined,
      planAt: async (revision: string) => ({
        plan: await planNewFiles(target, rendered.files, revision, signal),
        message: commitMessage,
        details: null,
      }),
      signal,
    };
    const result = request.dryRun
      ? await this.options.writer.dryRun(writeOptions)
      : await this.options.writer.write(writeOptions);

    const first = spec.environments[0];
    const fileOf = (env: NewServiceSpec['environments'][number]) =>
      request.layout === 'kustomize'
        ? `${env.overlayPath}/kustomization.yaml`
        : env.valuesFile;
    const links = repository.links;
    const changeUrl =
      result.pullRequest ??
      (result.commit && links.commit
        ? links.commit.replace(/\{sha\}/g, result.commit)
        : null);
    let status: CreatedService['status'] = 'DryRun';
    let message = `Would ${
      pullRequest ? 'open a pull request with' : 'commit'
    } ${rendered.files.length} files on ${
      repository.branch
    } (${result.baseRevision.slice(0, 7)})`;
    if (!request.dryRun && result.branch) {
      status = 'PullRequestOpened';
      message = `${rendered.files.length} files on branch ${result.branch}${
        result.pullRequest ? ', pull request opened' : ''
      }`;
    } else if (!request.dryRun) {
      status = 'Committed';
      message = `${rendered.files.length} files committed to ${repository.branch}`;
    }
    const service: CreatedService = {
      id: request.dryRun ? null : id,
      status,
      entityRef,
      path: servicePath,
      repository: repository.name,
      repositoryUrl: repository.url,
      branch: result.branch ?? repository.branch,
      commit: result.commit,
      pullRequest: result.pullRequest,
      changeUrl,
      catalogInfoPath: rendered.catalogInfoPath,
      catalogInfoUrl: links.file
        ? fileLink(links.file, repository.branch, rendered.catalogInfoPath)
        : null,
      devFile: fileOf(first),
      files: rendered.files.map(f => f.path),
      diff: result.planned.plan.diff,
      environments: spec.environments.map(env => ({
        name: env.name,
        namespace: env.namespace,
        definitionPath: env.definitionPath,
        file: fileOf(env),
      })),
      message,
    };
    if (!request.dryRun) {
      await this.record(service);
      this.options.logger.info(
        `create of ${entityRef} by ${actor.ref}: ${service.status} ${
          result.commit ?? ''
        } after ${result.attempts} attempt(s)`,
      );
    }
    return { httpStatus: request.dryRun ? 200 : 201, service };
  }

  private repository(name: string | undefined): RepositoryConfig {
    const { repositories } = this.options.config;
    if (repositories.length === 0) {
      throw new NotFoundError(
        'No GitOps repository is configured (gitops.repositories)',
      );
    }
    if (!name) return repositories[0];
    const found = repositories.find(r => r.name === name);
    if (!found) {
      throw new InputError(
        `repository "${name}" is not in gitops.repositories (known: ${repositories
          .map(r => r.name)
          .join(', ')})`,
      );
    }
    return found;
  }

  private pullRequestMode(): boolean {
    const { mode } = this.options.config.serviceCreation;
    if (mode) return mode === 'pullRequest';
    return this.options.config.environments.some(
      e => e.promotionPolicy === 'pullRequest',
    );
  }

  private recordMessage(
    service: CreatedService,
    first: GitopsConfig['environments'][number],
  ): string {
    if (service.status === 'PullRequestOpened') return service.message;
    return this.options.tracks(first)
      ? `Waiting for ${first.name} to sync`
      : `Not tracked: ${first.name} has no cluster configured`;
  }

  /**
   * The journaled record becomes a change tracked like a promotion into the first environment.
   * The files have landed whatever happens here: recovery finishes a record the database did
   * not take.
   */
  private async record(service: CreatedService) {
    const first = this.options.config.environments[0];
    try {
      await this.options.store.update(
        service.id!,
        {
          status: service.status as GitopsAction['status'],
          commit: service.commit,
          branch:
            service.status === 'PullRequestOpened' ? service.branch : null,
          pullRequest: service.pullRequest,
          message: this.recordMessage(service, first),
          finishedAt: null,
        },
        ['Writing', 'Failed'],
      );
    } catch (error) {
      this.options.logger.warn(
        `create ${service.id} landed as ${
          service.commit
        } but its record could not be finished (${
          (error as Error).message
        }); recovery finishes it from the commit`,
      );
    }
  }
}

function fileLink(template: string, branch: string, file: string): string {
  return template.replace(/\{branch\}/g, branch).replace(/\{path\}/g, file);
}

function engineName(engine: 'argocd' | 'flux'): string {
  return engine === 'argocd' ? 'Argo CD' : 'Flux';
}
