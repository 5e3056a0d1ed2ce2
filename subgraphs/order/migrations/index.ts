import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';
import { eventTablesMigration, eventTablesV2Migration, eventTablesV3Migration } from '../../../platform/events';
import { exchangeRestockMigration } from './exchange-restock';
import { logisticsMigration } from './logistics';
import { subscriptionsMigration } from './subscriptions';
import { subscriptionEditsMigration } from './subscription-edits';

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
  {
    // Checkout (coming) and the lifecycle need more than the first table: what was bought, where it goes,
    // the idempotency of createOrder, each step of the saga and when each status was reached.
    name: '002_order_lifecycle',
    async up(knex: Knex) {
      await knex.schema.alterTable('orders', (t) => {
        t.bigInteger('coupon_id');
        t.jsonb('shipping_address');
        t.string('idempotency_key', 64);
        // Hash of the createOrder input: the same key with a different input is a CONFLICT, not a replay.
        t.string('request_fingerprint', 64);
        // Where the checkout saga stands while status is CREATING (internal, never shown to shoppers).
        t.string('saga_step', 32);
        t.string('payment_id', 64);
        t.timestamp('paid_at', { useTz: true });
        t.timestamp('shipped_at', { useTz: true });
        t.string('carrier', 64);
        t.string('tracking_no', 64);
        t.timestamp('completed_at', { useTz: true });
        t.timestamp('cancelled_at', { useTz: true });
        t.string('cancel_reason', 200);
        t.timestamp('deleted_at', { useTz: true });
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.unique(['user_id', 'idempotency_key']);
      });
      await knex.raw(
        `ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
          ('CREATING','PENDING_PAYMENT','PAID','SHIPPED','COMPLETED','CANCELLED','REFUNDING','REFUNDED'))`,
      );
      // The auto-cancel sweep looks for unpaid orders past their deadline.
      await knex.raw(`CREATE INDEX orders_expiry_idx ON orders (expires_at) WHERE status = 'PENDING_PAYMENT'`);
      // orderCounts and status-filtered lists of one shopper.
      await knex.raw('CREATE INDEX orders_user_status_idx ON orders (user_id, status, id)');

      await knex.schema.createTable('order_items', (t) => {
        t.bigIncrements('id');
        t.bigInteger('order_id').notNullable().references('id').inTable('orders').onDelete('CASCADE');
        t.bigInteger('sku_id').notNullable();
        t.bigInteger('product_id').notNullable();
        // Snapshots: the order shows what was bought at the price paid, whatever the catalog says later.
        t.string('title', 200).notNullable();
        t.string('sku_name', 200).notNullable().defaultTo('');
        t.string('image', 500);
        t.integer('unit_price').notNullable();
        t.integer('quantity').notNullable();
        t.index(['order_id']);
      });
      await knex.raw('ALTER TABLE order_items ADD CONSTRAINT order_items_quantity_check CHECK (quantity > 0 AND unit_price >= 0)');

      await knex.schema.createTable('order_status_history', (t) => {
        t.bigIncrements('id');
        t.bigInteger('order_id').notNullable().references('id').inTable('orders').onDelete('CASCADE');
        // Null for the creation entry.
        t.string('from_status', 20);
        t.string('to_status', 20).notNullable();
        t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        // '<user id>', 'staff:<user id>', 'service:<name>' or 'system'.
        t.string('actor', 64).notNullable();
        t.string('reason', 200);
        t.index(['order_id', 'id']);
      });

      await knex.schema.createTable('after_sales', (t) => {
        t.bigIncrements('id');
        t.bigInteger('order_id').notNullable().references('id').inTable('orders').onDelete('CASCADE');
        t.bigInteger('user_id').notNullable();
        t.string('status', 20).notNullable().defaultTo('REQUESTED');
        t.string('reason', 200).notNullable();
        t.integer('amount').notNullable();
        // [{ skuId, quantity }] when only some items are returned; null for the whole order.
        t.jsonb('items');
        t.string('staff_note', 200);
        t.string('decided_by', 64);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('decided_at', { useTz: true });
        t.index(['order_id', 'id']);
      });
      await knex.raw(
        `ALTER TABLE after_sales ADD CONSTRAINT after_sales_status_check CHECK (status IN ('REQUESTED','REVOKED','APPROVED','REJECTED'))`,
      );
      await knex.raw('ALTER TABLE after_sales ADD CONSTRAINT after_sales_amount_check CHECK (amount > 0)');
      // At most one open request per order: a second one while the first is undecided is a CONFLICT.
      await knex.raw(`CREATE UNIQUE INDEX after_sales_one_open_idx ON after_sales (order_id) WHERE status = 'REQUESTED'`);
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('after_sales');
      await knex.schema.dropTable('order_status_history');
      await knex.schema.dropTable('order_items');
      await knex.raw('DROP INDEX IF EXISTS orders_user_status_idx');
      await knex.raw('DROP INDEX IF EXISTS orders_expiry_idx');
      await knex.raw('ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_status_check');
      await knex.schema.alterTable('orders', (t) => {
        t.dropUnique(['user_id', 'idempotency_key']);
        for (const column of ['coupon_id', 'shipping_address', 'idempotency_key', 'request_fingerprint', 'saga_step', 'payment_id',
          'paid_at', 'shipped_at', 'carrier', 'tracking_no', 'completed_at', 'cancelled_at', 'cancel_reason', 'deleted_at', 'updated_at']) {
          t.dropColumn(column);
        }
      });
    },
  },
  // Outbox, processed events and durable jobs (platform/events).
  eventTablesMigration('090_events'),
  // The one job runner's dead letters and the retention indexes (platform/events, docs/events.md).
  eventTablesV2Migration('091_events_v2'),
  {
    // Refunds as the order knows them (payment holds the money side): per line and quantity, several per order.
    name: '100_order_refunds',
    async up(knex: Knex) {
      await knex.schema.alterTable('orders', (t) => {
        // Sum of the SUCCEEDED refunds (Order.refundedAmount).
        t.integer('refunded_amount').notNullable().defaultTo(0);
        // While REFUNDING: the status to go back to if a refund in flight fails.
        t.string('refund_return_status', 20);
      });
      await knex.raw('ALTER TABLE orders ADD CONSTRAINT orders_refunded_within CHECK (refunded_amount BETWEEN 0 AND total)');
      await knex.schema.createTable('order_refunds', (t) => {
        t.bigIncrements('id');
        t.bigInteger('order_id').notNullable().references('id').inTable('orders').onDelete('CASCADE');
        // Payment's merchant refund number: the refund's idempotency key (AS<after-sales id> for after-sales).
        t.string('refund_no', 64).notNullable().unique();
        // STAFF, AFTER_SALE, or PAYMENT (a refund payment made that the order had not registered).
        t.string('source', 16).notNullable();
        t.integer('amount').notNullable();
        // [{ skuId, quantity, restock }] or null (an amount only).
        t.jsonb('lines');
        t.string('status', 16).notNullable().defaultTo('PENDING');
        t.string('reason', 200).notNullable();
        t.string('failure_reason', 200);
        t.string('requested_by', 64);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('settled_at', { useTz: true });
        t.index(['order_id', 'id']);
      });
      await knex.raw(`ALTER TABLE order_refunds ADD CONSTRAINT order_refunds_status_check CHECK (status IN ('PENDING','SUCCEEDED','FAILED'))`);
      await knex.raw('ALTER TABLE order_refunds ADD CONSTRAINT order_refunds_amount_check CHECK (amount > 0)');
      // After-sales approvals may say which returned pieces go back to stock.
      await knex.schema.alterTable('after_sales', (t) => {
        t.jsonb('restock_sku_ids');
      });
    },
    async down(knex: Knex) {
      await knex.schema.alterTable('after_sales', (t) => t.dropColumn('restock_sku_ids'));
      await knex.schema.dropTable('order_refunds');
      await knex.raw('ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_refunded_within');
      await knex.schema.alterTable('orders', (t) => {
        t.dropColumn('refunded_amount');
        t.dropColumn('refund_return_status');
      });
    },
  },
  eventTablesV3Migration('101_events_v3'),
  // Shipments, tracking events, carriers, return addresses, exchanges (docs/logistics.md). Range 140-149.
  logisticsMigration,
  // Exchanges' returned pieces back to stock (docs/logistics.md). Range 150-159.
  exchangeRestockMigration,
  // Subscription orders and their packages (docs/subscriptions-purchase.md). Range 230-239.
  subscriptionsMigration,
  // Member prices (docs/member-prices.md): whether a line was bought at the SKU's member price. Range 236-239.
  {
    name: '236_order_item_member_price',
    async up(knex: Knex) {
      await knex.schema.alterTable('order_items', (t) => {
        t.boolean('member_price_applied').notNullable().defaultTo(false);
      });
    },
    async down(knex: Knex) {
      await knex.schema.alterTable('order_items', (t) => {
        t.dropColumn('member_price_applied');
      });
    },
  },
  subscriptionEditsMigration,
];
