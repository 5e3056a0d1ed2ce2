import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

/**
 * Subscribable wares (docs/subscriptions-purchase.md): one SKU sold as a WEEKLY or MONTHLY delivery of
 * `quantity_per_period` pieces for `periods` periods, at its own total `price` (fen). Range 220-229.
 */
export const subscriptionWaresMigration: Migration = {
  name: '220_subscription_wares',
  async up(knex: Knex) {
    await knex.schema.createTable('subscription_wares', (t) => {
      t.bigIncrements('id');
      t.bigInteger('product_id').notNullable().references('id').inTable('products');
      t.bigInteger('sku_id').notNullable().references('id').inTable('skus');
      t.string('title', 64).notNullable();
      t.string('cycle', 8).notNullable();
      t.integer('periods').notNullable();
      t.integer('quantity_per_period').notNullable();
      t.integer('price').notNullable();
      t.boolean('on_shelf').notNullable().defaultTo(false);
      t.integer('sort_order').notNullable().defaultTo(0);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      // Product.subscriptionWares: one product's wares in display order.
      t.index(['product_id', 'sort_order', 'id']);
    });
    await knex.raw(`ALTER TABLE subscription_wares ADD CONSTRAINT subscription_wares_cycle CHECK (cycle IN ('WEEKLY','MONTHLY'))`);
    await knex.raw('ALTER TABLE subscription_wares ADD CONSTRAINT subscription_wares_periods CHECK (periods BETWEEN 1 AND 52)');
    await knex.raw('ALTER TABLE subscription_wares ADD CONSTRAINT subscription_wares_quantity CHECK (quantity_per_period BETWEEN 1 AND 99)');
    // At least one fen per period, so every period has a positive share of the total (pro-rata refunds).
    await knex.raw('ALTER TABLE subscription_wares ADD CONSTRAINT subscription_wares_price CHECK (price >= periods)');
  },
  async down(knex: Knex) {
    await knex.schema.dropTable('subscription_wares');
  },
};
