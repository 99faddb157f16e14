import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  gitopsEntityReadPermission,
  gitopsEnvironmentResourceRef,
} from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import type { RouterOptions } from './router';
import { serverTiming } from './serverTiming';
import { resolveActor } from './service/promotion/resolveActor';
import { entityPathParams, parseBody } from './requestSchemas';

/** What the routes share (see createRouter): the router's options and helpers built on them. */
export type RouteContext = ReturnType<typeof createRouteContext>;

/** The helpers of createRouter's routes: the path's entity, authorizing changes, actors. */
export function createRouteContext(options: RouterOptions) {
  const { auth, httpAuth, permissions, catalog, services, userInfo } = options;

  /**
   * The entity of the path, if the caller may read it and its GitOps state; else 400/404/403.
   * With `fromList` (views that only read), from the fleet list when it holds it; changes ask
   * the catalog, so they act on the entity as it is now.
   */
  async function loadEntity(
    req: express.Request,
    view: { fromList?: boolean; timing?: ReturnType<typeof serverTiming> } = {},
  ) {
    const { timing } = view;
    const credentials = await httpAuth.credentials(req);
    const ref: CompoundEntityRef = parseBody(entityPathParams, req.params);
    const entityRef = stringifyEntityRef(ref);
    const timed = <T>(name: string, work: Promise<T>) =>
      timing ? timing.time(name, work) : work;
    const listed = view.fromList
      ? await services.fleet?.listed(entityRef)
      : undefined;
    if (listed) {
      // The entity as the fleet list holds it (read at most `overview.catalogSeconds` ago):
      // one permission request says whether the caller may read it in the catalog and its
      // GitOps state, instead of a catalog request that asks the permission backend itself.
      const [catalogRead, gitopsRead] = await timed(
        'permission',
        permissions.authorize(
          [
            { permission: catalogEntityReadPermission, resourceRef: entityRef },
            { permission: gitopsEntityReadPermission, resourceRef: entityRef },
          ],
          { credentials },
        ),
      );
      // As the catalog answers an entity the caller may not see: not found.
      return readable(
        catalogRead.result === AuthorizeResult.ALLOW ? listed : undefined,
        gitopsRead,
      );
    }
    // Two calls to other plugins, asked side by side: each is a request of its own through the
    // backend, and a tab makes several views per entity.
    const [entity, [decision]] = await Promise.all([
      timed('catalog', catalog.getEntityByRef(ref, { credentials })),
      timed(
        'permission',
        permissions.authorize(
          [{ permission: gitopsEntityReadPermission, resourceRef: entityRef }],
          { credentials },
        ),
      ),
    ]);
    return readable(entity ?? undefined, decision);

    function readable(
      found: Entity | undefined,
      gitopsRead: { result: AuthorizeResult },
    ): Entity {
      if (!found) throw new NotFoundError(`Entity ${entityRef} not found`);
      if (gitopsRead.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `Not allowed to read the GitOps state of ${entityRef}`,
        );
      }
      return found;
    }
  }

  /**
   * Throws 403 unless the caller may use the permission (on the resource, for a resource
   * permission), after auditing the refusal as a denied change; else the caller as the
   * change's actor.
   */
  async function authorizeOrDeny(
    req: express.Request,
    request: AuthorizePermissionRequest,
    refusal: {
      message: string;
      entityRef: string | null;
      environment: string | null;
    },
  ) {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([request], { credentials });
    const actor = await actorOf(credentials);
    if (decision.result !== AuthorizeResult.ALLOW) {
      const denied = new NotAllowedError(refusal.message);
      await services.audit.denied(
        {
          kind: 'change-denied',
          action: request.permission.name,
          actor: actor.ref,
          entityRef: refusal.entityRef,
          environment: refusal.environment,
        },
        denied,
        req,
      );
      throw denied;
    }
    return actor;
  }

  /** Throws 403 unless the caller may make this change to the entity in that environment. */
  function authorizeChange(
    req: express.Request,
    permission: ResourcePermission,
    entityRef: string,
    environment: string,
  ) {
    return authorizeOrDeny(
      req,
      {
        permission,
        resourceRef: gitopsEnvironmentResourceRef(entityRef, environment),
      },
      {
        message: `Not allowed to ${permission.name.replace(
          'gitops.',
          '',
        )} ${entityRef} in ${environment}`,
        entityRef,
        environment,
      },
    );
  }

  /** The commit author and requester for these credentials. */
  function actorOf(credentials: BackstageCredentials) {
    return resolveActor({
      credentials,
      auth,
      catalog,
      fallbackEmail: services.config.promotion.fallbackEmail,
    });
  }

  /** The author of a dry run (shown in the planned commit message). */
  async function readerActor(req: express.Request) {
    return actorOf(await httpAuth.credentials(req));
  }

  /** Aborted when the client goes away, so upstream calls stop with it. */
  function abortOnClose(
    req: express.Request,
    res: express.Response,
  ): AbortSignal {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished)
        controller.abort(new Error('client went away'));
    });
    req.on('aborted', () => controller.abort(new Error('client went away')));
    return controller.signal;
  }

  return {
    auth,
    httpAuth,
    permissions,
    userInfo,
    services,
    loadEntity,
    authorizeOrDeny,
    authorizeChange,
    actorOf,
    readerActor,
    abortOnClose,
  };
}
