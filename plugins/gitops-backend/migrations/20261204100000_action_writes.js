// @ts-check

/**
 * What a change needs to be finished after a restart: the client's idempotency key (a retried
 * request answers the first one's record instead of writing again), and where it was written
 * (repository and files), so a record left `Writing` can be matched to its commit.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_actions', table => {
    table
      .string('idempotency_key', 255)
      .nullable()
      .unique({ indexName: 'gitops_actions_idempotency_key_idx' })
      .comment('Idempotency-Key of the request that made the change');
    table
      .string('repository', 1024)
      .nullable()
      .comment('URL of the repository written to');
    table
      .text('paths')
      .nullable()
      .comment('Files the change writes (JSON array)');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_actions', table => {
    table.dropUnique(['idempotency_key'], 'gitops_actions_idempotency_key_idx');
    table.dropColumn('idempotency_key');
    table.dropColumn('repository');
    table.dropColumn('paths');
  });
};
