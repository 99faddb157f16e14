import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@gitops-backstage/plugin-gitops-backend',
  'migrations',
);

/**
 * The plugin's database client with its migrations applied (unless the backend says to skip
 * them); a bare Knex (tests, tools) is always migrated.
 */
export async function migratedClient(
  database: DatabaseService | Knex,
): Promise<Knex> {
  const isService = (database as DatabaseService).getClient !== undefined;
  const client = isService
    ? await (database as DatabaseService).getClient()
    : (database as Knex);
  if (!isService || !(database as DatabaseService).migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return client;
}
