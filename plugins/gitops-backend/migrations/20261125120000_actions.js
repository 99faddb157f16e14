// @ts-check

/**
 * Every change the GitOps plugin made or asked for: promotions, rollbacks, scaling and sync
 * requests, with who asked, what was planned and what became of it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_actions', table => {
    table.comment('Promotions, rollbacks, scaling and sync actions');
    table
      .string('id', 36)
      .primary()
      .notNullable()
      .comment('UUID of the action');
    table
      .string('action', 16)
      .notNullable()
      .comment('promote | rollback | scale | sync');
    table.string('entity_ref', 255).notNullable().comment('Catalog entity ref');
    table.string('environment', 63).notNullable().comment('Target environment');
    table
      .string('source_environment', 63)
      .nullable()
      .comment('Promotion source');
    table
      .string('actor', 255)
      .notNullable()
      .comment('User entity ref of the requester');
    table.text('request').notNullable().comment('The request body (JSON)');
    table.text('gates').notNullable().comment('Gate results (JSON array)');
    table
      .text('version')
      .nullable()
      .comment('Version written (JSON {tag, digest})');
    table
      .text('previous_version')
      .nullable()
      .comment('Version replaced (JSON)');
    table.text('scaling').nullable().comment('Scaling written (JSON)');
    table.text('diff').notNullable().comment('Unified diff of the commit');
    table.string('commit_sha', 64).nullable();
    table.string('branch', 255).nullable().comment('Branch of a pull request');
    table.string('pull_request', 1024).nullable().comment('Pull request URL');
    table.string('status', 32).notNullable();
    table.text('message').nullable().comment('Why the status is what it is');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['entity_ref', 'environment'], 'gitops_actions_entity_idx');
    table.index(['status'], 'gitops_actions_status_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_actions');
};
