import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import {
  entityWithoutGitops,
  guestbookEnvironmentsLive,
  guestbookEnvironmentsWithProblems,
} from '../../__fixtures__/guestbook';
import { GitopsApi } from '../../api';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsEnvironmentsCard } from './EntityGitopsEnvironmentsCard';

function renderCard(api: GitopsApi, entity?: Entity) {
  return renderWithApi(<EntityGitopsEnvironmentsCard />, api, entity);
}

/** The cells of an environment's row, as text, keyed by the column header. */
function rowOf(environment: string): Record<string, string> {
  const table = screen.getByRole('table', { name: 'GitOps environments' });
  const headers = within(table)
    .getAllByRole('columnheader')
    .map(cell => cell.textContent ?? '');
  const row = within(table)
    .getByRole('cell', { name: environment })
    .closest('tr')!;
  const cells = within(row).getAllByRole('cell');
  return Object.fromEntries(
    cells.map((cell, i) => [headers[i], cell.textContent ?? '']),
  );
}

describe('EntityGitopsEnvironmentsCard', () => {
  it('shows per environment, in promotion order, the version, a status and the problem count', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironmentsLive);

    await renderCard(api);

    expect(await screen.findByText('GitOps environments')).toBeInTheDocument();
    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(api.getEnvironments).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'guestbook',
    });
    expect(rowOf('dev')).toEqual({
      Environment: 'dev',
      Git: 'v1.0.5',
      Status: 'Synced · Healthy',
      Problems: '—',
    });
    // Git still answers for staging while its cluster does not: the error counts.
    expect(rowOf('staging')).toEqual({
      Environment: 'staging',
      Git: 'v1.0.4',
      Status: '—',
      Problems: '1',
    });
    expect(rowOf('prod')).toEqual({
      Environment: 'prod',
      Git: 'v1.0.3',
      Status: 'Synced · Healthy',
      Problems: '1',
    });
    expect(screen.getByTitle('Drift')).toBeInTheDocument();
    // The lanes, history and changes are one click away.
    expect(
      screen.getByRole('link', { name: /Open the GitOps tab/ }),
    ).toHaveAttribute('href', expect.stringMatching(/gitops$/));
  });

  it('shows a chart as the version where the image is the chart default, with what a range installed', async () => {
    const [dev, staging, prod] = guestbookEnvironmentsLive.environments;
    const chartVersioned = {
      ...staging,
      error: null,
      desired: {
        ...staging.desired!,
        layout: 'helm' as const,
        image: null,
        tag: null,
        digest: null,
        imageSource: 'chartDefaults' as const,
        chart: { name: 'podinfo', version: '>=6.0.0', range: true },
      },
      sync: { ...dev.sync!, engine: 'flux' as const, chartVersion: '6.9.0' },
    };
    await renderCard(
      mockGitopsApi(async () => ({
        entityRef: 'component:default/guestbook',
        environments: [dev, chartVersioned, prod],
      })),
    );
    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(rowOf('staging')).toMatchObject({
      Git: 'chart podinfo >=6.0.0 (installed 6.9.0)',
      Status: 'Synced · Healthy',
    });
  });

  it('shows the error of an environment that cannot be read while the others still render', async () => {
    await renderCard(
      mockGitopsApi(async () => guestbookEnvironmentsWithProblems),
    );

    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(rowOf('staging')).toMatchObject({
      Environment: 'staging',
      Git: 'apps/guestbook/overlays/staging/kustomization.yaml: resource ../../base-v2 not found (apps/guestbook/base-v2)',
    });
    expect(rowOf('dev')).toMatchObject({ Git: 'v1.0.5' });
    expect(rowOf('prod')).toMatchObject({ Git: 'v1.0.3' });
  });

  it('marks the state of a cluster that stopped answering as stale', async () => {
    const response = structuredClone(guestbookEnvironmentsLive);
    const prod = response.environments.find(e => e.name === 'prod')!;
    prod.live = { ...prod.live!, stale: true, staleReason: 'no answer' };
    await renderCard(mockGitopsApi(async () => response));

    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(rowOf('prod').Status).toBe('Synced · Healthy · stale');
  });

  it('shows the failure of the whole request', async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'NotAllowedError',
          message:
            'Not allowed to read the GitOps state of component:default/guestbook',
        },
        request: {
          method: 'GET',
          url: '/api/gitops/entities/default/component/guestbook/environments',
        },
        response: { statusCode: 403 },
      }),
      {
        status: 403,
        statusText: 'Forbidden',
        headers: { 'Content-Type': 'application/json' },
      },
    );
    const error = await ResponseError.fromResponse(response);

    await renderCard(mockGitopsApi(() => Promise.reject(error)));

    // The backend's reason is the panel's title, not only in its details.
    expect(
      await screen.findByText(
        'Error: Not allowed to read the GitOps state of component:default/guestbook',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('names the missing annotation and does not call the backend', async () => {
    const api = mockGitopsApi(async (): Promise<EnvironmentsResponse> => {
      throw new Error('must not be called');
    });

    await renderCard(api, entityWithoutGitops);

    expect(
      (await screen.findAllByText(/gitops\.backstage\.io\/path/)).length,
    ).toBeGreaterThan(0);
    expect(api.getEnvironments).not.toHaveBeenCalled();
  });
});
