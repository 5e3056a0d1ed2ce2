import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';
import { eventTablesMigration, eventTablesV2Migration, eventTablesV3Migration } from '../../../platform/events';
import { callLogsMigration } from './call-logs';
import { clientReleasesMigration } from './client-releases';

/** The open platform's registry (docs/open-platform.md). Numbers 400–439 are this subgraph's (440–459: call logs; 460–469: client releases). */
export const migrations: Migration[] = [
  {
    name: '400_open_registry',
    async up(knex: Knex) {
      await knex.schema.createTable('apps', (t) => {
        t.bigIncrements('id');
        t.string('app_key', 40).notNullable().unique();
        t.string('name', 50).notNullable();
        t.string('corp_name', 50);
        t.string('description', 500);
        t.integer('minute_limit').notNullable();
        t.integer('daily_limit').notNullable();
        t.boolean('enabled').notNullable().defaultTo(true);
        // AES-256-GCM under OPEN_SECRET_KEY (secret-box.ts): HMAC needs the secret itself, so a hash would not do.
        t.text('secret_sealed').notNullable();
        t.text('previous_secret_sealed');
        t.timestamp('previous_secret_valid_until', { useTz: true });
        t.timestamp('secret_rotated_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw('ALTER TABLE apps ADD CONSTRAINT apps_limits_check CHECK (minute_limit > 0 AND daily_limit > 0)');
      await knex.schema.createTable('open_apis', (t) => {
        t.bigIncrements('id');
        t.string('method', 64).notNullable().unique();
        t.string('description', 500);
        t.text('document').notNullable();
        t.boolean('enabled').notNullable().defaultTo(true);
        t.boolean('idempotent').notNullable();
        t.integer('cost').notNullable().defaultTo(1);
        t.integer('max_concurrency').notNullable().defaultTo(16);
        // Read by the monitor (open-logs): null = the platform default (OPEN_ALERT_THRESHOLD_MS).
        t.integer('alert_threshold_ms');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw(`ALTER TABLE open_apis ADD CONSTRAINT open_apis_numbers_check
        CHECK (cost BETWEEN 1 AND 100 AND max_concurrency BETWEEN 1 AND 1000 AND (alert_threshold_ms IS NULL OR alert_threshold_ms > 0))`);
      await knex.schema.createTable('grants', (t) => {
        t.bigInteger('app_id').notNullable().references('id').inTable('apps').onDelete('CASCADE');
        t.bigInteger('api_id').notNullable().references('id').inTable('open_apis').onDelete('CASCADE');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.string('granted_by', 64);
        t.primary(['app_id', 'api_id']);
      });
      await knex.schema.createTable('sessions', (t) => {
        t.bigIncrements('id');
        t.bigInteger('app_id').notNullable().references('id').inTable('apps').onDelete('CASCADE');
        // SHA-256 (hex) of the token: a leaked table signs nothing and opens no session.
        t.string('token_hash', 64).notNullable().unique();
        t.string('token_hint', 8).notNullable();
        t.bigInteger('merchant').notNullable();
        t.specificType('scopes', 'text[]').notNullable();
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.timestamp('revoked_at', { useTz: true });
        t.string('created_by', 64);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['app_id', 'id']);
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('sessions');
      await knex.schema.dropTable('grants');
      await knex.schema.dropTable('open_apis');
      await knex.schema.dropTable('apps');
    },
  },
  // Call logs, the monitor's alerts and its jobs (docs/open-platform.md, "Call logs").
  eventTablesMigration('441_events'),
  eventTablesV2Migration('442_events_v2'),
  eventTablesV3Migration('443_events_v3'),
  callLogsMigration,
  // Client releases, manifests and safelist modes (docs/persisted-operations.md).
  clientReleasesMigration,
];
