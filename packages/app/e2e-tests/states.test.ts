import { Page, expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_STATE, SHOTS, guestToken, lane, shot, signIn } from './demo';

/*
 * What a person must read at a glance when part of the platform fails, on the offline demo:
 * the demo's Kubernetes API hangs or loses a grant on request (`PUT /demo/faults`), and the
 * Flux fleet's repository goes away. The browser tests start the backend with short watch and
 * recheck times (playwright.config.ts), so each state shows within seconds, not minutes. Each
 * test puts the fault right and waits until the lanes say so, so later tests find the demo
 * whole.
 */

const FAULTS = `http://127.0.0.1:${
  process.env.DEMO_CLUSTER_PORT ?? 7070
}/demo/faults`;
const FLUX_FLEET_REPO = path.join(DEMO_STATE, 'flux-fleet-repo');

async function setFaults(
  page: Page,
  faults: { hang?: boolean; forbid?: string[] },
) {
  const res = await page.request.put(FAULTS, { data: faults });
  expect(res.status()).toBe(200);
}

/** A service's GitOps tab at 1280 × 800, signed in. */
async function openTab(page: Page, service: string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  await page.goto(`/catalog/default/component/${service}/gitops`);
}

/** Reloads the tab until `check` holds: a person pressing reload, not the tab's own timer. */
async function untilShown(page: Page, check: () => Promise<void>) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 90_000, intervals: [2_000] });
}

test.describe.serial('States read at a glance on the offline demo', () => {
  // Each test waits for a state to show (about 20 s) and then for the demo to recover.
  test.describe.configure({ timeout: 240_000 });
  test.afterAll(async ({ request }) => {
    // Whatever failed above, the demo is left whole for the files after this one.
    await request.put(FAULTS, { data: { hang: false, forbid: [] } });
    if (fs.existsSync(`${FLUX_FLEET_REPO}.away`)) {
      fs.renameSync(`${FLUX_FLEET_REPO}.away`, FLUX_FLEET_REPO);
    }
  });

  test('a cluster that stopped answering after it was warm: each lane says since when, answers at once, and recovers', async ({
    page,
  }) => {
    await openTab(page, 'guestbook');
    await expect(lane(page, 'staging')).toContainText('Verification');
    await expect(lane(page, 'staging')).not.toContainText('stale');

    await setFaults(page, { hang: true });
    await untilShown(page, async () => {
      for (const env of ['dev', 'staging', 'prod']) {
        await expect(lane(page, env)).toContainText(
          /stale: cluster demo: no answer since \d\d:\d\d:\d\d UTC( \([^)]+\))?; showing the state from then/,
          { timeout: 5_000 },
        );
      }
    });
    // Beside Synced and Healthy, which are the state from then, and still the last known
    // state: not an error or an empty lane.
    await expect(lane(page, 'prod')).toContainText(/cluster silent for \d+/);
    await expect(lane(page, 'staging')).toContainText('Verification');
    // The backend answers from what is known while the cluster hangs: no wait for the
    // cluster's time-out (5 s) on any of the views the tab asks for.
    const token = await guestToken(page);
    const timings: string[] = [];
    for (const view of [
      'environments',
      'history?environment=prod',
      'metrics?window=7d',
    ]) {
      const started = Date.now();
      const res = await page.request.get(
        `http://localhost:7007/api/gitops/entities/default/component/guestbook/${view}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const ms = Date.now() - started;
      expect(res.status()).toBe(200);
      expect(ms).toBeLessThan(2_500);
      timings.push(`${view}: ${res.status()} in ${ms} ms`);
    }
    fs.writeFileSync(
      path.join(SHOTS, 'states-while-hung.json'),
      `${JSON.stringify(timings, null, 2)}\n`,
    );
    await shot(page, '8-stale-cluster');
    await page.screenshot({
      path: path.join(SHOTS, '8-stale-cluster-lanes.png'),
    });

    await setFaults(page, { hang: false });
    await untilShown(page, async () => {
      await expect(lane(page, 'staging')).toContainText('Verification', {
        timeout: 5_000,
      });
      for (const env of ['dev', 'staging', 'prod']) {
        await expect(lane(page, env)).not.toContainText('stale', {
          timeout: 5_000,
        });
      }
    });
  });

  test('a kind the service account may not list: the warning names the kind and the grant, the rest is shown', async ({
    page,
  }) => {
    await openTab(page, 'guestbook');
    await expect(lane(page, 'staging')).toContainText('Verification');

    await setFaults(page, { forbid: ['horizontalpodautoscalers'] });
    await untilShown(page, async () => {
      await expect(lane(page, 'prod')).toContainText(
        /cluster demo: may not list horizontalpodautoscalers \(403 Forbidden[^)]*\): grant list, watch on horizontalpodautoscalers/,
        { timeout: 5_000 },
      );
    });
    // The other kinds are read: versions and sync state are still there, nothing is stale.
    await expect(lane(page, 'prod')).toContainText(/Synced|OutOfSync/);
    await expect(lane(page, 'prod')).not.toContainText('stale');
    // The autoscaler may own prod's 10 replicas (Git says 3): unknown, so not called drift.
    await expect(lane(page, 'prod')).not.toContainText('Drift');
    await shot(page, '8-forbidden-kind');

    await setFaults(page, { forbid: [] });
    await untilShown(page, async () => {
      await expect(lane(page, 'prod')).not.toContainText('may not list', {
        timeout: 5_000,
      });
    });
  });

  test('an environment whose repository cannot be read: the lanes say which repository, since when, and the revision shown', async ({
    page,
  }) => {
    // flux-podinfo is declared in the Flux fleet's repository (examples/flux-fleet-repo).
    await openTab(page, 'flux-podinfo');
    await expect(lane(page, 'staging')).toBeVisible();
    await expect(lane(page, 'staging')).not.toContainText('stale');

    fs.renameSync(FLUX_FLEET_REPO, `${FLUX_FLEET_REPO}.away`);
    await untilShown(page, async () => {
      await expect(lane(page, 'staging')).toContainText(
        /stale: repository flux-fleet: no answer since \d\d:\d\d:\d\d UTC; showing revision [0-9a-f]{7}/,
        { timeout: 5_000 },
      );
    });
    await expect(lane(page, 'staging')).toContainText('Git not answering');
    await shot(page, '8-repository-unreadable');
    // The guestbook's repository is another one: its lanes are current.
    await page.goto('/catalog/default/component/guestbook/gitops');
    await expect(lane(page, 'staging')).toContainText('Verification');
    await expect(lane(page, 'staging')).not.toContainText('stale');

    fs.renameSync(`${FLUX_FLEET_REPO}.away`, FLUX_FLEET_REPO);
    await page.goto('/catalog/default/component/flux-podinfo/gitops');
    await untilShown(page, async () => {
      await expect(lane(page, 'staging')).not.toContainText('stale', {
        timeout: 5_000,
      });
    });
  });
});
