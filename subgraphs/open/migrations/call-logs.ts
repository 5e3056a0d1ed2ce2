import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

/**
 * Call logs (docs/open-platform.md, "Call logs"): one row per gateway call, range-partitioned by day in Asia/Shanghai
 * (partitions are created ahead and dropped after the retention by call-logs/partitions.ts; a partition missing when a
 * record arrives is created on the spot). The primary key holds the partition key, as PostgreSQL requires, and the
 * record's id, so a redelivered record is inserted once. Alerts of the slow-API monitor, one per method and window.
 */
export const callLogsMigration: Migration = {
  name: '440_call_logs',
  async up(knex: Knex) {
    await knex.raw(`CREATE TABLE call_logs (
      id uuid NOT NULL,
      request_id varchar(128) NOT NULL,
      app_key varchar(64),
      gateway varchar(128) NOT NULL,
      merchant varchar(32),
      client_address varchar(64) NOT NULL,
      method varchar(64),
      response_time_ms integer NOT NULL CHECK (response_time_ms >= 0),
      request text NOT NULL,
      error_code varchar(64),
      http_status smallint NOT NULL,
      -- Passed every gateway check and ran its operation: only these count in the ranking and the monitor.
      admitted boolean NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (received_at, id)
    ) PARTITION BY RANGE (received_at)`);
    // Searches and statistics always carry a time range; these lead with what they filter on.
    await knex.raw('CREATE INDEX call_logs_method_time ON call_logs (method, received_at)');
    await knex.raw('CREATE INDEX call_logs_app_time ON call_logs (app_key, received_at)');
    await knex.schema.createTable('open_alerts', (t) => {
      t.bigIncrements('id');
      t.string('method', 64).notNullable();
      t.timestamp('window_start', { useTz: true }).notNullable();
      t.timestamp('window_end', { useTz: true }).notNullable();
      t.integer('calls').notNullable();
      t.integer('average_ms').notNullable();
      t.integer('threshold_ms').notNullable();
      t.timestamp('emailed_at', { useTz: true });
      t.timestamp('webhook_at', { useTz: true });
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      // Once per method and window, whichever instance computed it.
      t.unique(['method', 'window_start']);
      t.index(['method', 'window_end']);
    });
  },
  async down(knex: Knex) {
    await knex.schema.dropTable('open_alerts');
    await knex.raw('DROP TABLE call_logs');
  },
};
