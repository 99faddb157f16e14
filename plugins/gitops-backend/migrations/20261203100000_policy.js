// @ts-check

/**
 * Evidence and policy: the verification of each version in each environment, approvals of a
 * version for an environment, org-wide freezes, and who asked for a promotion that waits for
 * approvals (nobody approves their own request).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_verifications', table => {
    table.comment('Verification of a version after it ran Synced and Healthy');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table
      .string('version_key', 400)
      .notNullable()
      .comment('tag@digest#chart: one run per version');
    table.text('version').notNullable().comment('The version (JSON)');
    table
      .string('state', 16)
      .notNullable()
      .comment('Pending | Running | Passed | Failed | Inconclusive');
    table.text('checks').notNullable().comment('Results per check (JSON)');
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table
      .timestamp('next_attempt_at', { useTz: true })
      .nullable()
      .comment('Not before this (delay after deploy, backoff after an error)');
    table
      .string('claimed_by', 64)
      .nullable()
      .comment('The instance running it now');
    table.timestamp('claim_until', { useTz: true }).nullable();
    table.string('requested_by', 255).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(
      ['entity_ref', 'environment', 'version_key'],
      'gitops_verifications_pk',
    );
    table.index(['state', 'next_attempt_at'], 'gitops_verifications_due_idx');
  });
  await knex.schema.createTable('gitops_approvals', table => {
    table.comment('Approvals of a version for an environment');
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('version_key', 400).notNullable();
    table.text('version').notNullable();
    table.string('source_environment', 63).nullable();
    table.string('approver', 255).notNullable();
    table
      .text('approver_groups')
      .notNullable()
      .comment('Ownership refs of the approver then (JSON)');
    table.text('comment').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'environment', 'version_key', 'approver'], {
      indexName: 'gitops_approvals_once_uq',
    });
  });
  await knex.schema.createTable('gitops_proposals', table => {
    table.comment(
      'Who asked for a version in an environment (not its approver)',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('version_key', 400).notNullable();
    table.string('requester', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(
      ['entity_ref', 'environment', 'version_key', 'requester'],
      'gitops_proposals_pk',
    );
  });
  await knex.schema.createTable('gitops_freezes', table => {
    table.comment('Org-wide freezes of changes');
    table.string('id', 36).primary().notNullable();
    table
      .text('environments')
      .notNullable()
      .comment('JSON list of environment names, or "*"');
    table.text('reason').notNullable();
    table.timestamp('until', { useTz: true }).notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('lifted_at', { useTz: true }).nullable();
    table.string('lifted_by', 255).nullable();
    table.index(['until'], 'gitops_freezes_until_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_freezes');
  await knex.schema.dropTable('gitops_proposals');
  await knex.schema.dropTable('gitops_approvals');
  await knex.schema.dropTable('gitops_verifications');
};
