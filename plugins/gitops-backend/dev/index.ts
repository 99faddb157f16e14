// Runs the GitOps backend alone, without a real catalog or auth: `yarn start` in this folder.
// Uses the root app-config.yaml (its gitops block points at the example repository, made
// here if missing) and the example entities of examples/entities.yaml.
//
//   curl localhost:7007/api/gitops/entities/default/component/guestbook/environments
//   curl 'localhost:7007/api/gitops/entities/default/component/guestbook/history?environment=prod'
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '../../..');
execFileSync(
  process.execPath,
  [path.join(root, 'examples/init-gitops-repo.mjs'), '--bare'],
  {
    stdio: 'inherit',
  },
);
const entities = parseAllDocuments(
  fs.readFileSync(path.join(root, 'examples/entities.yaml'), 'utf8'),
).map(doc => doc.toJS() as Entity);

const backend = createBackend();
// Every request is a mock user, so curl needs no token.
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(catalogServiceMock.factory({ entities }));
backend.add(import('../src'));
backend.start();
