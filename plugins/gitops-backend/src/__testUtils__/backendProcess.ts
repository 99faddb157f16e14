/*
 * A real Backstage backend process with the GitOps plugin, for tests that kill it: started by
 * `startBackendProcess` (backendProcessControl.ts) with `node --require <Backstage's node
 * transform> backendProcess.ts --config <file>`. The catalog is the in-memory mock with the
 * entities of `GITOPS_TEST_ENTITIES` (JSON); everything else is the production service
 * implementations (database, scheduler, auth, HTTP router) configured by the config file.
 */
import { createBackend } from '@backstage/backend-defaults';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { gitopsPlugin } from '../plugin';

const entities = JSON.parse(
  process.env.GITOPS_TEST_ENTITIES ?? '[]',
) as Entity[];

const backend = createBackend();
backend.add(gitopsPlugin);
backend.add(catalogServiceMock.factory({ entities }));
backend.start();
