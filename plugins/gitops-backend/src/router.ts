import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  gitopsEntityReadPermission,
  gitopsEnvironmentResourceRef,
  gitopsOverridePermission,
  gitopsPromotePermission,
  gitopsScalePermission,
  gitopsServiceCreatePermission,
  gitopsSyncPermission,
} from '@gitops-backstage/plugin-gitops-common';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  describeStaleness,
  pushUrl,
} from '@gitops-backstage/plugin-gitops-repository';
import express from 'express';
import { serverTiming } from './serverTiming';
import { gzipSync } from 'node:zlib';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { GitopsServices } from './service/createGitopsServices';
import { ChangeRateLimiter } from './service/changeRateLimit';
import { resolveActor } from './service/promotion/resolveActor';
import {
  ActionResult,
  Actor,
  ChangeOptions,
} from './service/promotion/changeRequests';
import {
  entityPathParams,
  createServiceBody,
  idempotencyKeyOf,
  parseBody,
  promoteBody,
  rollbackBody,
  scaleBody,
  syncBody,
} from './requestSchemas';
import { parseWindow } from './service/metrics/MetricsService';
import { addPolicyRoutes, policyRefusals } from './policyRoutes';
import { clientsGone } from './service/clientsGone';
import { databaseOutages } from './service/store/databaseErrors';
import { addAutomationRoutes } from './automationRoutes';
import { addChangesRoutes } from './changesRoutes';
import { addRolloutRoutes } from './rolloutRoutes';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  auth: AuthService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  /** The approver's groups (ownership refs) come from here; without it, only their own ref. */
  userInfo?: UserInfoService;
  /** Notes requests whose client went away (debug); without it, nothing is noted. */
  logger?: LoggerService;
  services: Pick<
    GitopsServices,
    | 'environments'
    | 'history'
    | 'overview'
    | 'cache'
    | 'compare'
    | 'promotions'
    | 'sync'
    | 'rollouts'
    | 'config'
    | 'entitySignals'
    | 'creation'
    | 'metrics'
    | 'policy'
    | 'policyRequests'
    | 'automation'
    | 'automationStore'
    | 'changes'
    | 'evidence'
    | 'audit'
  > &
    /** The Git providers and the database, which make `/health` degraded when they fail. */
    Partial<Pick<GitopsServices, 'providers' | 'database' | 'fleet'>>;
}

const overviewQuery = z.object({
  owner: z.string().min(1).optional(),
  system: z.string().min(1).optional(),
  q: z.string().min(1).max(200).optional(),
  environment: z.string().min(1).optional(),
  status: z.string().min(1).optional(),
  sort: z.enum(['name', 'owner', 'problems']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().min(1).max(1000).optional(),
});

const compareQuery = z.object({
  from: z
    .string({ required_error: 'query parameter "from" is required' })
    .min(1),
  to: z.string({ required_error: 'query parameter "to" is required' }).min(1),
});

const metricsQuery = z.object({
  owner: z.string().min(1).max(255).optional(),
  environment: z.string().min(1).max(63).optional(),
  window: z.string().max(8).optional(),
});

const historyQuery = z.object({
  environment: z
    .string({ required_error: 'query parameter "environment" is required' })
    .min(1),
});

/** Maps HTTP to the GitOps services; see api-contract.md for the paths. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { auth, httpAuth, permissions, catalog, services, userInfo, logger } =
    options;
  const router = Router();
  // Bodies are small (a promotion, a new service's inputs): anything larger answers 413.
  router.use(express.json({ limit: '100kb' }));
  const changeLimit = new ChangeRateLimiter({
    perMinute: services.config.changesPerMinute,
  });
  const serializedPages = new WeakMap<object, { json: Buffer; gzip: Buffer }>();

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

  /** Throws 403 unless the caller may make this change to the entity in that environment. */
  async function authorizeChange(
    req: express.Request,
    permission: ResourcePermission,
    entityRef: string,
    environment: string,
  ) {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [
        {
          permission,
          resourceRef: gitopsEnvironmentResourceRef(entityRef, environment),
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      const denied = new NotAllowedError(
        `Not allowed to ${permission.name.replace(
          'gitops.',
          '',
        )} ${entityRef} in ${environment}`,
      );
      await services.audit.denied(
        {
          kind: 'change-denied',
          action: permission.name,
          actor: (await actorOf(credentials)).ref,
          entityRef,
          environment,
        },
        denied,
        req,
      );
      throw denied;
    }
    return actorOf(credentials);
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

  router.get('/health', async (req, res) => {
    const clusters = services.cache.health();
    // A repository that does not answer leaves reads on its last fetched revision.
    const repositories = [...(services.providers?.values() ?? [])].flatMap(
      provider =>
        (provider.staleRepositories?.() ?? []).map(staleness => ({
          ...staleness,
          provider: provider.type,
          stale: true,
          message: describeStaleness(
            staleness,
            services.config.repositories.find(
              r => pushUrl(r.url) === staleness.repository,
            )?.name,
          ),
        })),
    );
    // Changes are recorded before they are pushed: without the database they answer 503.
    const database = (await services.database?.()) ?? {
      ready: true,
      error: null,
    };
    const status =
      clusters.every(c => c.ready) &&
      repositories.length === 0 &&
      database.ready
        ? 'ok'
        : 'degraded';
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service', 'none'],
    });
    // Anyone may ask whether it works; only callers with credentials learn the clusters' and
    // repositories' addresses, auth methods and errors (never the credentials themselves).
    if (auth.isPrincipal(credentials, 'none')) {
      res.json({ status });
      return;
    }
    res.json({ status, clusters, repositories, database });
  });

  router.get('/overview', async (req, res) => {
    const query = overviewQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        query.error.issues
          .map(i => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      );
    }
    const credentials = await httpAuth.credentials(req);
    const signal = abortOnClose(req, res);
    try {
      const page = await services.overview.overview(
        query.data,
        credentials,
        signal,
      );
      // Callers sharing a page share its serialisation and compression too: a fleet page is
      // ~1 MiB, and compressing it for each of 50 pollers costs more than computing it.
      let body = serializedPages.get(page);
      if (!body) {
        const json = Buffer.from(JSON.stringify(page));
        body = { json, gzip: gzipSync(json, { level: 6 }) };
        serializedPages.set(page, body);
      }
      res.type('application/json').vary('Accept-Encoding');
      if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
        res.setHeader('Content-Encoding', 'gzip');
        res.send(body.gzip);
      } else {
        res.send(body.json);
      }
    } catch (error) {
      // Nobody is waiting for an answer (the overview logged it once): not a server error.
      if (signal.aborted) return;
      throw error;
    }
  });

  router.get(
    '/entities/:namespace/:kind/:name/environments',
    async (req, res) => {
      const timing = serverTiming(res);
      const entity = await loadEntity(req, { fromList: true, timing });
      timing.mark('entity');
      const response = await services.environments.getEnvironments(
        entity,
        abortOnClose(req, res),
      );
      timing.mark('state');
      // Watched from now on: an open tab is told when this answer changes.
      services.entitySignals.viewed(entity, response);
      // Supply-chain evidence (caches), then verification, freeze, policy and the next
      // promotion's gates (from the database).
      const decorated = services.automation.decorate(
        await services.policy.decorate(
          entity,
          services.evidence.decorate(entity, response),
        ),
      );
      timing.mark('decorate');
      res.json(decorated);
    },
  );

  router.get('/entities/:namespace/:kind/:name/history', async (req, res) => {
    const query = historyQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        query.error.issues.map(issue => issue.message).join('; '),
      );
    }
    const entity = await loadEntity(req);
    res.json(
      await services.history.getHistory(
        entity,
        query.data.environment,
        abortOnClose(req, res),
      ),
    );
  });

  router.get('/entities/:namespace/:kind/:name/metrics', async (req, res) => {
    const query = parseBody(metricsQuery, req.query);
    const entity = await loadEntity(req);
    res.json(
      await services.metrics.forEntity(entity, parseWindow(query.window)),
    );
  });

  router.get('/metrics', async (req, res) => {
    const query = parseBody(metricsQuery, req.query);
    res.json(
      await services.metrics.forFleet(
        {
          owner: query.owner,
          environment: query.environment,
          days: parseWindow(query.window),
        },
        await httpAuth.credentials(req),
      ),
    );
  });

  router.get('/entities/:namespace/:kind/:name/compare', async (req, res) => {
    const query = compareQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        query.error.issues.map(issue => issue.message).join('; '),
      );
    }
    const entity = await loadEntity(req);
    res.json(
      await services.compare.compare(
        entity,
        query.data.from,
        query.data.to,
        abortOnClose(req, res),
      ),
    );
  });

  /**
   * A change route: validate the body, load the entity, check the change permission for the
   * target environment (a dry run writes nothing, so reading the entity is enough), run it.
   */
  function changeRoute<S extends z.ZodTypeAny>(
    path: string,
    schema: S,
    permission: ResourcePermission,
    environmentOf: (body: z.infer<S>) => string,
    run: (
      entity: Entity,
      body: z.infer<S>,
      actor: Actor,
      signal: AbortSignal,
      options: ChangeOptions,
    ) => Promise<ActionResult>,
  ) {
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
  }

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

  addPolicyRoutes(router, {
    httpAuth,
    permissions,
    auth,
    userInfo,
    services,
    loadEntity,
    authorizeChange,
    readerActor,
    abortOnClose,
  });
  addAutomationRoutes(router, { services, loadEntity, authorizeChange });
  addChangesRoutes(router, {
    changes: services.changes,
    loadEntity,
    abortOnClose,
  });

  // A new service's files in the GitOps repository, on behalf of the caller (the scaffolder
  // action passes the credentials of the user running the template).
  router.post('/services', async (req, res) => {
    const body = parseBody(createServiceBody, req.body);
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: gitopsServiceCreatePermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      const denied = new NotAllowedError(
        'Not allowed to create GitOps services',
      );
      await services.audit.denied(
        {
          kind: 'change-denied',
          action: gitopsServiceCreatePermission.name,
          actor: (await actorOf(credentials)).ref,
          entityRef: `component:default/${body.name}`,
          environment: null,
        },
        denied,
        req,
      );
      throw denied;
    }
    const actor = await actorOf(credentials);
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

  /** The author of a dry run (shown in the planned commit message). */
  async function readerActor(req: express.Request) {
    return actorOf(await httpAuth.credentials(req));
  }

  router.use(clientsGone(logger));
  router.use(policyRefusals);
  router.use(databaseOutages);

  return router;
}
