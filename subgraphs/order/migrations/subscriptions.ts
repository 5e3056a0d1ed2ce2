/**
 * Subscription orders and their packages (docs/subscriptions-purchase.md). Range 230-239.
 * An order of kind SUBSCRIPTION has one `subscriptions` row (the terms bought) and, once paid, one package per period;
 * unique (order_id, period_no) makes the scheduler's inserts idempotent: a rerun after a crash adds only what is missing.
 */
import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

export const subscriptionsMigration: Migration = {
  name: '230_subscriptions',
  async up(knex: Knex) {
    await knex.schema.alterTable('orders', (t) => {
      t.string('kind', 16).notNullable().defaultTo('GOODS');
    });
    await knex.raw(`ALTER TABLE orders ADD CONSTRAINT orders_kind_check CHECK (kind IN ('GOODS','SUBSCRIPTION'))`);

    await knex.schema.createTable('subscriptions', (t) => {
      t.bigInteger('order_id').primary().references('id').inTable('orders');
      t.bigInteger('user_id').notNullable();
      t.bigInteger('wares_id').notNullable();
      t.bigInteger('product_id').notNullable();
      t.bigInteger('sku_id').notNullable();
      t.string('title', 64).notNullable();
      t.string('cycle', 8).notNullable();
      t.integer('periods').notNullable();
      t.integer('quantity_per_period').notNullable();
      t.date('start_date').notNullable();
      t.timestamp('cancelled_at', { useTz: true });
      t.string('cancelled_by', 64);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['user_id', 'order_id']);
    });
    await knex.raw(`ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_cycle_check CHECK (cycle IN ('WEEKLY','MONTHLY'))`);
    await knex.raw('ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_periods_check CHECK (periods BETWEEN 1 AND 52)');

    await knex.schema.createTable('subscription_packages', (t) => {
      t.bigIncrements('id');
      t.bigInteger('order_id').notNullable().references('order_id').inTable('subscriptions');
      t.bigInteger('user_id').notNullable();
      t.integer('period_no').notNullable();
      t.date('due_date').notNullable();
      t.bigInteger('sku_id').notNullable();
      t.integer('quantity').notNullable();
      // This period's share of the order total (fen): total / periods rounded down, the last period takes the rest.
      t.integer('amount').notNullable();
      t.string('status', 16).notNullable().defaultTo('SCHEDULED');
      t.string('flag_reason', 200);
      // The product stock hold that took this package's pieces (reserve + commit), once taken.
      t.string('stock_key', 64);
      t.bigInteger('shipment_id');
      t.timestamp('shipped_at', { useTz: true });
      t.timestamp('received_at', { useTz: true });
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.unique(['order_id', 'period_no']);
    });
    await knex.raw(
      `ALTER TABLE subscription_packages ADD CONSTRAINT subscription_packages_status_check CHECK (status IN
        ('SCHEDULED','FLAGGED','TO_SHIP','SHIPPED','RECEIVED','CANCELLED'))`,
    );
    await knex.raw('ALTER TABLE subscription_packages ADD CONSTRAINT subscription_packages_amount_check CHECK (amount > 0)');
    // The periodic job looks for packages due (and flagged ones to retry).
    await knex.raw(`CREATE INDEX subscription_packages_due_idx ON subscription_packages (due_date, id) WHERE status IN ('SCHEDULED','FLAGGED')`);
    // Staff lists by status and week.
    await knex.raw('CREATE INDEX subscription_packages_status_due_idx ON subscription_packages (status, due_date, id)');
  },
  async down(knex: Knex) {
    await knex.schema.dropTable('subscription_packages');
    await knex.schema.dropTable('subscriptions');
    await knex.raw('ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_kind_check');
    await knex.schema.alterTable('orders', (t) => t.dropColumn('kind'));
  },
};
