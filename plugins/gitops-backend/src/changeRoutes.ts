import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  gitopsEntityReadPermission,
  gitopsOverridePermission,
  gitopsPromotePermission,
  gitopsScalePermission,
  gitopsServiceCreatePermission,
  gitopsSyncPermission,
} from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import {
  createServiceBody,
  idempotencyKeyOf,
  parseBody,
  promoteBody,
  rollbackBody,
  scaleBody,
  syncBody,
} from './requestSchemas';
import { RouteContext } from './routeContext';
import { addRolloutRoutes, ChangeRoute } from './rolloutRoutes';
import { ChangeRateLimiter } from './service/changeRateLimit';

/** The router's one limiter (see createRouter): the change routes and `POST /services` share it. */
type SharedLimit = { changeLimit: ChangeRateLimiter };

/**
 * The changes to an entity in an environment: promotions, rollback, scale, sync and rollouts
 * (`POST /entities/:namespace/:kind/:name/…`).
 */
export function addChangeRoutes(
  router: express.Router,
  context: RouteContext,
  { changeLimit }: SharedLimit,
) {
  const { services, loadEntity, authorizeChange, readerActor, abortOnClose } =
    context;

  /**
   * A change route: validate the body, load the entity, check the change permission for the
   * target environment (a dry run writes nothing, so reading the entity is enough), run it.
   */
  const changeRoute: ChangeRoute = (
    path,
    schema,
    permission,
    environmentOf,
    run,
  ) => {
    router.post(
      `/entities/:namespace/:kind/:name/${path}`,
      async (req, res) => {
        const body = parseBody(schema, req.body);
        const idempotencyKey = idempotencyKeyOf(req.header('idempotency-key'));
        const entity = await loadEntity(req);
        const { dryRun, override } = body as {
          dryRun?: boolean;
          override?: { reason: string };
        };
        const actor = dryRun
          ? await readerActor(req)
          : await authorizeChange(
              req,
              permission,
              stringifyEntityRef(entity),
              environmentOf(body),
            );
        if (override) {
          // Even a dry run: it shows the gates as the override would leave them.
          await authorizeChange(
            req,
            gitopsOverridePermission,
            stringifyEntityRef(entity),
            environmentOf(body),
          );
        }
        if (!dryRun) changeLimit.take(actor.ref);
        const result = await run(entity, body, actor, abortOnClose(req, res), {
          idempotencyKey,
          request: req,
        });
        res.status(result.httpStatus).json(result.action);
      },
    );
  };

  changeRoute(
    'promotions',
    promoteBody,
    gitopsPromotePermission,
    body => body.to,
    (entity, body, actor, signal, asked) =>
      services.promotions.promote(entity, body, actor, signal, asked),
  );
  changeRoute(
    'rollback',
    rollbackBody,
    gitopsPromotePermission,
    body => body.environment,
    (...args) => services.promotions.rollback(...args),
  );
  changeRoute(
    'scale',
    scaleBody,
    gitopsScalePermission,
    body => body.environment,
    (...args) => services.promotions.scale(...args),
  );
  changeRoute(
    'sync',
    syncBody,
    gitopsSyncPermission,
    body => body.environment,
    (entity, body, actor, signal, asked) =>
      services.sync.request(entity, body, actor, signal, asked),
  );
  addRolloutRoutes(changeRoute, services);
}

/**
 * `POST /services` (a new service) and `GET /promotions/:id` (a change's record). Registered
 * after the policy, automation and changes routes, where createRouter always had them.
 */
export function addServiceRoutes(
  router: express.Router,
  context: RouteContext,
  { changeLimit }: SharedLimit,
) {
  const { httpAuth, permissions, services, authorizeOrDeny, abortOnClose } =
    context;

  // A new service's files in the GitOps repository, on behalf of the caller (the scaffolder
  // action passes the credentials of the user running the template).
  router.post('/services', async (req, res) => {
    const body = parseBody(createServiceBody, req.body);
    const actor = await authorizeOrDeny(
      req,
      { permission: gitopsServiceCreatePermission },
      {
        message: 'Not allowed to create GitOps services',
        entityRef: `component:default/${body.name}`,
        environment: null,
      },
    );
    if (!body.dryRun) changeLimit.take(actor.ref);
    const result = await services.creation.create(
      body,
      actor,
      abortOnClose(req, res),
      { request: req },
    );
    res.status(result.httpStatus).json(result.service);
  });

  router.get('/promotions/:id', async (req, res) => {
    const id = req.params.id;
    if (!/^[0-9a-f-]{36}$/.test(id)) {
      throw new InputError(`"${id}" is not an action id (a UUID)`);
    }
    const action = await services.promotions.get(id);
    // The record is only as visible as the entity it belongs to.
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [
        {
          permission: gitopsEntityReadPermission,
          resourceRef: action.entityRef,
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotFoundError(`No GitOps action with id ${id}`);
    }
    res.json(action);
  });
}
