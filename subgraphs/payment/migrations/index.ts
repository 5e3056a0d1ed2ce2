import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

export const migrations: Migration[] = [
  {
    name: '001_payments',
    async up(knex: Knex) {
      await knex.schema.createTable('payments', (t) => {
        t.bigIncrements('id');
        t.bigInteger('order_id').notNullable();
        t.bigInteger('user_id').notNullable();
        t.integer('amount').notNullable();
        t.string('method', 16).notNullable();
        t.string('status', 16).notNullable();
        t.timestamp('paid_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['order_id', 'id']);
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('payments');
    },
  },
];
