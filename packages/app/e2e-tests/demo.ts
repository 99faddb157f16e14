import { Page, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

// What the browser tests share: signing in, lanes, screenshots, the demo's GitOps repository.

/** Screenshots of each step, kept by CI as artifacts (see .ci/run). */
export const SHOTS = path.resolve(
  __dirname,
  '../../..',
  process.env.E2E_SCREENSHOTS ?? '.ci/artifacts/e2e',
);
export const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

export const lane = (page: Page, env: string) =>
  page.getByRole('region', { name: `Environment ${env}`, exact: true });

export async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/** A backend token of the guest, for asserting what REST answers beside the UI. */
export async function guestToken(page: Page): Promise<string> {
  const res = await page.request.get(
    'http://localhost:7007/api/auth/guest/refresh',
    { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
  );
  return (await res.json()).backstageIdentity.token;
}

/** The example GitOps repository the demo runs (`yarn start` makes it bare here). */
export const GITOPS_REPO = path.resolve(
  __dirname,
  '../../..',
  '.cache/gitops-example-repo',
);
export const git = (...args: string[]) =>
  execFileSync('git', ['-C', GITOPS_REPO, ...args], {
    encoding: 'utf8',
  }).trim();
