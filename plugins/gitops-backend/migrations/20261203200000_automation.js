// @ts-check

/**
 * The portal's own automation: one row per event it acts on (a version to take into an
 * environment, a version to roll back), so of several instances exactly one commits it; and
 * the environments whose automation somebody paused.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_automation_events', table => {
    table.comment(
      'Auto-promotions and auto-rollbacks, one per (entity, environment, kind, version)',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('kind', 16).notNullable().comment('promotion | rollback');
    table
      .string('version_key', 400)
      .notNullable()
      .comment('The version taken (promotion) or failed (rollback)');
    table.text('version').notNullable().comment('The version (JSON)');
    table
      .string('source_environment', 63)
      .nullable()
      .comment('Where a promotion takes the version from');
    table
      .string('state', 16)
      .notNullable()
      .comment('Waiting | Claimed | Done | Refused | Superseded | Error');
    table.text('message').nullable().comment('What happened, in one line');
    table.string('action_id', 36).nullable().comment('The change it made');
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true }).nullable();
    table.string('claimed_by', 64).nullable();
    table.timestamp('claim_until', { useTz: true }).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(
      ['entity_ref', 'environment', 'kind', 'version_key'],
      'gitops_automation_events_pk',
    );
    table.index(['state', 'next_attempt_at'], 'gitops_automation_due_idx');
    table.index(['updated_at'], 'gitops_automation_updated_idx');
  });
  await knex.schema.createTable('gitops_automation_pauses', table => {
    table.comment(
      'Environments of an entity whose portal automation is paused',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('paused_by', 255).notNullable();
    table.text('reason').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'environment'], 'gitops_automation_pauses_pk');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_automation_pauses');
  await knex.schema.dropTable('gitops_automation_events');
};
