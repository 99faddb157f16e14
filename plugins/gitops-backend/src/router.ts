import {
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
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
import { parseBody } from './requestSchemas';
import { parseWindow } from './service/metrics/MetricsService';
import { addPolicyRoutes, policyRefusals } from './policyRoutes';
import { clientsGone } from './service/clientsGone';
import { databaseOutages } from './service/store/databaseErrors';
import { addAutomationRoutes } from './automationRoutes';
import { addChangesRoutes } from './changesRoutes';
import { addChangeRoutes, addServiceRoutes } from './changeRoutes';
import { createRouteContext } from './routeContext';

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
  const { auth, httpAuth, services, logger } = options;
  const router = Router();
  // Bodies are small (a promotion, a new service's inputs): anything larger answers 413.
  router.use(express.json({ limit: '100kb' }));
  // One per router: the change routes and `POST /services` take from the same budget.
  const changeLimit = new ChangeRateLimiter({
    perMinute: services.config.changesPerMinute,
  });
  const serializedPages = new WeakMap<object, { json: Buffer; gzip: Buffer }>();
  const context = createRouteContext(options);
  const { loadEntity, abortOnClose } = context;

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

  addChangeRoutes(router, context, { changeLimit });

  addPolicyRoutes(router, context);
  addAutomationRoutes(router, context);
  addChangesRoutes(router, {
    changes: services.changes,
    loadEntity,
    abortOnClose,
  });
  addServiceRoutes(router, context, { changeLimit });

  router.use(clientsGone(logger));
  router.use(policyRefusals);
  router.use(databaseOutages);

  return router;
}
