import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  entityWithoutGitops,
  guestbookEntity,
  guestbookEnvironments,
  guestbookEnvironmentsLive,
  guestbookEnvironmentsWithProblems,
  plannedAction,
} from '../../__fixtures__/guestbook';
import { GitopsApi, gitopsApiRef } from '../../api';
import { EntityGitopsEnvironmentsCard } from './EntityGitopsEnvironmentsCard';

function mockGitopsApi(
  getEnvironments: GitopsApi['getEnvironments'],
): jest.Mocked<GitopsApi> {
  return {
    getEnvironments: jest.fn(getEnvironments),
    getHistory: jest.fn(),
    promote: jest.fn(),
    getAction: jest.fn(),
    rollback: jest.fn(),
    scale: jest.fn(),
  };
}

async function renderCard(api: GitopsApi, entity: Entity = guestbookEntity) {
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityGitopsEnvironmentsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
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
  it('shows version, scaling, resources and source of every environment in promotion order', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironments);

    await renderCard(api);

    expect(await screen.findByText('GitOps environments')).toBeInTheDocument();
    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(api.getEnvironments).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'guestbook',
    });
    const names = screen
      .getAllByRole('row')
      .slice(1)
      .map(row => within(row).getAllByRole('cell')[0].textContent);
    expect(names).toEqual(['dev', 'staging', 'prod']);
    expect(rowOf('dev')).toEqual({
      Environment: 'dev',
      Git: 'v1.0.5',
      Newer: '—',
      Running: '—',
      Sync: '—',
      Scaling: '1 replica',
      'Resources (cpu/mem)': 'req 50m/64Mi · lim 100m/128Mi',
      Source: 'apps/guestbook/overlays/dev @ 3f2a9c8',
      Change: 'ScaleRoll back', // the first environment takes no promotions
    });
    expect(rowOf('staging')).toMatchObject({
      Git: 'v1.0.4',
      Scaling: '2 replicas',
      'Resources (cpu/mem)': 'req 100m/128Mi · lim 250m/256Mi',
    });
    expect(rowOf('prod')).toMatchObject({
      Git: 'v1.0.3',
      Scaling: 'HPA 3–10 · CPU 70% · mem 80% · 3 replicas',
      'Resources (cpu/mem)': 'req 200m/256Mi · lim 500m/512Mi',
      Source: 'apps/guestbook/overlays/prod @ 3f2a9c8',
    });
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
        origins: {
          chartVersion: {
            file: 'apps/staging/podinfo-values.yaml',
            line: 9,
            yamlPath: 'spec.chart.spec.version',
            path: ['spec', 'chart', 'spec', 'version'],
          },
        },
      },
      sync: { ...dev.sync!, engine: 'flux' as const, chartVersion: '6.9.0' },
      registry: {
        image: 'https://stefanprodan.github.io/podinfo podinfo',
        kind: 'chart' as const,
        policy: 'semver',
        latest: '6.10.0',
        newer: ['6.10.0'],
        current: '6.9.0',
        digest: null,
        tagExists: true,
      },
    };
    await renderCard(
      mockGitopsApi(async () => ({
        entityRef: 'component:default/guestbook',
        environments: [dev, chartVersioned, prod],
      })),
    );
    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(rowOf('staging')).toMatchObject({
      Git: "chart podinfo >=6.0.0 (installed 6.9.0)image from the chart's defaults (not in Git)podinfo-values.yaml:9",
      Newer: '6.10.0',
    });
  });

  it('shows the error of an environment that cannot be read while the others still render', async () => {
    await renderCard(
      mockGitopsApi(async () => guestbookEnvironmentsWithProblems),
    );

    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(rowOf('staging')).toEqual({
      Environment: 'staging',
      Git: 'apps/guestbook/overlays/staging/kustomization.yaml: resource ../../base-v2 not found (apps/guestbook/base-v2)',
    });
    expect(rowOf('dev')).toMatchObject({ Git: 'v1.0.5' });
    expect(rowOf('prod')).toMatchObject({ Git: 'v1.0.3' });
    expect(
      within(screen.getByRole('list', { name: 'Warnings for prod' })).getByText(
        'apps/guestbook/overlays/prod/kustomization.yaml: configMapGenerator is not rendered',
      ),
    ).toBeInTheDocument();
  });

  it('shows what runs, the sync state, problems with hints and a cluster error beside Git', async () => {
    await renderCard(mockGitopsApi(async () => guestbookEnvironmentsLive));

    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(rowOf('dev')).toMatchObject({
      Git: 'v1.0.5',
      Newer: 'v1.0.6',
      Running: 'v1.0.5 · 1/1 ready',
      Sync: 'Synced · Healthy',
    });
    expect(rowOf('prod')).toMatchObject({
      Git: 'v1.0.3',
      Running: 'v1.0.2 · 3/3 ready',
      Sync: 'Synced · Healthy',
    });
    const problems = screen.getByRole('list', { name: 'Problems in prod' });
    expect(within(problems).getByText('Drift')).toBeInTheDocument();
    expect(
      within(problems).getByText(/The cluster differs from Git/),
    ).toBeInTheDocument();
    // Git still answers for staging while its cluster does not.
    expect(rowOf('staging')).toMatchObject({ Git: 'v1.0.4', Running: '—' });
    expect(
      screen.getByText('cluster nonprod did not answer within 5000 ms'),
    ).toBeInTheDocument();
  });

  it('marks the state of a cluster that stopped answering as stale and lists what could not be read', async () => {
    const reason =
      'cluster prod: no answer since 03:21:29 UTC; showing the state from then';
    const forbidden =
      'cluster prod: may not list persistentvolumeclaims in guestbook-prod (403 Forbidden): grant list, watch on persistentvolumeclaims';
    const response = structuredClone(guestbookEnvironmentsLive);
    const prod = response.environments.find(e => e.name === 'prod')!;
    prod.live = { ...prod.live!, stale: true, staleReason: reason };
    prod.warnings = [reason, forbidden];
    await renderCard(mockGitopsApi(async () => response));

    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(rowOf('prod').Running).toBe('v1.0.2 · 3/3 ready · stale');
    const warnings = screen.getByRole('list', { name: 'Warnings for prod' });
    expect(within(warnings).getByText(reason)).toBeInTheDocument();
    expect(within(warnings).getByText(forbidden)).toBeInTheDocument();
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

  it('promotes after showing the plan: versions, gates and diff first, then the commit', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironments);
    const plan = plannedAction({
      gates: [
        {
          name: 'allowedSource',
          passed: true,
          message: 'staging takes promotions from dev',
        },
        { name: 'versionKnown', passed: true, message: 'dev declares v1.0.5' },
      ],
      diff: [
        '--- a/apps/guestbook/overlays/staging/kustomization.yaml',
        '+++ b/apps/guestbook/overlays/staging/kustomization.yaml',
        '@@ -10,1 +10,1 @@',
        '-    newTag: v1.0.4',
        '+    newTag: v1.0.5',
        '',
      ].join('\n'),
      message: 'Would commit on main (0d46b8b)',
    });
    api.promote.mockImplementation(async (_ref, request) =>
      request.dryRun
        ? plan
        : {
            ...plan,
            id: '6f1c2f8e-0000-4000-8000-000000000001',
            status: 'Committed',
            commit: '4d2bcec3c511e5530851cf3584a6915ecd18ee25',
            message: 'Waiting for staging to sync',
          },
    );

    await renderCard(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Promote dev to staging' }),
    );

    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText('Promote guestbook from dev to staging'),
    ).toBeInTheDocument();
    const gates = await within(dialog).findByRole('list', { name: 'Gates' });
    expect(
      within(gates)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      '✔ allowedSource: staging takes promotions from dev',
      '✔ versionKnown: dev declares v1.0.5',
    ]);
    expect(
      within(dialog).getByLabelText('Planned change').textContent,
    ).toContain('+    newTag: v1.0.5');
    expect(api.promote).toHaveBeenCalledTimes(1);
    expect(api.promote).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { from: 'dev', to: 'staging', dryRun: true },
    );

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Promote' }),
    );

    expect(
      await within(dialog).findByLabelText('Change result'),
    ).toHaveTextContent('Committed: Waiting for staging to sync');
    expect(within(dialog).getByText('Commit 4d2bcec')).toBeInTheDocument();
    expect(api.promote).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { from: 'dev', to: 'staging' },
    );
    // The table reloads so the new version shows.
    await waitFor(() => expect(api.getEnvironments).toHaveBeenCalledTimes(2));
  });

  it('keeps the Promote button disabled while a gate fails', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironments);
    api.promote.mockResolvedValue(
      plannedAction({
        from: 'staging',
        to: 'prod',
        gates: [
          {
            name: 'healthySource',
            passed: false,
            message: 'staging is Synced and Degraded',
          },
        ],
        version: { tag: 'v1.0.4', digest: null },
        previousVersion: { tag: 'v1.0.3', digest: null },
      }),
    );

    await renderCard(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Promote staging to prod' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(/staging is Synced and Degraded/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Promote' }),
    ).toBeDisabled();
    expect(api.promote).toHaveBeenCalledTimes(1);
  });

  it('says in which file and line the version is written, when the backend knows', async () => {
    const withOrigin: EnvironmentsResponse = structuredClone(
      guestbookEnvironments,
    );
    withOrigin.environments[1].desired!.origins = {
      tag: {
        file: 'argocd/guestbook-staging.yaml',
        line: 23,
        yamlPath: 'spec.source.helm.parameters[0].value',
        path: ['spec', 'source', 'helm', 'parameters', 0, 'value'],
      },
    };
    await renderCard(mockGitopsApi(async () => withOrigin));
    await screen.findByRole('table');
    expect(rowOf('staging').Git).toBe('v1.0.4guestbook-staging.yaml:23');
    expect(
      screen.getByTitle(
        'argocd/guestbook-staging.yaml:23 spec.source.helm.parameters[0].value',
      ),
    ).toBeInTheDocument();
    expect(rowOf('dev').Git).toBe('v1.0.5');
  });

  it('scales through a preview of the commit, then commits', async () => {
    const api = mockGitopsApi(async () => guestbookEnvironments);
    const planned = plannedAction({
      action: 'scale',
      from: null,
      version: null,
      previousVersion: null,
      scaling: { replicas: 4, minReplicas: null, maxReplicas: null },
      diff: '--- a/k.yaml\n+++ b/k.yaml\n@@ -1 +1 @@\n-    count: 2\n+    count: 4\n',
    });
    api.scale.mockImplementation(async (_ref, request) =>
      request.dryRun
        ? planned
        : {
            ...planned,
            id: '6f1c2f8e-0000-4000-8000-000000000002',
            status: 'Committed',
            commit: 'abcdef0123456789',
            message: 'Waiting for staging to sync',
          },
    );
    await renderCard(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Scale staging' }),
    );
    const dialog = await screen.findByRole('dialog');
    const input = within(dialog).getByLabelText('replicas');
    await userEvent.clear(input);
    await userEvent.type(input, '4');
    // Nothing is committed before the preview.
    expect(
      within(dialog).getByRole('button', { name: 'Commit' }),
    ).toBeDisabled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Preview' }),
    );
    expect(await within(dialog).findByText('4 replicas')).toBeInTheDocument();
    expect(api.scale).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { environment: 'staging', replicas: 4, dryRun: true },
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Commit' }),
    );
    expect(
      await within(dialog).findByLabelText('Change result'),
    ).toHaveTextContent('Committed: Waiting for staging to sync');
    expect(api.scale).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'guestbook' },
      { environment: 'staging', replicas: 4 },
    );
  });
});
