import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  GitopsAction,
  RolloutAction,
} from '@gitops-backstage/plugin-gitops-common';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { KubeConfig } from '@kubernetes/client-node';
import { clusterActionRecord } from '../clusterActionRecord';
import { GitopsConfig } from '../config';
import { UpstreamError } from '../errors';
import { KubeObject } from '../live/kinds';
import { findDeployedObjects } from '../live/findDeployedObjects';
import { LiveStatusService } from '../live/LiveStatusService';
import { rolloutActionStates } from '../live/progressive/actionStates';
import {
  ActionResult,
  Actor,
  ChangeOptions,
} from '../promotion/changeRequests';
import { ChangeAuditor, actionOutcome } from '../audit/auditChange';
import { ServiceLocator } from '../ServiceLocator';
import { ActionStore } from '../store/ActionStore';
import { argoRolloutRequests, readArgoRollout } from './argoRolloutCommands';
import {
  ClusterRequestError,
  ClusterRequests,
  PlannedRequest,
  objectLabel,
  planned,
} from './clusterRequests';
import {
  FLAGGER_UNSUPPORTED,
  flaggerRequests,
  readFlaggerCanary,
} from './flaggerCommands';

/** Options of {@link RolloutActionService}. */
export interface RolloutActionServiceOptions {
  config: GitopsConfig;
  locator: ServiceLocator;
  reader: DesiredStateReader;
  live: LiveStatusService;
  kubeConfig(cluster: string): KubeConfig;
  store: ActionStore;
  /** Every rollout action (a dry run too) is one audit event. */
  audit: ChangeAuditor;
  logger: LoggerService;
  /** Per request to the cluster (`timeouts.clusterSeconds`). */
  timeoutMs: number;
  now?: () => Date;
}

/** Body of `POST …/rollouts`. */
export interface RolloutActionBody {
  environment: string;
  action: RolloutAction;
  /** Only read the object and answer the requests that would be sent. */
  dryRun?: boolean;
}

/** A rollout action's answer: a dry run lists the requests it would send. */
export type RolloutActionAnswer = GitopsAction & {
  requests?: PlannedRequest[];
};

// The object's own apiVersion where the live state has it; these where it does not.
const API_VERSIONS = {
  Rollout: 'argoproj.io/v1alpha1',
  Canary: 'flagger.app/v1beta1',
};

/**
 * Asks the environment's progressive-delivery controller to promote, promote in full, abort,
 * retry or restart the rollout of the service: the Argo Rollouts Rollout or Flagger Canary the
 * live state found, never one named in the request. The object is read fresh first and the
 * action refused (409) when its state does not allow it; then the requests the controller's own
 * CLI would send go out. Rolling back stays a Git commit.
 */
export class RolloutActionService {
  constructor(private readonly options: RolloutActionServiceOptions) {}

  async request(
    entity: Entity,
    body: RolloutActionBody,
    actor: Actor,
    signal?: AbortSignal,
    options: Pick<ChangeOptions, 'request'> = {},
  ): Promise<ActionResult> {
    return this.options.audit.audit({
      change: {
        kind: 'rollout-action',
        action: body.action,
        actor: actor.ref,
        entityRef: stringifyEntityRef(entity),
        environment: body.environment,
        dryRun: body.dryRun,
      },
      request: options.request,
      work: () => this.send(entity, body, actor, signal),
      outcome: result => actionOutcome(result.action),
    });
  }

  private async send(
    entity: Entity,
    body: RolloutActionBody,
    actor: Actor,
    signal?: AbortSignal,
  ): Promise<ActionResult> {
    const { environment, entityRef, cluster, kind, known } =
      await this.findRolloutObject(entity, body.environment, signal);
    if (kind === 'Canary' && FLAGGER_UNSUPPORTED.includes(body.action)) {
      // Nothing to ask the cluster: the reason is the one the lane shows.
      const reason = rolloutActionStates({ ...known, kind }).find(
        s => s.action === body.action,
      )?.reason;
      throw new InputError(
        `${body.action} is not supported by Flagger (${objectLabel({
          ...known,
          kind,
        })})${reason ? `: ${reason}` : ''}`,
      );
    }

    const object: KubeObject = {
      apiVersion: known.apiVersion ?? API_VERSIONS[kind],
      kind,
      metadata: {
        name: known.metadata?.name,
        namespace: known.metadata?.namespace,
      },
    };
    const clusterApi = new ClusterRequests(this.options.kubeConfig(cluster), {
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    const now = this.options.now?.() ?? new Date();
    const upstream = (error: unknown) => {
      // Backstage error types keep their meaning; anything else is the cluster failing.
      if (error instanceof ClusterRequestError) {
        throw new UpstreamError(
          `Cluster ${cluster}: ${error.message}`,
          undefined,
          error.timedOut ? 504 : 502,
        );
      }
      throw error;
    };
    const fresh = await clusterApi
      .read(
        kind === 'Rollout'
          ? readArgoRollout(object)
          : readFlaggerCanary(object),
      )
      .catch(upstream);
    const current: KubeObject = {
      ...fresh,
      apiVersion: object.apiVersion,
      kind,
    };
    const state = rolloutActionStates(current).find(
      s => s.action === body.action,
    );
    if (state && !state.allowed) {
      throw new ConflictError(
        `${body.action} refused on ${objectLabel(object)}: ${state.reason}`,
      );
    }
    const requests =
      kind === 'Rollout'
        ? argoRolloutRequests(current, body.action, now)
        : flaggerRequests(current, body.action, now);

    const what = `${body.action} ${
      body.dryRun ? 'planned' : 'requested'
    } on ${objectLabel(object)} in cluster ${cluster}`;
    const action = clusterActionRecord({
      action: 'rollout',
      entityRef,
      environment: environment.name,
      actor: actor.ref,
      message: what,
      diff: requests.map(describeRequest).join('\n'),
      dryRun: body.dryRun,
      at: now,
    });
    if (body.dryRun) {
      const answer: RolloutActionAnswer = {
        ...action,
        requests: requests.map(planned),
      };
      return { httpStatus: 200, action: answer };
    }
    await clusterApi.sendAll(requests).catch(upstream);
    await this.options.store.insert({
      ...action,
      id: action.id!,
      request: { environment: body.environment, action: body.action },
    });
    this.options.logger.info(`${what} by ${actor.ref}`);
    return { httpStatus: 201, action };
  }

  /** The Rollout (else Canary) the live state found rolling the service out in the environment. */
  private async findRolloutObject(
    entity: Entity,
    environmentName: string,
    signal?: AbortSignal,
  ) {
    const { environment, target, cluster, found } = await findDeployedObjects(
      this.options,
      entity,
      environmentName,
      'rollout controller',
      signal,
    );
    const known = found.rollout ?? found.canary;
    if (!known) {
      throw new NotFoundError(
        `No Argo Rollouts Rollout or Flagger Canary rolls out ${target.entityRef} in ${environment.name}`,
      );
    }
    return {
      environment,
      entityRef: target.entityRef,
      cluster,
      kind: found.rollout ? ('Rollout' as const) : ('Canary' as const),
      known,
    };
  }
}

/** A request as HTTP shows it, for the action's `diff` (a dry run's plan, the record's trail). */
function describeRequest(request: {
  method: string;
  path: string;
  contentType?: string;
  body?: unknown;
  ifNotFound?: Array<Parameters<typeof describeRequest>[0]>;
}): string {
  const lines = [`${request.method} ${request.path}`];
  if (request.contentType) lines.push(`Content-Type: ${request.contentType}`);
  if (request.body) lines.push('', JSON.stringify(request.body));
  if (request.ifNotFound?.length) {
    lines.push(
      '',
      '# if that answers 404 (no status subresource), instead:',
      ...request.ifNotFound.map(describeRequest),
    );
  }
  return `${lines.join('\n')}\n`;
}
