import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

/**
 * Client releases and their persisted-operation manifests, the safelist mode per client name, and traffic per
 * (client, version, Asia/Shanghai day) reported by the routers (docs/persisted-operations.md).
 */
export const clientReleasesMigration: Migration = {
  name: '460_client_releases',
  async up(knex: Knex) {
    await knex.schema.createTable('client_safelist_modes', (t) => {
      t.string('client_name', 40).primary();
      t.string('mode', 8).notNullable();
      t.string('updated_by', 64);
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await knex.raw(`ALTER TABLE client_safelist_modes ADD CONSTRAINT client_safelist_modes_mode_check CHECK (mode IN ('OFF', 'AUDIT', 'ENFORCE'))`);
    await knex.schema.createTable('client_releases', (t) => {
      t.bigIncrements('id');
      t.string('client_name', 40).notNullable();
      t.string('version', 64).notNullable();
      // sha256 of the sorted operation ids: what "the same content" means for an idempotent re-registration.
      t.string('content_hash', 64).notNullable();
      t.integer('operation_count').notNullable();
      t.string('registered_by', 64);
      t.timestamp('registered_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('retired_at', { useTz: true });
      t.string('retired_by', 64);
      t.unique(['client_name', 'version']);
    });
    await knex.schema.createTable('client_release_operations', (t) => {
      t.bigInteger('release_id').notNullable().references('id').inTable('client_releases').onDelete('CASCADE');
      t.string('operation_id', 64).notNullable();
      t.string('name', 128).notNullable();
      t.string('type', 12).notNullable();
      t.text('body').notNullable();
      t.primary(['release_id', 'operation_id']);
    });
    // Keyed by name and version, not release: traffic of a version not (yet) registered is kept too.
    await knex.schema.createTable('client_traffic', (t) => {
      t.string('client_name', 40).notNullable();
      t.string('version', 64).notNullable();
      t.date('day').notNullable();
      t.bigInteger('requests').notNullable();
      t.timestamp('last_seen_at', { useTz: true }).notNullable();
      t.primary(['client_name', 'version', 'day']);
    });
  },
  async down(knex: Knex) {
    await knex.schema.dropTable('client_traffic');
    await knex.schema.dropTable('client_release_operations');
    await knex.schema.dropTable('client_releases');
    await knex.schema.dropTable('client_safelist_modes');
  },
};
