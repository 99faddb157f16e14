import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import { clusterActionRecord } from '../clusterActionRecord';
import { GitopsConfig } from '../config';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { findDeployedObjects } from '../live/findDeployedObjects';
import { LiveStatusService } from '../live/LiveStatusService';
import {
  Actor,
  ActionResult,
  ChangeOptions,
} from '../promotion/changeRequests';
import { ChangeAuditor, actionOutcome } from '../audit/auditChange';
import { ServiceLocator } from '../ServiceLocator';
import { ActionStore } from '../store/ActionStore';
import { UpstreamError } from '../errors';
import {
  EngineAction,
  EngineActionError,
  applyEngineAction,
  supportedActions,
} from './engineActions';

/** Options of {@link SyncService}. */
export interface SyncServiceOptions {
  config: GitopsConfig;
  locator: ServiceLocator;
  reader: DesiredStateReader;
  live: LiveStatusService;
  kubeConfig(cluster: string): KubeConfig;
  store: ActionStore;
  /** Every engine request is one audit event. */
  audit: ChangeAuditor;
  logger: LoggerService;
  now?: () => Date;
}

/**
 * Asks the environment's GitOps engine to refresh, sync, reconcile, suspend or resume the
 * object that deploys the service: the one change that goes to a cluster instead of Git. The
 * object is the one the live state found (Argo CD Application, Flux Kustomization or
 * HelmRelease), never one named in the request.
 */
export class SyncService {
  constructor(private readonly options: SyncServiceOptions) {}

  async request(
    entity: Entity,
    body: { environment: string; action: EngineAction },
    actor: Actor,
    signal?: AbortSignal,
    options: Pick<ChangeOptions, 'request'> = {},
  ): Promise<ActionResult> {
    return this.options.audit.audit({
      change: {
        kind: 'engine-request',
        action: body.action,
        actor: actor.ref,
        entityRef: stringifyEntityRef(entity),
        environment: body.environment,
      },
      request: options.request,
      work: () => this.send(entity, body, actor, signal),
      outcome: result => actionOutcome(result.action),
    });
  }

  private async send(
    entity: Entity,
    body: { environment: string; action: EngineAction },
    actor: Actor,
    signal?: AbortSignal,
  ): Promise<ActionResult> {
    const { environment, target, cluster, found } = await findDeployedObjects(
      this.options,
      entity,
      body.environment,
      'engine',
      signal,
    );
    const object =
      found.application ?? found.helmRelease ?? found.kustomization;
    if (!object) {
      throw new NotFoundError(
        `No Argo CD Application or Flux Kustomization/HelmRelease deploys ${target.entityRef} in ${environment.name}`,
      );
    }
    const kind = String(object.kind);
    if (!supportedActions(kind).includes(body.action)) {
      throw new InputError(
        `${kind} ${object.metadata?.name} supports ${supportedActions(
          kind,
        ).join(', ')}, not ${body.action}`,
      );
    }
    await applyEngineAction({
      kubeConfig: this.options.kubeConfig(cluster),
      object: {
        apiVersion: String(object.apiVersion),
        kind,
        name: String(object.metadata?.name),
        namespace: String(object.metadata?.namespace),
      },
      action: body.action,
      actor: actor.ref,
      signal,
    }).catch(error => {
      // Backstage error types keep their meaning; anything else is the cluster failing.
      if (error instanceof EngineActionError) {
        throw new UpstreamError(
          `Cluster ${cluster}: ${error.message}`,
          undefined,
          502,
        );
      }
      throw error;
    });
    const action = clusterActionRecord({
      action: 'sync',
      entityRef: target.entityRef,
      environment: environment.name,
      actor: actor.ref,
      message: `${body.action} requested on ${kind} ${object.metadata?.namespace}/${object.metadata?.name} in cluster ${cluster}`,
      at: this.options.now?.() ?? new Date(),
    });
    await this.options.store.insert({
      ...action,
      id: action.id!,
      request: body,
    });
    this.options.logger.info(`${action.message} by ${actor.ref}`);
    return { httpStatus: 201, action };
  }
}
