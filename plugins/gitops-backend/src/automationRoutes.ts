import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { gitopsAutomationManagePermission } from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import { automationPauseBody, parseBody } from './requestSchemas';
import { RouteContext } from './routeContext';
import { GitopsServices } from './service/createGitopsServices';
import { describeAutomation } from './service/automation/portalAutomation';

/** What the automation's routes use of the router (see createRouter). */
export interface AutomationRoutesOptions
  extends Pick<RouteContext, 'loadEntity' | 'authorizeChange'> {
  services: Pick<GitopsServices, 'config' | 'automation' | 'automationStore'>;
}

/**
 * The portal's own automation of an entity: what each environment does by itself, its latest
 * events, and pausing it (permission `gitops.automation.manage`).
 */
export function addAutomationRoutes(
  router: express.Router,
  options: AutomationRoutesOptions,
) {
  const { services, loadEntity, authorizeChange } = options;

  const answer = async (entity: Entity, environment?: string) => {
    const entityRef = stringifyEntityRef(entity);
    return {
      environments: services.config.environments
        .filter(e => !environment || e.name === environment)
        .map(e => ({
          name: e.name,
          automation: describeAutomation(
            services.config,
            entityRef,
            e.name,
            services.automation.stateOf(entityRef, e.name),
          ),
        })),
      items: await services.automationStore.list(entityRef, environment),
    };
  };

  router.get(
    '/entities/:namespace/:kind/:name/automation',
    async (req, res) => {
      const environment =
        typeof req.query.environment === 'string'
          ? req.query.environment
          : undefined;
      if (
        environment &&
        !services.config.environments.some(e => e.name === environment)
      ) {
        throw new NotFoundError(`Unknown environment "${environment}"`);
      }
      const entity = await loadEntity(req);
      res.json(await answer(entity, environment));
    },
  );

  router.post(
    '/entities/:namespace/:kind/:name/automation',
    async (req, res) => {
      const body = parseBody(automationPauseBody, req.body);
      if (
        !services.config.environments.some(e => e.name === body.environment)
      ) {
        throw new NotFoundError(`Unknown environment "${body.environment}"`);
      }
      const entity = await loadEntity(req);
      const entityRef = stringifyEntityRef(entity);
      if (
        describeAutomation(services.config, entityRef, body.environment, {})
          .length === 0
      ) {
        throw new InputError(
          `${body.environment} has no automation of ${entityRef} to pause: neither policy.autoPromotion (for this entity) nor policy.rollbackOnFailedVerification is set`,
        );
      }
      const actor = await authorizeChange(
        req,
        gitopsAutomationManagePermission,
        entityRef,
        body.environment,
      );
      await services.automation.setPaused(
        entityRef,
        body.environment,
        body.paused,
        actor.ref,
        body.reason ?? null,
        { request: req },
      );
      res.json(await answer(entity, body.environment));
    },
  );
}
