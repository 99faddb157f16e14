import { CompareResponse } from '@gitops-backstage/plugin-gitops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { guestbookEnvironmentsLive } from '../../__fixtures__/guestbook';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { CompareEnvironments } from './CompareEnvironments';
import { EntityGitopsContent } from './EntityGitopsContent';

const guestbook = {
  kind: 'component',
  namespace: 'default',
  name: 'guestbook',
};

const stagingVsProd: CompareResponse = {
  from: 'staging',
  to: 'prod',
  revision: '0123456789abcdef0123456789abcdef01234567',
  differences: [
    { field: 'image.tag', from: 'v1.0.5', to: 'v1.0.4' },
    { field: 'replicas', from: 2, to: null },
    { field: 'env.LOG_LEVEL', from: 'debug', to: 'info' },
    {
      field: 'container.args',
      from: ['--port', 8080],
      to: { mode: 'strict' },
    },
  ],
};

function api() {
  return mockGitopsApi(async () => guestbookEnvironmentsLive);
}

function renderCompare(gitopsApi = api()) {
  return renderWithApi(
    <CompareEnvironments
      entityRef={guestbook}
      environments={['dev', 'staging', 'prod']}
    />,
    gitopsApi,
  );
}

/** The rows of a table as the user reads them: field, from value, to value. */
function rows(table: HTMLElement) {
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row =>
      within(row)
        .getAllByRole('cell')
        .map(cell => cell.textContent),
    );
}

describe('CompareEnvironments', () => {
  it('shows progress while the comparison loads, comparing the last two environments first', async () => {
    const gitopsApi = api();
    gitopsApi.compare.mockReturnValue(new Promise(() => {}));
    await renderCompare(gitopsApi);
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
    expect(screen.getByLabelText('Compare From')).toHaveTextContent('staging');
    expect(screen.getByLabelText('Compare To')).toHaveTextContent('prod');
    expect(gitopsApi.compare).toHaveBeenCalledWith(
      guestbook,
      'staging',
      'prod',
    );
  });

  it('shows the version apart from the other differences, "not set" for null and lists and maps as text', async () => {
    const gitopsApi = api();
    gitopsApi.compare.mockResolvedValue(stagingVsProd);
    await renderCompare(gitopsApi);
    const version = await screen.findByRole('table', {
      name: 'Version of staging and prod',
    });
    expect(
      within(version)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual(['Field', 'staging', 'prod']);
    expect(rows(version)).toEqual([['image.tag', 'v1.0.5', 'v1.0.4']]);
    const other = screen.getByRole('table', {
      name: 'Other differences of staging and prod',
    });
    expect(rows(other)).toEqual([
      ['replicas', '2', 'not set'],
      ['env.LOG_LEVEL', 'debug', 'info'],
      ['container.args', '["--port",8080]', '{"mode":"strict"}'],
    ]);
    expect(screen.getByText('Read at 0123456')).toBeInTheDocument();
  });

  it('says when nothing differs besides the version, and when nothing differs at all', async () => {
    const gitopsApi = api();
    gitopsApi.compare.mockResolvedValueOnce({
      ...stagingVsProd,
      differences: [stagingVsProd.differences[0]],
    });
    await renderCompare(gitopsApi);
    expect(
      await screen.findByText('No differences besides the version.'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'Version of staging and prod' }),
    ).toBeInTheDocument();

    gitopsApi.compare.mockResolvedValueOnce({
      ...stagingVsProd,
      from: 'dev',
      differences: [],
    });
    await userEvent.click(screen.getByLabelText('Compare From'));
    await userEvent.click(await screen.findByRole('option', { name: 'dev' }));
    expect(
      await screen.findByText('The two environments are the same in Git.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('says the version is the same when only other fields differ', async () => {
    const gitopsApi = api();
    gitopsApi.compare.mockResolvedValue({
      ...stagingVsProd,
      differences: stagingVsProd.differences.slice(1),
    });
    await renderCompare(gitopsApi);
    expect(
      await screen.findByText('Same version in both.'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Version of staging and prod' }),
    ).not.toBeInTheDocument();
  });

  it('shows an error panel when the comparison fails', async () => {
    const gitopsApi = api();
    gitopsApi.compare.mockRejectedValue(
      new Error('staging: kustomization.yaml is not valid YAML'),
    );
    await renderCompare(gitopsApi);
    expect(
      (await screen.findAllByText(/kustomization.yaml is not valid YAML/))
        .length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('compares the pair chosen in the selects, and asks nothing for one environment with itself', async () => {
    const gitopsApi = api();
    gitopsApi.compare.mockImplementation(async (_ref, from, to) => ({
      ...stagingVsProd,
      from,
      to,
    }));
    await renderCompare(gitopsApi);
    await screen.findByRole('table', { name: 'Version of staging and prod' });

    await userEvent.click(screen.getByLabelText('Compare From'));
    await userEvent.click(await screen.findByRole('option', { name: 'dev' }));
    await waitFor(() =>
      expect(gitopsApi.compare).toHaveBeenLastCalledWith(
        guestbook,
        'dev',
        'prod',
      ),
    );
    expect(
      await screen.findByRole('table', { name: 'Version of dev and prod' }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Compare To'));
    await userEvent.click(await screen.findByRole('option', { name: 'dev' }));
    expect(
      await screen.findByText('Pick two different environments.'),
    ).toBeInTheDocument();
    expect(gitopsApi.compare).toHaveBeenCalledTimes(2);

    await userEvent.click(screen.getByLabelText('Compare To'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'staging' }),
    );
    await waitFor(() =>
      expect(gitopsApi.compare).toHaveBeenLastCalledWith(
        guestbook,
        'dev',
        'staging',
      ),
    );
  });
});

describe('CompareEnvironments on the GitOps tab', () => {
  it('is shown below the lanes when there are two environments or more', async () => {
    const gitopsApi = api();
    gitopsApi.compare.mockResolvedValue(stagingVsProd);
    await renderWithApi(<EntityGitopsContent />, gitopsApi);
    expect(
      await screen.findByRole('table', { name: 'Version of staging and prod' }),
    ).toBeInTheDocument();
  });

  it('is not shown for a single environment', async () => {
    const gitopsApi = mockGitopsApi(async () => ({
      ...guestbookEnvironmentsLive,
      environments: guestbookEnvironmentsLive.environments.slice(0, 1),
    }));
    await renderWithApi(<EntityGitopsContent />, gitopsApi);
    await screen.findByRole('region', { name: 'Environment dev' });
    expect(screen.queryByText('Compare environments')).not.toBeInTheDocument();
    expect(gitopsApi.compare).not.toHaveBeenCalled();
  });
});
