import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { ReactElement } from 'react';
import { GitopsApi, gitopsApiRef } from '../api';
import { guestbookEntity } from '../__fixtures__/guestbook';

/** A GitOps API whose environments come from `getEnvironments`; the rest are mocks. */
export function mockGitopsApi(
  getEnvironments: GitopsApi['getEnvironments'],
): jest.Mocked<GitopsApi> {
  return {
    getEnvironments: jest.fn(getEnvironments),
    getHistory: jest.fn(),
    promote: jest.fn(),
    getAction: jest.fn(),
    getOverview: jest.fn(),
    requestEngine: jest.fn(),
    rollback: jest.fn(),
    scale: jest.fn(),
  };
}

/** Renders an entity page element in a test app with the given API and entity. */
export function renderWithApi(
  element: ReactElement,
  api: GitopsApi,
  entity: Entity = guestbookEntity,
) {
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api]]}>
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
  );
}
