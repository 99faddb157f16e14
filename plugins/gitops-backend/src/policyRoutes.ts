import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  gitopsApprovePermission,
  gitopsFreezeManagePermission,
} from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import {
  approvalBody,
  environmentQuery,
  freezeBody,
  parseBody,
  verificationRunBody,
} from './requestSchemas';
import { RouteContext } from './routeContext';
import { GitopsServices } from './service/createGitopsServices';
import {
  PolicyInputError,
  PolicyRefusedError,
} from './service/policy/PolicyRefusedError';

/** What the policy's routes use of the router (see createRouter). */
export interface PolicyRoutesOptions
  extends Pick<
    RouteContext,
    | 'httpAuth'
    | 'auth'
    | 'userInfo'
    | 'loadEntity'
    | 'authorizeChange'
    | 'authorizeOrDeny'
    | 'readerActor'
    | 'abortOnClose'
  > {
  services: Pick<
    GitopsServices,
    'environments' | 'policy' | 'policyRequests' | 'audit'
  >;
}

/**
 * The routes of the promotion policy (see api-contract.md, "Evidence, policy and progressive
 * delivery"): verifications, approvals and freezes.
 */
export function addPolicyRoutes(
  router: express.Router,
  options: PolicyRoutesOptions,
) {
  const {
    httpAuth,
    auth,
    userInfo,
    services,
    loadEntity,
    authorizeChange,
    authorizeOrDeny,
    readerActor,
    abortOnClose,
  } = options;

  router.get(
    '/entities/:namespace/:kind/:name/verifications',
    async (req, res) => {
      const query = parseBody(environmentQuery, req.query);
      const entity = await loadEntity(req);
      res.json({
        items: await services.policyRequests.verificationHistory(
          entity,
          query.environment,
        ),
      });
    },
  );

  // A re-run changes nothing in Git or a cluster: reading the entity is enough.
  router.post(
    '/entities/:namespace/:kind/:name/verifications',
    async (req, res) => {
      const body = parseBody(verificationRunBody, req.body);
      const entity = await loadEntity(req);
      const actor = await readerActor(req);
      const { environments } = await services.environments.getEnvironments(
        entity,
        abortOnClose(req, res),
      );
      res
        .status(202)
        .json(
          await services.policyRequests.rerunVerification(
            entity,
            body,
            environments,
            actor.ref,
          ),
        );
    },
  );

  router.get('/entities/:namespace/:kind/:name/approvals', async (req, res) => {
    const query = parseBody(environmentQuery, req.query);
    const entity = await loadEntity(req);
    const { environments } = await services.environments.getEnvironments(
      entity,
      abortOnClose(req, res),
    );
    res.json(
      await services.policyRequests.approvals(
        entity,
        query.environment,
        environments,
        query.version,
      ),
    );
  });

  router.post(
    '/entities/:namespace/:kind/:name/approvals',
    async (req, res) => {
      const body = parseBody(approvalBody, req.body);
      const entity = await loadEntity(req);
      const actor = await authorizeChange(
        req,
        gitopsApprovePermission,
        stringifyEntityRef(entity),
        body.environment,
      );
      const credentials = await httpAuth.credentials(req);
      const { environments } = await services.environments.getEnvironments(
        entity,
        abortOnClose(req, res),
      );
      const approval = await services.policyRequests.approve(
        entity,
        body,
        environments,
        { ref: actor.ref, groups: await groupsOf(credentials, actor.ref) },
        { request: req },
      );
      res.status(201).json(approval);
    },
  );

  router.get('/freezes', async (req, res) => {
    await httpAuth.credentials(req);
    res.json({ items: await services.policy.activeFreezes() });
  });

  router.post('/freezes', async (req, res) => {
    const body = parseBody(freezeBody, req.body);
    const actor = await authorizeFreeze(req);
    res
      .status(201)
      .json(
        await services.policyRequests.freeze(body, actor.ref, { request: req }),
      );
  });

  router.delete('/freezes/:id', async (req, res) => {
    const id = req.params.id;
    if (!/^[0-9a-f-]{36}$/.test(id)) {
      throw new InputError(`"${id}" is not a freeze id (a UUID)`);
    }
    const actor = await authorizeFreeze(req);
    await services.policyRequests.liftFreeze(id, actor.ref, { request: req });
    res.status(204).end();
  });

  /** Throws 403 unless the caller may declare and lift freezes. */
  function authorizeFreeze(req: express.Request) {
    return authorizeOrDeny(
      req,
      { permission: gitopsFreezeManagePermission },
      {
        message: 'Not allowed to declare or lift freezes',
        entityRef: null,
        environment: null,
      },
    );
  }

  /** The groups a user belongs to (their ownership refs), for the approvers' check. */
  async function groupsOf(
    credentials: BackstageCredentials,
    ref: string,
  ): Promise<string[]> {
    if (!userInfo || !auth.isPrincipal(credentials, 'user')) return [ref];
    const info = await userInfo.getUserInfo(credentials);
    return info.ownershipEntityRefs;
  }
}

/** A refusal by the policy carries its gates and when to try again, beside the error. */
export const policyRefusals: express.ErrorRequestHandler = (
  error: Error,
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
) => {
  if (
    !(error instanceof PolicyRefusedError) &&
    !(error instanceof PolicyInputError)
  ) {
    next(error);
    return;
  }
  const retryAt = error instanceof PolicyRefusedError ? error.retryAt : null;
  const statusCode = error instanceof PolicyRefusedError ? 409 : 400;
  // Backstage's error body (so clients' ResponseError reads it), plus the gates.
  res.status(statusCode).json({
    error: { name: error.name, message: error.message, retryAt },
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode },
    gates: error.gates,
    retryAt,
    ...(error instanceof PolicyRefusedError && error.evidence
      ? { evidence: error.evidence }
      : {}),
  });
};
