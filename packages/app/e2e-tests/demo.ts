import AxeBuilder from '@axe-core/playwright';
import { Page, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
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

/** The accessible names of the controls between lanes ("Promote v1.0.5 from dev to staging"). */
export const PROMOTE_DEV = /^Promote .+ from dev to staging$/;
export const PROMOTE_STAGING = /^Promote .+ from staging to prod$/;

export const lane = (page: Page, env: string) =>
  page.getByRole('region', { name: `Environment ${env}`, exact: true });

/**
 * guestbook's GitOps tab with its three lanes, each with its Git version, and live state from
 * the demo cluster: prod's autoscaler at its maximum.
 */
export async function expectGuestbookLanes(page: Page) {
  await page.goto('/catalog/default/component/guestbook/gitops');
  for (const env of ['dev', 'staging', 'prod']) {
    await expect(
      lane(page, env).getByRole('region', { name: `Git version of ${env}` }),
    ).toBeVisible();
  }
  await expect(lane(page, 'prod')).toContainText('HPAAtMax');
}

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

/** The folder of the demo's state for the browser tests (playwright.config.ts sets it). */
export const DEMO_STATE = path.resolve(
  __dirname,
  '../../..',
  process.env.GITOPS_DEMO_STATE ?? '.cache/e2e',
);

/** The example GitOps repository the demo runs (`yarn start` makes it bare here). */
export const GITOPS_REPO = path.join(DEMO_STATE, 'gitops-example-repo');
export const git = (...args: string[]) =>
  execFileSync('git', ['-C', GITOPS_REPO, ...args], {
    encoding: 'utf8',
  }).trim();

/**
 * What does not fit inside `root` (its bounding box and the viewport): visible elements
 * reaching past its right edge, and visible elements cut by an ancestor that hides or scrolls
 * its overflow. Visually hidden text (1 px boxes for screen readers) and hidden elements (a
 * chart's tooltip until hovered) are left out. Empty when everything fits.
 */
export async function layoutProblems(page: Page, root = 'main') {
  return page
    .locator(root)
    .first()
    .evaluate(container => {
      const limit = Math.min(
        container.getBoundingClientRect().right,
        document.documentElement.clientWidth,
      );
      const describe = (el: Element) =>
        `${el.tagName.toLowerCase()} "${(el.textContent ?? '')
          .trim()
          .slice(0, 60)}"`;
      const shown = (el: Element) => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return (
          box.width > 1 &&
          box.height > 1 &&
          style.visibility !== 'hidden' &&
          style.opacity !== '0'
        );
      };
      const problems: string[] = [];
      for (const el of container.querySelectorAll('*')) {
        if (!shown(el)) continue;
        const box = el.getBoundingClientRect();
        // Only the innermost element past the edge: its ancestors are past it because of it.
        const childPast = [...el.children].some(
          c => shown(c) && c.getBoundingClientRect().right > limit + 1,
        );
        if (box.right > limit + 1 && !childPast) {
          problems.push(
            `past the edge by ${Math.round(box.right - limit)} px: ${describe(
              el,
            )}`,
          );
        }
        // Cut by the nearest ancestor inside root whose overflow is not visible.
        for (
          let parent = el.parentElement;
          parent && parent !== container.parentElement;
          parent = parent.parentElement
        ) {
          if (getComputedStyle(parent).overflowX === 'visible') continue;
          const bounds = parent.getBoundingClientRect();
          if (box.right > bounds.right + 1 && !childPast) {
            problems.push(
              `cut by its container by ${Math.round(
                box.right - bounds.right,
              )} px: ${describe(el)}`,
            );
          }
          break;
        }
      }
      return [...new Set(problems)];
    });
}

/**
 * Backstage's own components with axe findings, outside this project's code: the page header's
 * tabs (react-aria gives `aria-controls` an id with colons) and the scaffolder's template card
 * (a link inside its details icon button).
 */
const UPSTREAM_FINDINGS = ['.bui-Tab', '[id^="viewDetail-template"]'];

/**
 * axe-core's serious and critical violations in `include` (WCAG 2.x A/AA and best practices),
 * each as "rule: targets"; every violation, whatever its impact, is written beside the
 * screenshots (`axe-<name>.json`) and attached to the test's report.
 */
export async function seriousAxeViolations(
  page: Page,
  name: string,
  include = 'body',
) {
  const builder = new AxeBuilder({ page }).include(include);
  for (const selector of UPSTREAM_FINDINGS) builder.exclude(selector);
  const { violations } = await builder.analyze();
  const body = JSON.stringify(violations, null, 2);
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.writeFileSync(path.join(SHOTS, `axe-${name}.json`), body);
  await test.info().attach(`axe-${name}`, {
    body,
    contentType: 'application/json',
  });
  return violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(
      v =>
        `${v.id} (${v.impact}): ${v.nodes
          .map(n => n.target.join(' '))
          .join(', ')}`,
    );
}
