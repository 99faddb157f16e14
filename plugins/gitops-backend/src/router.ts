import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { gitopsEntityReadPermission } from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { GitopsServices } from './service/createGitopsServices';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  services: Pick<
    GitopsServices,
    'environments' | 'history' | 'overview' | 'cache' | 'compare'
  >;
}

const overviewQuery = z.object({
  owner: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  status: z.string().min(1).optional(),
});

const compareQuery = z.object({
  from: z
    .string({ required_error: 'query parameter "from" is required' })
    .min(1),
  to: z.string({ required_error: 'query parameter "to" is required' }).min(1),
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
  const { httpAuth, permissions, catalog, services } = options;
  const router = Router();
  router.use(express.json());

  /** Loads the entity the caller may read, or throws 404/403. */
  async function loadEntity(req: express.Request) {
    const credentials = await httpAuth.credentials(req);
    const ref: CompoundEntityRef = {
      kind: req.params.kind,
      namespace: req.params.namespace,
      name: req.params.name,
    };
    const entityRef = stringifyEntityRef(ref);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(`Entity ${entityRef} not found`);
    }
    const [decision] = await permissions.authorize(
      [{ permission: gitopsEntityReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to read the GitOps state of ${entityRef}`,
      );
    }
    return entity;
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

  router.get('/health', (_req, res) => {
    // Watch state per cluster and kind; never credentials.
    res.json({ status: 'ok', clusters: services.cache.health() });
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
    res.json(
      await services.overview.overview(
        query.data,
        credentials,
        abortOnClose(req, res),
      ),
    );
  });

  router.get(
    '/entities/:namespace/:kind/:name/environments',
    async (req, res) => {
      const entity = await loadEntity(req);
      res.json(
        await services.environments.getEnvironments(
          entity,
          abortOnClose(req, res),
        ),
      );
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

  return router;
}
