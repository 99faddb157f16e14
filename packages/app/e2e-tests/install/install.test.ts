import { Page, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { PROMOTE_DEV, expectGuestbookLanes, guestToken, lane } from '../demo';

// The portal made by create-app with the packages installed from tarballs the README's way
// (.ci/install-test.mjs), against the offline demo (playwright.config.ts beside this file).

const GITOPS_REPO = path.resolve(
  __dirname,
  '../../../..',
  '.cache/install/gitops-example-repo',
);
/** What the portal showed, kept by CI with the other browser tests' screenshots. */
const shot = (page: Page, name: string) =>
  page.screenshot({
    path: path.resolve(
      __dirname,
      '../../../..',
      '.ci/artifacts/install',
      `${name}.png`,
    ),
    fullPage: true,
  });
const git = (...args: string[]) =>
  execFileSync('git', ['-C', GITOPS_REPO, ...args], {
    encoding: 'utf8',
  }).trim();

test.describe.configure({ mode: 'serial' });

/** Signs in as the template's guest ("Enter"). */
async function enterAsGuest(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  // Both templates open on the catalog.
  await expect(
    page.getByRole('heading', { name: 'My Company Catalog' }),
  ).toBeVisible();
}

test.describe('the new frontend system (packages/app, :3000)', () => {
  test.beforeEach(async ({ page }) => {
    await enterAsGuest(page);
    // The sidebar's GitOps item: the fleet page's, from the plugin the app discovered.
    await expect(
      page.getByRole('link', { name: 'GitOps' }).first(),
    ).toBeVisible();
  });

  test('the GitOps tab shows live lanes from the demo cluster', async ({
    page,
  }) => {
    await expectGuestbookLanes(page);
    await expect(
      lane(page, 'dev').getByText('Synced', { exact: true }),
    ).toBeVisible();
    await shot(page, 'portal-gitops-tab');
  });

  test('the fleet page lists the services with their environments', async ({
    page,
  }) => {
    await page.goto('/gitops');
    const fleet = page.getByRole('table', { name: 'GitOps fleet' });
    await expect(fleet).toBeVisible();
    // guestbook's versions per environment, and prod's one problem from the live cluster (its
    // autoscaler at its maximum).
    const guestbook = fleet.getByRole('row', { name: /guestbook/ });
    await expect(guestbook).toContainText('v1.0.5');
    await expect(guestbook).toContainText('v1.0.3 · 1 ⚠');
    await shot(page, 'portal-fleet-page');
  });

  test('a dev → staging promotion commits to the GitOps repository', async ({
    page,
  }) => {
    const before = git('rev-parse', 'main');
    await page.goto('/catalog/default/component/guestbook/gitops');
    await page.getByRole('button', { name: PROMOTE_DEV }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByLabel('Planned change')).toContainText(
      'newTag: v1.0.5',
    );
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await expect(dialog.getByLabel('Change result')).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(
      lane(page, 'staging').getByRole('region', {
        name: 'Git version of staging',
      }),
    ).toContainText('v1.0.5', { timeout: 30_000 });
    // One new commit on main, changing staging's overlay only.
    expect(git('rev-list', '--count', `${before}..main`)).toBe('1');
    expect(git('diff', '--name-only', before, 'main')).toBe(
      'apps/guestbook/overlays/staging/kustomization.yaml',
    );
  });

  test("the scaffolder lists the module's actions", async ({ page }) => {
    const token = await guestToken(page);
    const actions = await page.request.get(
      'http://localhost:7007/api/scaffolder/v2/actions',
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(actions.status()).toBe(200);
    const ids = (await actions.json()).map(
      (action: { id: string }) => action.id,
    );
    expect(ids).toEqual(
      expect.arrayContaining([
        'gitops:service:create',
        'gitops:promote',
        'gitops:environments:describe',
      ]),
    );
  });
});

test.describe('the legacy frontend system (packages/app-legacy, :3001)', () => {
  test.use({ baseURL: 'http://localhost:3001' });

  test('the card on the overview, the tab and the fleet page, with live data', async ({
    page,
  }) => {
    await enterAsGuest(page);
    await page.goto('/catalog/default/component/guestbook');
    await expect(
      page.getByRole('table', { name: 'GitOps environments' }),
    ).toContainText('staging');
    await page.getByRole('tab', { name: 'GitOps' }).click();
    await expect(lane(page, 'prod')).toContainText('HPAAtMax');
    await shot(page, 'portal-legacy-gitops-tab');
    await page.goto('/gitops');
    await expect(
      page.getByRole('table', { name: 'GitOps fleet' }),
    ).toContainText('guestbook');
  });
});
