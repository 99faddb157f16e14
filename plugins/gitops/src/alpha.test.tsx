import { Entity } from '@backstage/catalog-model';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import {
  entityWithoutGitops,
  guestbookEntity,
  guestbookEnvironments,
} from './__fixtures__/guestbook';
import { gitopsApiRef } from './api';
import { mockGitopsApi } from './__testUtils__/renderWithApi';
import plugin from './alpha';

function renderEntityPage(entity: Entity) {
  const gitopsApi = mockGitopsApi(async () => guestbookEnvironments);
  renderTestApp({
    features: [plugin],
    extensions: [createTestEntityPage({ entity })],
    apis: [[gitopsApiRef, gitopsApi]],
  });
  return gitopsApi;
}

describe('gitops plugin (new frontend system)', () => {
  it('puts the environments card on the overview of entities with the path annotation', async () => {
    renderEntityPage(guestbookEntity);

    expect(await screen.findByText('GitOps environments')).toBeInTheDocument();
    expect((await screen.findAllByText('v1.0.5')).length).toBeGreaterThan(0);
  });

  it('adds the GitOps content (the entity tab) with a lane per environment', async () => {
    renderEntityPage(guestbookEntity);

    expect(
      await screen.findByRole('region', { name: 'Environment staging' }),
    ).toBeInTheDocument();
  });

  it('leaves the card out for entities without the path annotation', async () => {
    const gitopsApi = renderEntityPage(entityWithoutGitops);

    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
    expect(gitopsApi.getEnvironments).not.toHaveBeenCalled();
  });
});
