import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { expectGuestbookLanes, signIn } from '../demo';

// The production build (see playwright.config.ts beside this file): the built backend serves the
// built app on :7007 and keeps its state in PostgreSQL.

const psql = (database: string, sql: string) =>
  execFileSync(
    'psql',
    ['-h', '127.0.0.1', '-U', 'postgres', '-d', database, '-tAc', sql],
    { encoding: 'utf8' },
  ).trim();

test('the production bundle serves the GitOps tab with live lanes', async ({
  page,
}) => {
  await signIn(page);
  await expectGuestbookLanes(page);
  // The frontend came from the backend (app-backend), not a development server.
  expect(new URL(page.url()).port).toBe('7007');
});

test('the production bundle answers /api/gitops/health and keeps its state in PostgreSQL', async ({
  request,
}) => {
  const health = await request.get('/api/gitops/health');
  expect(health.status()).toBe(200);
  // The plugin's own database, made by its migrations on PostgreSQL.
  const database = 'gitops_production_test_gitops';
  expect(
    psql(
      'postgres',
      `select count(*) from pg_database where datname = '${database}'`,
    ),
  ).toBe('1');
  const tables = psql(
    database,
    "select count(*) from information_schema.tables where table_schema = 'public'",
  );
  expect(Number(tables)).toBeGreaterThan(3);
});
