import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';
import { eventTablesMigration, eventTablesV2Migration, eventTablesV3Migration } from '../../../platform/events';

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
  {
    name: '002_payment_flows',
    async up(knex: Knex) {
      await knex.schema.alterTable('payments', (t) => {
        // The merchant order number sent to the provider (WeChat out_trade_no / Alipay out_trade_no).
        t.string('out_trade_no', 32).unique();
        t.string('provider_txn_id', 64);
        t.string('prepay_id', 128);
        t.integer('refunded_amount').notNullable().defaultTo(0);
        t.timestamp('closed_at', { useTz: true });
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      // Retries reuse the open payment of an order and method: at most one PENDING per pair.
      await knex.raw(`CREATE UNIQUE INDEX payments_one_open ON payments (order_id, method) WHERE status = 'PENDING'`);
      await knex.raw(`ALTER TABLE payments ADD CONSTRAINT payments_refund_within CHECK (refunded_amount BETWEEN 0 AND amount)`);
      await knex.schema.createTable('refunds', (t) => {
        t.bigIncrements('id');
        // Merchant refund number (out_refund_no): the idempotency key of a refund.
        t.string('refund_no', 64).notNullable().unique();
        t.bigInteger('payment_id').notNullable().references('id').inTable('payments');
        t.bigInteger('order_id').notNullable();
        t.integer('amount').notNullable();
        t.string('reason', 200).notNullable();
        // STAFF (refundOrder), AFTER_SALE (approved request), AUTO (a payment the order could not take).
        t.string('source', 16).notNullable();
        t.string('status', 16).notNullable().defaultTo('PENDING');
        t.string('provider_refund_id', 64);
        t.string('requested_by', 64);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('completed_at', { useTz: true });
        t.index(['payment_id']);
        t.index(['order_id']);
      });
      await knex.raw(`ALTER TABLE refunds ADD CONSTRAINT refunds_amount_positive CHECK (amount > 0)`);
      await knex.schema.createTable('wallet_accounts', (t) => {
        t.bigInteger('user_id').primary();
        t.integer('balance').notNullable().defaultTo(0);
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      // Never below zero, whatever the code does.
      await knex.raw(`ALTER TABLE wallet_accounts ADD CONSTRAINT wallet_balance_nonnegative CHECK (balance >= 0)`);
      // Append-only ledger: every balance change is one row; the balance is the sum of the account's amounts.
      await knex.schema.createTable('wallet_entries', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').notNullable();
        t.integer('amount').notNullable();
        t.integer('balance_after').notNullable();
        t.string('kind', 16).notNullable();
        // What caused the entry (pay:<payment id>, refund:<refund no>, credit:<key>): unique, so nothing is booked twice.
        t.string('ref', 100).notNullable().unique();
        t.string('note', 200);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['user_id', 'id']);
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('wallet_entries');
      await knex.schema.dropTable('wallet_accounts');
      await knex.schema.dropTable('refunds');
      await knex.raw('DROP INDEX IF EXISTS payments_one_open');
      await knex.raw('ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_refund_within');
      await knex.schema.alterTable('payments', (t) => {
        t.dropColumns('out_trade_no', 'provider_txn_id', 'prepay_id', 'refunded_amount', 'closed_at', 'updated_at');
      });
    },
  },
  eventTablesMigration('090_events'),
  // The one job runner's dead letters and the retention indexes (platform/events, docs/events.md).
  eventTablesV2Migration('091_events_v2'),
  {
    // Provider trade lifecycle (docs/payment.md, "Trade lifecycle"): the trade's deadline, why it was closed, and
    // payments flagged for staff (the provider reported money that does not match).
    name: '092_trade_lifecycle',
    async up(knex: Knex) {
      await knex.schema.alterTable('payments', (t) => {
        // time_expire sent to the provider: the order's payment deadline. Null for balance payments.
        t.timestamp('expires_at', { useTz: true });
        t.string('close_reason', 100);
        // FLAGGED payments: why (AMOUNT_MISMATCH), when, and what the provider said was paid.
        t.string('flag_reason', 32);
        t.timestamp('flagged_at', { useTz: true });
        t.integer('provider_amount');
        // What staff did about a flagged payment (resolveFlaggedPayment); it stays FLAGGED as the record.
        t.string('flag_resolution', 200);
        t.timestamp('flag_resolved_at', { useTz: true });
        t.string('flag_resolved_by', 64);
      });
      await knex.raw(`CREATE INDEX payments_flagged ON payments (id) WHERE status = 'FLAGGED'`);
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS payments_flagged');
      await knex.schema.alterTable('payments', (t) => {
        t.dropColumns('expires_at', 'close_reason', 'flag_reason', 'flagged_at', 'provider_amount', 'flag_resolution', 'flag_resolved_at', 'flag_resolved_by');
      });
    },
  },
  {
    // Refunds per line, and why one failed (shown to staff; the order is told).
    name: '100_refund_lines',
    async up(knex: Knex) {
      await knex.schema.alterTable('refunds', (t) => {
        // [{ skuId, quantity, restock }] as the caller named them (order checked them); null for an amount only.
        t.jsonb('lines');
        t.string('failure_reason', 200);
      });
      // Staff's list of failed refunds.
      await knex.raw(`CREATE INDEX refunds_failed_idx ON refunds (id DESC) WHERE status = 'FAILED'`);
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS refunds_failed_idx');
      await knex.schema.alterTable('refunds', (t) => {
        t.dropColumn('lines');
        t.dropColumn('failure_reason');
      });
    },
  },
  // Dead letters of event consumers (platform/events/consumer.ts, docs/events.md).
  eventTablesV3Migration('101_events_v3'),
  {
    // Family wallets (docs/family-wallets.md): the user wallet's ledger design, one account per family.
    name: '300_family_wallets',
    async up(knex: Knex) {
      await knex.schema.createTable('family_wallet_accounts', (t) => {
        t.bigInteger('family_id').primary();
        t.integer('balance').notNullable().defaultTo(0);
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw(`ALTER TABLE family_wallet_accounts ADD CONSTRAINT family_wallet_balance_nonnegative CHECK (balance >= 0)`);
      await knex.schema.createTable('family_wallet_entries', (t) => {
        t.bigIncrements('id');
        t.bigInteger('family_id').notNullable();
        t.integer('amount').notNullable();
        t.integer('balance_after').notNullable();
        // CREDIT (staff), PAYMENT (an order paid from it), REFUND (such a payment paid back).
        t.string('kind', 16).notNullable();
        // credit:<key>, pay:<payment id>, refund:<refund no>: unique, so nothing is booked twice.
        t.string('ref', 100).notNullable().unique();
        t.string('note', 200);
        // Who caused it: the paying shopper, or staff:<id> for a credit.
        t.string('actor', 64);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['family_id', 'id']);
      });
      await knex.raw(`ALTER TABLE family_wallet_entries ADD CONSTRAINT family_wallet_entry_after_nonnegative CHECK (balance_after >= 0)`);
      await knex.schema.alterTable('payments', (t) => {
        // FAMILY_BALANCE payments: the family whose wallet paid (refunds go back there).
        t.bigInteger('family_id');
      });
    },
    async down(knex: Knex) {
      await knex.schema.alterTable('payments', (t) => t.dropColumn('family_id'));
      await knex.schema.dropTable('family_wallet_entries');
      await knex.schema.dropTable('family_wallet_accounts');
    },
  },
  {
    // The member card (docs/family-wallets.md, "Member card"): its price history and its WeChat Pay orders.
    name: '301_member_cards',
    async up(knex: Knex) {
      await knex.schema.createTable('member_card_prices', (t) => {
        t.bigIncrements('id');
        t.integer('price').notNullable();
        t.string('set_by', 64).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw(`ALTER TABLE member_card_prices ADD CONSTRAINT member_card_price_positive CHECK (price > 0)`);
      await knex.schema.createTable('member_card_orders', (t) => {
        t.bigIncrements('id');
        t.bigInteger('family_id').notNullable();
        t.bigInteger('user_id').notNullable();
        t.integer('amount').notNullable();
        // PENDING → PAID | EXPIRED (EXPIRED → PAID when the money arrived before the trade closed); FLAGGED: paid another amount.
        t.string('status', 16).notNullable().defaultTo('PENDING');
        t.string('out_trade_no', 32).notNullable().unique();
        t.string('prepay_id', 128);
        t.string('provider_txn_id', 64);
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.timestamp('paid_at', { useTz: true });
        // When user confirmed the year (the grant is idempotent at user by MC<id>).
        t.timestamp('granted_at', { useTz: true });
        t.timestamp('membership_expires_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['family_id', 'id']);
      });
      await knex.raw(`ALTER TABLE member_card_orders ADD CONSTRAINT member_card_orders_status CHECK (status IN ('PENDING', 'PAID', 'EXPIRED', 'FLAGGED'))`);
      // One open card order per family and buyer: a retry reuses it (and its prepay).
      await knex.raw(`CREATE UNIQUE INDEX member_card_orders_one_open ON member_card_orders (family_id, user_id) WHERE status = 'PENDING'`);
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('member_card_orders');
      await knex.schema.dropTable('member_card_prices');
    },
  },
];
