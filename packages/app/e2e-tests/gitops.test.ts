import { Locator, expect, test } from '@playwright/test';
import {
  GITOPS_REPO,
  PROMOTE_DEV,
  PROMOTE_STAGING,
  SHOTS,
  git,
  guestToken,
  lane,
  layoutProblems,
  shot,
  signIn,
} from './demo';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The demo's failing services (examples/demo-cluster): demo-flask-app's staging build crashes,
 * sample-app's dev image was never pushed, guestbook's prod autoscaler is at its maximum.
 */
const FAILING = ['demo-flask-app', 'guestbook', 'sample-app'];

// The promote controls between lanes: "Promote v1.0.5 →", named with both environments.

/** prod's weekend deny window (app-config.yaml) is open: Saturday and Sunday in Berlin. */
function berlinWeekend(): boolean {
  const day = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    timeZone: 'Europe/Berlin',
  }).format(new Date());
  return day === 'Sat' || day === 'Sun';
}

/** The example GitOps repository's branch head (the demo's `yarn start` makes it bare). */
const exampleHead = () =>
  execFileSync('git', ['-C', GITOPS_REPO, 'rev-parse', 'main'], {
    encoding: 'utf8',
  }).trim();

// One demo, changed by the steps in order: a promotion, then a scale.
test.describe.serial('GitOps tab on the offline demo', () => {
  test.beforeEach(async ({ page }) => signIn(page));

  test('shows a lane per environment with the version Git asks for', async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/guestbook/gitops');
    for (const [env, version] of [
      ['dev', 'v1.0.5'],
      ['staging', 'v1.0.4'],
      ['prod', 'v1.0.3'],
    ]) {
      await expect(
        lane(page, env).getByRole('region', { name: `Git version of ${env}` }),
      ).toContainText(version);
    }
    await expect(lane(page, 'prod')).toContainText('HPAAtMax');
    // The controls between lanes say what they promote.
    await expect(page.getByRole('button', { name: PROMOTE_DEV })).toHaveText(
      'Promote v1.0.5 →',
    );
    await expect(
      page.getByRole('button', { name: PROMOTE_STAGING }),
    ).toHaveText('Promote v1.0.4 →');
    await shot(page, '1-guestbook-lanes');
  });

  test('a version that fails verification in staging cannot reach prod: the gate says why, REST refuses it', async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/guestbook/gitops');
    // guestbook v1.0.4 fails 12 % of its requests in the demo (examples/demo-cluster).
    const verification = lane(page, 'staging').getByRole('region', {
      name: 'Verification of staging',
    });
    await expect(verification).toContainText('Failed', { timeout: 90_000 });
    await expect(verification).toContainText('error-ratio');
    await expect(lane(page, 'staging')).toContainText('VerificationFailed');
    await expect(
      lane(page, 'prod').getByRole('region', {
        name: 'Gates of the next promotion to prod',
      }),
    ).toContainText('v1.0.4 failed verification in staging: error-ratio 0.1');
    await page.getByRole('button', { name: PROMOTE_STAGING }).click();
    const dialog = page.getByRole('dialog');
    await expect(
      dialog.getByRole('list', { name: 'Gates', exact: true }),
    ).toContainText('v1.0.4 failed verification in staging');
    await expect(
      dialog.getByRole('button', { name: 'Promote' }),
    ).toBeDisabled();
    await shot(page, '1b-prod-refused-failed-verification');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // The same refusal through REST, and nothing written.
    const before = exampleHead();
    const res = await page.request.post(
      'http://localhost:7007/api/gitops/entities/default/component/guestbook/promotions',
      {
        headers: { Authorization: `Bearer ${await guestToken(page)}` },
        data: { from: 'staging', to: 'prod' },
      },
    );
    expect(res.status()).toBe(409);
    const body = await res.json();
    expect(body.error.message).toMatch(
      /^Promotion staging → prod refused: .*verifiedIn: v1\.0\.4 failed verification in staging: error-ratio 0\.1\d+ \(threshold < 0\.01\)/,
    );
    expect(body.gates.find((g: any) => g.name === 'verifiedIn').state).toBe(
      'fail',
    );
    expect(exampleHead()).toBe(before);
  });

  test('promotes dev → staging through the dialog; the staging lane follows without a reload', async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/guestbook/gitops');
    await page.getByRole('button', { name: PROMOTE_DEV }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByLabel('Planned change')).toContainText(
      'newTag: v1.0.5',
    );
    // What will ship: the commits between the images' revisions, from guestbook's source
    // repository (examples/init-source-repos.mjs), linked.
    const ship = dialog.getByRole('region', { name: 'What will ship' });
    await expect(ship).toContainText('5 commits, 2 pull requests, 4 authors', {
      timeout: 30_000,
    });
    const commits = ship.getByRole('list', { name: 'Commits' });
    await expect(commits).toContainText(
      'Merge pull request #7 from acme/pool-fix',
    );
    await expect(commits).toContainText('Log as JSON (#8)');
    await expect(commits.getByRole('link').first()).toHaveAttribute(
      'href',
      /^https:\/\/github\.com\/acme\/guestbook\/commit\/[0-9a-f]{40}$/,
    );
    await shot(page, '2-promote-dialog');
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await expect(dialog.getByLabel('Change result')).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();
    const staging = lane(page, 'staging');
    await expect(
      staging.getByRole('region', { name: 'Git version of staging' }),
    ).toContainText('v1.0.5', { timeout: 30_000 });
    await expect(
      staging.getByRole('region', { name: 'Running in staging' }),
    ).toContainText('v1.0.5', { timeout: 60_000 });
    await expect(staging.getByText('Synced', { exact: true })).toBeVisible();
    await expect(staging.getByText('Healthy', { exact: true })).toBeVisible();
    // Where the lanes stand now: staging caught up with dev, prod two versions behind it,
    // and the commit that set staging's version, asked for through the portal.
    await expect(
      staging.getByRole('region', { name: 'Where staging stands' }),
    ).toContainText('same version as dev');
    await expect(
      lane(page, 'prod').getByRole('region', { name: 'Where prod stands' }),
    ).toContainText('2 versions behind staging (v1.0.5)');
    await expect(
      staging.getByRole('region', { name: 'Where staging stands' }),
    ).toContainText(
      /version set .* ago by .* · promote asked by user:default\/guest/,
    );
    await shot(page, '3-staging-promoted');
  });

  test('scales staging to 3 replicas; the lane shows 3/3 ready', async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/guestbook/gitops');
    await page.getByRole('button', { name: 'Scale staging' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('replicas').fill('3');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await expect(dialog.getByLabel('Planned change')).toContainText('3');
    await dialog.getByRole('button', { name: 'Commit' }).click();
    await expect(dialog.getByLabel('Change result')).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(
      lane(page, 'staging').getByRole('region', { name: 'Running in staging' }),
    ).toContainText('3/3 ready', { timeout: 60_000 });
    await shot(page, '4-staging-scaled');
  });

  test('v1.0.5 passes verification in staging; prod waits for an approval, which the requester cannot give and alice does', async ({
    page,
    browser,
  }) => {
    await page.goto('/catalog/default/component/guestbook/gitops');
    // The run of v1.0.5 as a whole (the gate reads it), not one check's row of it: staging
    // was scaled after v1.0.5 settled, and its checks wait until the scale is done.
    const prodGates = lane(page, 'prod').getByRole('region', {
      name: 'Gates of the next promotion to prod',
    });
    await expect(prodGates).toContainText(
      'v1.0.5 passed verification in staging',
      { timeout: 120_000 },
    );
    const stagingChecks = lane(page, 'staging').getByRole('list', {
      name: 'Checks of staging',
    });
    await expect(stagingChecks).toContainText('error-ratio');
    await expect(stagingChecks).toContainText('health');
    await expect(stagingChecks).not.toContainText('Failed');
    await expect(prodGates).toContainText('0 of 1 approval of v1.0.5 for prod');

    // guest asks: refused while it waits for an approval, and recorded as guest's request.
    await page.getByRole('button', { name: PROMOTE_STAGING }).click();
    let dialog = page.getByRole('dialog');
    await expect(dialog.getByLabel('Planned change')).toContainText(
      'newTag: v1.0.5',
    );
    await dialog.getByRole('button', { name: 'Promote' }).click();
    const refusal = dialog.getByRole('alert', { name: 'Refusal' });
    await expect(refusal).toContainText(
      'approvals: 0 of 1 approval of v1.0.5 for prod',
    );
    await shot(page, '4a-prod-waits-for-approval');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // guest may not approve what guest asked for.
    const approvals = lane(page, 'prod').getByRole('region', {
      name: 'Approvals of prod',
    });
    await approvals
      .getByRole('button', { name: 'Approve v1.0.5 for prod' })
      .click();
    dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(dialog).toContainText('nobody approves their own request');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // alice, in her own browser, approves it.
    const aliceContext = await browser.newContext();
    const alice = await aliceContext.newPage();
    await alice.goto('/');
    await alice.getByRole('button', { name: 'Sign In' }).click();
    await expect(
      alice
        .getByRole('navigation', { name: 'sidebar nav' })
        .getByRole('link', { name: 'Catalog', exact: true }),
    ).toBeVisible();
    await alice.goto('/catalog/default/component/guestbook/gitops');
    const aliceApprovals = lane(alice, 'prod').getByRole('region', {
      name: 'Approvals of prod',
    });
    await aliceApprovals
      .getByRole('button', { name: 'Approve v1.0.5 for prod' })
      .click();
    const aliceDialog = alice.getByRole('dialog');
    await aliceDialog.getByLabel('Comment').fill('staging verified, go');
    await aliceDialog
      .getByRole('button', { name: 'Approve', exact: true })
      .click();
    await expect(aliceApprovals).toContainText('Approvals 1 of 1');
    await expect(aliceApprovals).toContainText('user:default/alice');
    await shot(alice, '4a2-alice-approved');
    await aliceContext.close();

    // guest's lanes follow: the approvals gate passes.
    await expect(prodGates).toContainText(
      '1 of 1 approval of v1.0.5 for prod from group:default/guests (approved by user:default/alice)',
      { timeout: 30_000 },
    );
  });

  test('promotes staging → prod for review: the prod lane shows the change waiting, prod unchanged', async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/guestbook/gitops');
    await page.getByRole('button', { name: PROMOTE_STAGING }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByLabel('Planned change')).toContainText(
      'newTag: v1.0.5',
    );
    if (berlinWeekend()) {
      // prod's weekend deny window waits until Monday: proceed as on-call would, on record.
      await dialog
        .getByLabel('Override with a reason')
        .fill('browser test run at the weekend');
    }
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await expect(dialog.getByLabel('Change result')).toContainText(
      'PullRequestOpened',
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
    const prod = lane(page, 'prod');
    await expect(
      prod.getByRole('region', { name: 'Where prod stands' }),
    ).toContainText(
      /Waiting for review: promote v1\.0\.5 \(branch \S+, asked .* by user:default\/guest\)/,
    );
    await expect(
      prod.getByRole('region', { name: 'Git version of prod' }),
    ).toContainText('v1.0.3');
    await shot(page, '4b-prod-waiting-for-review');
  });

  test('a freeze declared on the fleet page shows on the fleet page and in the lanes, and is lifted', async ({
    page,
  }) => {
    await page.goto('/gitops');
    await page.getByRole('button', { name: 'Declare a freeze' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Environments').fill('prod');
    await dialog.getByLabel('Reason').fill('year-end freeze');
    const until = new Date(Date.now() + 2 * 86_400_000);
    const local = new Date(until.getTime() - until.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
    await dialog.getByLabel('Until').fill(local);
    await dialog.getByRole('button', { name: 'Declare freeze' }).click();
    const banner = page.getByRole('status', { name: 'Freeze' });
    await expect(banner).toContainText('prod is frozen until');
    await expect(banner).toContainText(
      'year-end freeze, set by user:default/guest',
    );
    await shot(page, '4c-fleet-freeze');

    await page.goto('/catalog/default/component/guestbook/gitops');
    await expect(page.getByRole('status', { name: 'Freeze' })).toContainText(
      'prod is frozen until',
    );
    await expect(
      lane(page, 'prod').getByRole('region', {
        name: 'Gates of the next promotion to prod',
      }),
    ).toContainText('prod is frozen until');
    await shot(page, '4d-guestbook-freeze');

    await page.goto('/gitops');
    await page
      .getByRole('button', { name: 'Lift the freeze: year-end freeze' })
      .click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Lift' })
      .click();
    await expect(page.getByRole('status', { name: 'Freeze' })).toHaveCount(0);
  });

  test('shows a chart from its Helm repository as the version (Flux reference layout)', async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/flux-podinfo/gitops');
    await expect(
      lane(page, 'staging').getByRole('region', {
        name: 'Git version of staging',
      }),
    ).toContainText('chart podinfo >=6.0.0 (installed 6.9.0)');
    await expect(lane(page, 'staging')).toContainText(
      "image from the chart's defaults (not in Git)",
    );
    await shot(page, '5-flux-podinfo-lanes');
  });

  test('the Overview card has no clipped text in a half-width column at 1280 × 800', async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/catalog/default/component/guestbook');
    const card = page.getByRole('table', { name: 'GitOps environments' });
    await expect(
      card.getByRole('cell', { name: 'prod', exact: true }),
    ).toBeVisible();
    const overflowing = await card.evaluate(table =>
      [...table.querySelectorAll('th, td')]
        .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
        .map(cell => cell.textContent),
    );
    expect(overflowing).toEqual([]);
    const box = await card.boundingBox();
    expect(box!.width).toBeLessThan(1280 / 2 + 50);
    // The top row, beside About: the first card of the Overview's content column.
    const top = async (title: Locator) => (await title.boundingBox())!.y;
    expect(
      Math.abs(
        (await top(page.getByText('GitOps environments', { exact: true }))) -
          (await top(page.getByRole('heading', { name: 'About' }))),
      ),
    ).toBeLessThan(40);
    await shot(page, '6-overview-card-1280');
  });

  test('the lanes fit at 1280 × 800, use the width at 1920 × 1080 and stack below 900 px; the tab, the dialog and the fleet page cut nothing', async ({
    page,
  }) => {
    const lanesAt = async (width: number, height: number) => {
      await page.setViewportSize({ width, height });
      await page.goto('/catalog/default/component/guestbook/gitops');
      await expect(
        page.getByRole('button', { name: PROMOTE_STAGING }),
      ).toBeVisible();
      return Promise.all(
        ['dev', 'staging', 'prod'].map(
          async env => (await lane(page, env).boundingBox())!,
        ),
      );
    };
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ]) {
      const [dev, staging, prod] = await lanesAt(width, height);
      // Side by side, in order, all three inside the window: no horizontal scrolling.
      expect(dev.y).toBe(staging.y);
      expect(staging.y).toBe(prod.y);
      expect(dev.x + dev.width).toBeLessThan(staging.x);
      expect(staging.x + staging.width).toBeLessThan(prod.x);
      expect(prod.x + prod.width).toBeLessThanOrEqual(width);
      expect(
        await page.evaluate(
          () => document.documentElement.scrollWidth <= window.innerWidth,
        ),
      ).toBe(true);
      expect(await layoutProblems(page)).toEqual([]);
      if (width === 1920) {
        // The lanes grow with the screen: wider than at 1280.
        expect(dev.width).toBeGreaterThan(380);
      } else {
        await page.getByRole('button', { name: PROMOTE_STAGING }).click();
        const dialog = page.getByRole('dialog');
        await expect(
          dialog.getByRole('list', { name: 'Gates', exact: true }),
        ).toBeVisible();
        expect(await layoutProblems(page, '[role=dialog]')).toEqual([]);
        await shot(page, '6-promote-dialog-1280');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
      }
      await shot(page, `6-lanes-${width}`);
    }
    const [dev, staging, prod] = await lanesAt(850, 1000);
    // Stacked: one above the other, each as wide as the first.
    expect(staging.y).toBeGreaterThan(dev.y + dev.height);
    expect(prod.y).toBeGreaterThan(staging.y + staging.height);
    expect(Math.abs(staging.width - dev.width)).toBeLessThan(2);
    expect(await layoutProblems(page)).toEqual([]);
    await shot(page, '6-lanes-850');
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ]) {
      await page.setViewportSize({ width, height });
      await page.goto('/gitops');
      await expect(
        page.getByRole('link', { name: 'guestbook' }).first(),
      ).toBeVisible();
      await expect(
        page.getByRole('heading', { name: 'Fleet', exact: true }),
      ).toBeVisible();
      expect(await layoutProblems(page, 'body')).toEqual([]);
      await shot(page, `6-fleet-${width}`);
    }
  });

  test("podinfo's dev follows Flux image automation and its staging takes what dev verified by itself: the lanes say so", async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/podinfo/gitops');
    const automation = lane(page, 'staging').getByRole('region', {
      name: 'Automation of staging',
    });
    await expect(automation).toContainText(
      'auto: takes versions verified in dev',
    );
    await expect(automation).toContainText(
      'auto: rolls back a version that fails verification in staging',
    );
    await expect(
      automation.getByRole('button', {
        name: 'Pause automation of staging',
      }),
    ).toBeEnabled();
    // dev's image is Flux's to write (examples/demo-cluster/engines.yaml).
    await expect(
      lane(page, 'dev').getByRole('region', { name: 'Automation of dev' }),
    ).toContainText('dev follows 6.7.x via Flux image automation');
    // guestbook's staging has no auto-promotion (only podinfo's does), only the rollback.
    await page.goto('/catalog/default/component/guestbook/gitops');
    const guestbook = lane(page, 'staging').getByRole('region', {
      name: 'Automation of staging',
    });
    await expect(guestbook).toContainText(
      'auto: rolls back a version that fails verification in staging',
    );
    await expect(guestbook).not.toContainText('takes versions');
    await page.goto('/catalog/default/component/podinfo/gitops');
    await expect(
      lane(page, 'staging').getByRole('region', {
        name: 'Automation of staging',
      }),
    ).toContainText('auto: takes versions verified in dev');
    await shot(page, '6b-podinfo-automation');
  });

  test('the fleet page, filtered to only problems, lists exactly the demo services that fail', async ({
    page,
  }) => {
    // From the sidebar, as users get there.
    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'GitOps' })
      .click();
    await expect(page).toHaveURL(/\/gitops$/);
    const fleet = page.getByRole('table', { name: 'GitOps fleet' });
    await expect(fleet.getByRole('link', { name: 'guestbook' })).toBeVisible();
    // The count per state says beforehand how many the filter will list.
    await expect(
      page
        .getByRole('group', { name: 'Services per state' })
        .getByRole('button', { name: `${FAILING.length} with problems` }),
    ).toBeVisible();
    await page.getByRole('button', { name: 'State', exact: true }).click();
    await page.getByRole('option', { name: 'Only problems' }).click();
    await expect(page).toHaveURL(/status=problems/);
    await expect(page.getByLabel('Matching services')).toHaveText(
      `${FAILING.length} services`,
    );
    const names = await fleet
      .getByRole('row')
      .locator('td:first-child')
      .allTextContents();
    expect(names.sort()).toEqual([...FAILING].sort());
    // The state menu fades out after the choice.
    await expect(page.getByRole('listbox')).toBeHidden();
    await shot(page, '7-fleet-only-problems');
  });
});

test.describe.serial('Supply-chain evidence on the offline demo', () => {
  test.beforeEach(async ({ page }) => signIn(page));

  test('an unsigned build cannot leave dev and a critical CVE cannot reach prod: the lanes and the dialog say why, REST refuses it, Git is unchanged', async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/demo-flask-app/gitops');
    // The demo registry serves real cosign signatures and attestations (examples/demo-cluster):
    // dev's build 9f8e7d6-42 was pushed without CI, staging's 5c4b3a2-40 has a critical CVE.
    const devLine = lane(page, 'dev').getByTestId('evidence-line');
    await expect(devLine).toContainText('unsigned', { timeout: 60_000 });
    const stagingLine = lane(page, 'staging').getByTestId('evidence-line');
    await expect(stagingLine).toContainText(
      'signed by acme/demo-flask-app release.yml',
      { timeout: 60_000 },
    );
    await expect(stagingLine).toContainText('1 critical, 1 high');
    await expect(
      lane(page, 'prod').getByTestId('lane-supply-chain-policy'),
    ).toContainText('0 critical');
    await shot(page, '14-supply-chain-lanes');

    // Details on demand: the CVE with its fixed version, the signer and its issuer.
    await stagingLine.click();
    const details = page.getByRole('dialog', {
      name: 'Supply chain in staging',
    });
    await expect(
      details.getByRole('table', { name: 'Top vulnerabilities' }),
    ).toContainText('CVE-2023-6730');
    await expect(details).toContainText('4.36.0');
    await expect(details).toContainText(
      'https://token.actions.githubusercontent.com',
    );
    await shot(page, '15-supply-chain-details');
    await details.getByRole('button', { name: 'Close' }).click();

    // The dialog shows the proposed version's evidence before anything is written.
    await page.getByRole('button', { name: PROMOTE_DEV }).click();
    const dialog = page.getByRole('dialog');
    const chain = dialog.getByRole('region', { name: 'Supply chain' });
    await expect(chain.getByTestId('evidence-line')).toContainText('unsigned');
    await expect(
      chain.getByRole('list', { name: 'Supply-chain gates' }),
    ).toContainText(
      /9f8e7d6-42 \(sha256:[0-9a-f]{12}\) is not signed; staging requires a signature by https:\/\/github\.com\/acme\/demo-flask-app/,
    );
    await expect(
      dialog.getByRole('button', { name: 'Promote' }),
    ).toBeDisabled();
    await shot(page, '16-promote-refused-unsigned');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // REST refuses staging's build into prod for its critical CVE, and nothing is written.
    const before = exampleHead();
    const res = await page.request.post(
      'http://localhost:7007/api/gitops/entities/default/component/demo-flask-app/promotions',
      {
        headers: { Authorization: `Bearer ${await guestToken(page)}` },
        data: { from: 'staging', to: 'prod' },
      },
    );
    expect(res.status()).toBe(409);
    const body = await res.json();
    expect(body.error.message).toMatch(
      /vulnerabilities: 5c4b3a2-40 \(sha256:[0-9a-f]{12}\) has 1 critical \(at most 0\) in prod: CVE-2023-6730 in transformers \(fixed in 4\.36\.0\)/,
    );
    expect(body.evidence.signature.state).toBe('verified');
    expect(exampleHead()).toBe(before);

    // The fleet page lists what is unsigned or vulnerable.
    await page.goto('/gitops?status=insecure');
    const fleet = page.getByRole('table', { name: 'GitOps fleet' });
    await expect(
      fleet.getByRole('link', { name: 'demo-flask-app' }),
    ).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('fleet-count-insecure')).toBeVisible();
    await shot(page, '17-fleet-insecure');
  });
});

// After the tests above: a new service adds a row to the fleet.
test.describe
  .serial('A new service from the template on the offline demo', () => {
  test.beforeEach(async ({ page }) => signIn(page));

  test('fills in the template, runs it, and opens the new service’s three lanes; one commit holds its files', async ({
    page,
  }) => {
    // A new name on every run, so a demo that is still up from an earlier run takes it too.
    const name = `hello-${Date.now().toString(36)}`;
    const before = git('rev-parse', 'main');

    await page.goto('/create');
    await expect(page.getByText('GitOps-managed service')).toBeVisible();
    await page.goto('/create/templates/default/gitops-service');
    await page.getByLabel('Name', { exact: false }).first().fill(name);
    await page.getByLabel('Description').fill('Says hello, from the e2e test');
    const owner = page.getByLabel('Owner', { exact: false }).first();
    await owner.click();
    await owner.fill('guests');
    await page
      .getByRole('option', { name: /guests/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Next' }).click();

    // Deployment: Argo CD and Kustomize (the defaults), an image the demo registry has.
    await page.getByLabel('Image repository').fill('ghcr.io/acme/guestbook');
    await page.getByLabel('First version', { exact: false }).fill('v1.0.5');
    await page.getByRole('button', { name: 'Next' }).click();

    // No GitHub here: only the GitOps repository is written.
    await page.getByLabel('Create the source repository on GitHub').uncheck();
    await page.getByRole('button', { name: 'Review' }).click();
    await shot(page, '8-template-review');
    await page.getByRole('button', { name: 'Create' }).click();

    // The task runs its steps, then offers the new entity's GitOps tab.
    const tabLink = page.getByRole('link', { name: 'GitOps tab' });
    await expect(tabLink).toBeVisible({ timeout: 60_000 });
    await shot(page, '9-template-done');

    // Exactly one new commit, holding the service's files.
    expect(git('rev-parse', 'main^')).toBe(before);
    const files = git('diff', '--name-only', before, 'main').split('\n').sort();
    expect(files).toEqual([
      `apps/${name}/base/deployment.yaml`,
      `apps/${name}/base/kustomization.yaml`,
      `apps/${name}/base/service.yaml`,
      `apps/${name}/catalog-info.yaml`,
      `apps/${name}/overlays/dev/kustomization.yaml`,
      `apps/${name}/overlays/prod/hpa.yaml`,
      `apps/${name}/overlays/prod/kustomization.yaml`,
      `apps/${name}/overlays/prod/pdb.yaml`,
      `apps/${name}/overlays/staging/kustomization.yaml`,
      `argocd/${name}-dev.yaml`,
      `argocd/${name}-prod.yaml`,
      `argocd/${name}-staging.yaml`,
    ]);

    // The catalog registers the entity from the demo's Git host; the tab then shows three
    // lanes, dev and staging deployed by their automated sync.
    await expect(async () => {
      await page.goto(`/catalog/default/component/${name}/gitops`);
      await expect(lane(page, 'dev')).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 90_000 });
    for (const env of ['dev', 'staging', 'prod']) {
      await expect(
        lane(page, env).getByRole('region', { name: `Git version of ${env}` }),
      ).toContainText('v1.0.5');
    }
    for (const env of ['dev', 'staging']) {
      await expect(
        lane(page, env).getByRole('region', { name: `Running in ${env}` }),
      ).toContainText('v1.0.5', { timeout: 60_000 });
    }
    // prod syncs by hand (seed 002): asked for from its lane, it then runs the pinned digest.
    const prod = lane(page, 'prod');
    await expect(prod.getByText('OutOfSync', { exact: true })).toBeVisible();
    await shot(page, '10-new-service-lanes');
    await prod.getByRole('button', { name: 'Sync prod' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'sync', exact: true })
      .click();
    await expect(
      prod.getByRole('region', { name: 'Running in prod' }),
    ).toContainText('v1.0.5', { timeout: 60_000 });
    await expect(prod).toContainText('3/3 ready', { timeout: 60_000 });
    await expect(prod.getByText('Synced', { exact: true })).toBeVisible();
    await shot(page, '11-new-service-prod-synced');
  });
});

// After the promotions above: the deployment ledger holds them beside the example history.
test.describe.serial('Delivery metrics on the offline demo', () => {
  test.beforeEach(async ({ page }) => signIn(page));

  test('the Delivery section of a service draws its charts from the ledger', async ({
    page,
  }) => {
    await page.goto('/catalog/default/component/guestbook/gitops');
    const delivery = page.getByRole('region', { name: 'Delivery' });
    await delivery.scrollIntoViewIfNeeded();
    // The four numbers, each with its band and target.
    for (const metric of [
      'Deployment frequency',
      'Lead time',
      'Change failure rate',
      'Time to restore',
    ]) {
      await expect(delivery.getByRole('group', { name: metric })).toBeVisible();
    }
    // staging: the promotion and the scaling the tests above made, and its example history.
    await delivery
      .getByRole('button', { name: /Delivery environment/ })
      .click();
    await page.getByRole('option', { name: 'staging' }).click();
    const perDay = delivery.getByRole('img', { name: 'Deployments per day' });
    await expect(
      perDay.locator('.recharts-bar-rectangle path').first(),
    ).toBeVisible({
      timeout: 60_000,
    });
    // A point per day with arrivals (a line once there are two: the example history is dated
    // from 2026-11-02, so how much of it a 30-day window holds depends on the day it runs).
    await expect(
      delivery
        .getByRole('img', { name: 'Lead time trend' })
        .locator('.recharts-line-dots .recharts-dot')
        .first(),
    ).toBeVisible();
    await expect(
      delivery
        .getByRole('img', { name: 'Promotions and rollbacks' })
        .locator('.recharts-bar-rectangle path')
        .first(),
    ).toBeVisible();
    await delivery.screenshot({
      path: path.join(SHOTS, '12-delivery-guestbook.png'),
    });
  });

  test('the fleet page shows the Delivery section for the whole fleet', async ({
    page,
  }) => {
    await page.goto('/gitops');
    const delivery = page.getByRole('region', { name: 'Delivery' });
    await delivery.scrollIntoViewIfNeeded();
    await expect(
      delivery
        .getByRole('img', { name: 'Promotions and rollbacks' })
        .locator('.recharts-bar-rectangle path')
        .first(),
    ).toBeVisible({ timeout: 60_000 });
    await shot(page, '13-fleet-delivery');
  });
});
