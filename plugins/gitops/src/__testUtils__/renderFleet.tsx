import { permissionApiRef } from '@backstage/plugin-permission-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { yearEndFreeze } from '../__fixtures__/guestbook';
import { gitopsApiRef } from '../api';
import { GitopsFleetPage } from '../components/GitopsFleetPage';
import {
  PermissionDecision,
  fakePermissionApi,
  mockGitopsApi,
} from './renderWithApi';

/** The fleet page over an empty fleet, with `freezes` in force. */
export async function renderFleet(
  decide: (permission: string) => PermissionDecision = () => 'allow',
  freezes = [yearEndFreeze],
) {
  const api = mockGitopsApi(async () => ({} as any));
  api.getOverview.mockResolvedValue({
    items: [],
    totalCount: 0,
    nextCursor: null,
  });
  api.getFreezes.mockResolvedValue({ items: freezes });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [gitopsApiRef, api],
        [permissionApiRef, fakePermissionApi(decide)],
      ]}
    >
      <GitopsFleetPage />
    </TestApiProvider>,
  );
  return api;
}
