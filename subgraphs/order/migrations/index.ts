import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

export const migrations: Migration[] = [
  {
    name: '001_orders',
    async up(knex: Knex) {
      await knex.schema.createTable('orders', (t) => {
        t.bigIncrements('id');
        t.string('order_no', 32).notNullable().unique();
        t.bigInteger('user_id').notNullable();
        t.string('status', 20).notNullable();
        t.integer('subtotal').notNullable();
        t.integer('discount').notNullable().defaultTo(0);
        t.integer('shipping_fee').notNullable().defaultTo(0);
        t.integer('total').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('expires_at', { useTz: true });
        t.index(['user_id', 'id']);
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('orders');
    },
  },
];
