import express from 'express';
import { z } from 'zod/v3';
import { parseBody } from './requestSchemas';
import { RouteContext } from './routeContext';
import { ChangesService } from './service/changes/ChangesService';

/** What the changes route uses of the router (see createRouter). */
export interface ChangesRoutesOptions
  extends Pick<RouteContext, 'loadEntity' | 'abortOnClose'> {
  changes: Pick<ChangesService, 'getChanges'>;
}

/** `?environment=prod&to=v1.2.3`: `to` a tag, a `sha256:` digest or a chart version. */
export const changesQuery = z
  .object({
    environment: z
      .string({ required_error: 'query parameter "environment" is required' })
      .regex(
        /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/,
        "query parameter \"environment\" must be letters, digits, '.', '_' or '-'",
      ),
    to: z
      .string()
      .max(200, 'query parameter "to" must be at most 200 characters')
      .regex(
        /^(sha256:[0-9a-f]{64}|[A-Za-z0-9_][A-Za-z0-9_.+-]*)$/,
        'query parameter "to" must be a tag, a digest (sha256:…) or a chart version',
      )
      .optional(),
  })
  .strict();

/**
 * "What will ship" (api-contract.md, "Evidence, policy and progressive delivery"): the commits
 * and pull requests between the version an environment runs and `to` (by default, what the
 * environment before it runs). Upstream failures are 502/504; a version whose source is not
 * known is a 200 that says why.
 */
export function addChangesRoutes(
  router: express.Router,
  options: ChangesRoutesOptions,
) {
  router.get('/entities/:namespace/:kind/:name/changes', async (req, res) => {
    const query = parseBody(changesQuery, req.query);
    const entity = await options.loadEntity(req);
    res.json(
      await options.changes.getChanges({
        entity,
        environment: query.environment,
        to: query.to,
        signal: options.abortOnClose(req, res),
      }),
    );
  });
}
