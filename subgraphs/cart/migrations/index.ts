import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

export const migrations: Migration[] = [
  {
    name: '001_cart_items',
    async up(knex: Knex) {
      // One row per shopper who ever had a cart: the row adds lock, so the 99-line limit holds under concurrent adds.
      await knex.schema.createTable('carts', (t) => {
        t.bigInteger('user_id').primary();
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('cart_items', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').notNullable();
        t.bigInteger('sku_id').notNullable();
        t.integer('quantity').notNullable();
        t.boolean('selected').notNullable().defaultTo(true);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        // Adding a SKU already in the cart merges into its line (INSERT ... ON CONFLICT).
        t.unique(['user_id', 'sku_id']);
        t.index(['user_id', 'id']);
      });
      // The 1..999 rule is checked in code with a shopper-readable message; this only guards against nonsense.
      await knex.raw('ALTER TABLE cart_items ADD CONSTRAINT cart_items_quantity_positive CHECK (quantity > 0)');
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('cart_items');
      await knex.schema.dropTable('carts');
    },
  },
];
