// @ts-check

/**
 * The deployment ledger: one row per change an environment ran (a version or scaling that
 * became Synced and Healthy) or failed to run, whoever made it — the portal, CI or a person
 * with git. Delivery metrics (DORA) are computed from it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_deployments', table => {
    table.comment('Changes environments ran or failed to run (DORA ledger)');
    table.string('id', 36).primary().notNullable().comment('UUID of the row');
    table.string('entity_ref', 255).notNullable().comment('Catalog entity ref');
    table.string('environment', 63).notNullable();
    table
      .string('revision', 64)
      .notNullable()
      .comment("The Git commit that set the environment's version or scaling");
    table
      .string('version', 255)
      .notNullable()
      .comment('Tag, digest or chart version it set');
    table.string('previous_version', 255).nullable();
    table
      .string('kind', 16)
      .notNullable()
      .comment('promote | rollback | scale | create | external');
    table.string('outcome', 16).notNullable().comment('succeeded | failed');
    table
      .string('action_id', 36)
      .nullable()
      .comment('The portal action that made the change, if any');
    table
      .timestamp('committed_at', { useTz: true })
      .notNullable()
      .comment('When the commit was made');
    table
      .timestamp('observed_at', { useTz: true })
      .notNullable()
      .comment('When it was seen running Synced and Healthy, or failing');
    table
      .boolean('backfilled')
      .notNullable()
      .defaultTo(false)
      .comment('Read from history (engine, Git) rather than seen happen');
    // One row per change, whichever backend instance sees it first.
    table.unique(['entity_ref', 'environment', 'revision'], {
      indexName: 'gitops_deployments_change_uq',
    });
    table.index(['observed_at'], 'gitops_deployments_observed_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_deployments');
};
