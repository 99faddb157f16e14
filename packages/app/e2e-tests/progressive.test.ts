import { Page, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { GITOPS_REPO, guestToken, lane, shot, signIn } from './demo';

/**
 * Sets checkout's prod image tag in the example repository as a CI job would (a clone, a
 * one-line commit, a push): the demo's prod is synced by hand, so the lane asks for the sync.
 */
function commitProdTag(tag: string) {
  const work = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  const run = (...args: string[]) =>
    execFileSync('git', ['-C', work, ...args], { encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', GITOPS_REPO, work]);
  const file = path.join(
    work,
    'apps/checkout/overlays/prod/kustomization.yaml',
  );
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace(/newTag: v[\d.]+/, `newTag: ${tag}`));
  run(
    '-c',
    'user.name=CI',
    '-c',
    'user.email=ci@example.com',
    'commit',
    '--quiet',
    '-am',
    `release(prod): checkout ${tag}`,
  );
  run('push', '--quiet', 'origin', 'main');
  fs.rmSync(work, { recursive: true, force: true });
}

async function syncProd(page: Page) {
  const prod = lane(page, 'prod');
  await expect(prod.getByText('OutOfSync', { exact: true })).toBeVisible({
    timeout: 60_000,
  });
  await prod.getByRole('button', { name: 'Sync prod' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'sync', exact: true })
    .click();
}

// Last: it changes checkout's prod, which no test above looks at.
test.describe.serial('Progressive delivery on the offline demo', () => {
  test.beforeEach(async ({ page }) => signIn(page));

  test("checkout's prod canary walks its steps with a passing analysis and is promoted in full from the lane", async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await page.goto('/catalog/default/component/checkout/gitops');
    const prod = lane(page, 'prod');
    const rollout = prod.getByRole('region', {
      name: 'Progressive rollout of prod',
    });
    await expect(rollout.getByTestId('rollout-health')).toHaveText('Healthy', {
      timeout: 60_000,
    });
    await expect(
      rollout.getByRole('group', { name: /^Stable in prod/ }),
    ).toContainText('v2.3.0');

    commitProdTag('v2.4.0');
    await syncProd(page);
    // The canary takes 20 % of the pods, its analysis measures the success rate, and the
    // Rollout waits at 40 % for a person.
    await expect(rollout.getByTestId('rollout-summary')).toContainText(
      'weight 20 %',
      { timeout: 60_000 },
    );
    await expect(
      rollout.getByRole('region', { name: 'Analysis of the rollout in prod' }),
    ).toContainText('success-rate', { timeout: 60_000 });
    await expect(rollout.getByTestId('rollout-paused')).toBeVisible({
      timeout: 120_000,
    });
    await expect(rollout.getByTestId('rollout-summary')).toContainText(
      'weight 40 %',
    );
    await expect(
      rollout.getByRole('group', { name: /^Canary in prod/ }),
    ).toContainText('v2.4.0');
    await shot(page, '20-rollout-paused-at-40');

    // The fleet page says the same in a word.
    await page.goto('/gitops');
    await expect(page.getByTestId('fleet-rollout-prod')).toHaveText(
      'paused at 40 %',
      { timeout: 30_000 },
    );
    await shot(page, '20b-fleet-rollout-paused');
    await page.goto('/catalog/default/component/checkout/gitops');

    await rollout
      .getByRole('button', { name: 'Promote the rollout in prod fully' })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Promote full' }).click();
    await expect(dialog).toContainText(/requested/i, { timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(rollout.getByTestId('rollout-health')).toHaveText('Healthy', {
      timeout: 90_000,
    });
    await expect(
      rollout.getByRole('group', { name: /^Stable in prod/ }),
    ).toContainText('v2.4.0');
    await expect(
      prod.getByRole('region', { name: 'Running in prod' }),
    ).toContainText('v2.4.0');
    await shot(page, '21-rollout-promoted');
  });

  test('a bad version aborts at 20 %: the lane names the failing metric and its measurements, the stable version keeps serving', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await page.goto('/catalog/default/component/checkout/gitops');
    const prod = lane(page, 'prod');
    const rollout = prod.getByRole('region', {
      name: 'Progressive rollout of prod',
    });
    commitProdTag('v2.5.0');
    await syncProd(page);
    const aborted = rollout.getByTestId('rollout-aborted');
    await expect(aborted).toBeVisible({ timeout: 120_000 });
    await expect(aborted).toContainText('success-rate');
    await expect(rollout.getByTestId('rollout-health')).toHaveText('Degraded');
    await expect(
      rollout.getByRole('list', { name: 'Last measurements of success-rate' }),
    ).toContainText('0.8');
    await expect(
      rollout.getByRole('group', { name: /^Stable in prod/ }),
    ).toContainText('v2.4.0');
    await expect(prod).toContainText('RolloutAborted');
    await shot(page, '22-rollout-aborted');

    // REST says the same, with the roll-up fields of the contract.
    const token = await guestToken(page);
    const res = await page.request.get(
      'http://localhost:7007/api/gitops/entities/default/component/checkout/environments',
      { headers: { Authorization: `Bearer ${token}` } },
    );
    const env = (await res.json()).environments.find(
      (e: { name: string }) => e.name === 'prod',
    );
    expect(env.rollout).toMatchObject({
      strategy: 'canary',
      health: 'Degraded',
      stable: { image: 'ghcr.io/acme/checkout:v2.4.0' },
    });
    expect(env.rollout.aborted.message).toMatch(/success-rate/);
  });

  test('retry from the lane starts the aborted canary again, and abort from the lane stops it', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await page.goto('/catalog/default/component/checkout/gitops');
    const rollout = lane(page, 'prod').getByRole('region', {
      name: 'Progressive rollout of prod',
    });
    const health = rollout.getByTestId('rollout-health');
    await expect(health).toHaveText('Degraded', { timeout: 60_000 });
    const dialog = page.getByRole('dialog');

    await rollout
      .getByRole('button', { name: 'Retry the rollout in prod' })
      .click();
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await expect(dialog).toContainText(/requested/i, { timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The steps start again: 20 % and a 20 s pause before the analysis can fail it again.
    await expect(health).not.toHaveText('Degraded', { timeout: 30_000 });
    await expect(rollout.getByTestId('rollout-aborted')).toBeHidden();

    await rollout
      .getByRole('button', { name: 'Abort the rollout in prod' })
      .click();
    await dialog.getByRole('button', { name: 'Abort' }).click();
    await expect(dialog).toContainText(/requested/i, { timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(health).toHaveText('Degraded', { timeout: 30_000 });
    // Once the controller acted on it, the lane says what it did.
    await expect(rollout.getByTestId('rollout-aborted')).toContainText(
      'Rollout aborted update',
      { timeout: 30_000 },
    );
    await expect(
      rollout.getByRole('group', { name: /^Stable in prod/ }),
    ).toContainText('v2.4.0');
    await shot(page, '23-rollout-aborted-from-the-lane');
  });
});
