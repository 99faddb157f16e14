import { expect, test } from '@playwright/test';
import {
  PROMOTE_DEV,
  PROMOTE_STAGING,
  lane,
  seriousAxeViolations,
  shot,
  signIn,
} from './demo';

// The last file of the browser tests (they run in name order): its keyboard promotion changes
// checkout's staging, which the other files' tests must find as the demo starts it. checkout's
// dev runs a newer version than its staging (examples/demo-cluster).

test.describe
  .serial('Accessibility and the dark theme on the offline demo', () => {
  test('axe-core finds no serious or critical violation on the tab, the dialog, the fleet page and the template pages', async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await signIn(page);
    await page.goto('/catalog/default/component/guestbook/gitops');
    const promote = page.getByRole('button', {
      name: PROMOTE_STAGING,
    });
    await expect(promote).toBeVisible();
    await expect(lane(page, 'staging')).toContainText('Verification');
    expect(await seriousAxeViolations(page, 'tab')).toEqual([]);
    await promote.click();
    const dialog = page.getByRole('dialog');
    await expect(
      dialog.getByRole('list', { name: 'Gates', exact: true }),
    ).toBeVisible();
    expect(
      await seriousAxeViolations(page, 'promote-dialog', '[role=dialog]'),
    ).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.goto('/gitops');
    await expect(
      page.getByRole('table', { name: 'GitOps fleet' }),
    ).toBeVisible();
    expect(await seriousAxeViolations(page, 'fleet')).toEqual([]);
    await page.goto('/create');
    await expect(
      page.getByText('GitOps-managed service').first(),
    ).toBeVisible();
    expect(await seriousAxeViolations(page, 'templates')).toEqual([]);
    await page.goto('/create/templates/default/gitops-service');
    await expect(
      page.getByLabel('Name', { exact: false }).first(),
    ).toBeVisible();
    expect(await seriousAxeViolations(page, 'template-form')).toEqual([]);
  });

  test('in the dark theme every part is readable: axe-core finds no contrast problem, and a screenshot shows it', async ({
    page,
  }) => {
    await page.addInitScript(() => localStorage.setItem('theme', 'dark'));
    await page.setViewportSize({ width: 1280, height: 800 });
    await signIn(page);
    await page.goto('/catalog/default/component/guestbook/gitops');
    await expect(
      page.getByRole('button', { name: PROMOTE_STAGING }),
    ).toBeVisible();
    await expect(lane(page, 'staging')).toContainText('Verification');
    // The theme really is dark: the page's background is.
    const background = await page.evaluate(
      () => getComputedStyle(document.body).backgroundColor,
    );
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r + g + b).toBeLessThan(3 * 96);
    expect(await seriousAxeViolations(page, 'tab-dark')).toEqual([]);
    await shot(page, '7-dark-guestbook-lanes');
    await page.goto('/gitops');
    await expect(
      page.getByRole('table', { name: 'GitOps fleet' }),
    ).toBeVisible();
    expect(await seriousAxeViolations(page, 'fleet-dark')).toEqual([]);
    await shot(page, '7-dark-fleet');
  });

  test('promotes with the keyboard alone: Tab to the control, Enter, Tab to Promote, Enter', async ({
    page,
  }) => {
    await signIn(page);
    await page.goto('/catalog/default/component/checkout/gitops');
    const control = page.getByRole('button', { name: PROMOTE_DEV });
    await expect(control).toBeEnabled();
    const version = (await control.textContent())!
      .replace(/^Promote /, '')
      .replace(/ →$/, '');
    const focusedName = () =>
      page.evaluate(
        () =>
          document.activeElement?.getAttribute('aria-label') ??
          document.activeElement?.textContent ??
          '',
      );
    const tabTo = async (name: RegExp) => {
      for (let i = 0; i < 300; i++) {
        if (name.test(await focusedName())) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${name}`);
    };
    await tabTo(PROMOTE_DEV);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Promote' })).toBeEnabled();
    await tabTo(/^Promote$/);
    await page.keyboard.press('Enter');
    await expect(dialog).toContainText('Committed');
    await tabTo(/^Close$/);
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(
      lane(page, 'staging').getByRole('region', {
        name: 'Git version of staging',
      }),
    ).toContainText(version);
    await shot(page, '7-keyboard-promoted');
  });
});
