/**
 * Subscription edits after purchase and the ERP's statuses (docs/subscriptions-purchase.md, "Edits" and "ERP
 * statuses"). Range 320-339 (helper family-rest).
 */
import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

export const subscriptionEditsMigration: Migration = {
  name: '321_subscription_edits',
  async up(knex: Knex) {
    await knex.schema.alterTable('subscriptions', (t) => {
      // The shopper's current delivery for packages not handed to the ERP yet (null: the order's address). Packages
      // created later copy it, so an edit racing the packages job is not lost.
      t.jsonb('delivery_address');
      t.string('delivery_note', 200);
    });
    await knex.schema.alterTable('subscription_packages', (t) => {
      // This package's delivery (null: the order's address, no note).
      t.jsonb('delivery_address');
      t.string('delivery_note', 200);
      // What the ERP last reported beyond TO_SHIP / SHIPPED (PICKING, PACKED, EXCEPTION, DELIVERED), and when.
      t.string('erp_status', 16);
      t.string('erp_note', 200);
      t.timestamp('erp_status_at', { useTz: true });
      // Staff edits of the package so far: part of its stock key, and the scheduler's update requires it unchanged, so
      // an edit racing a stock taking makes that taking give its pieces back and the next run take the new quantity.
      t.integer('edits').notNullable().defaultTo(0);
    });
    await knex.raw(
      `ALTER TABLE subscription_packages ADD CONSTRAINT subscription_packages_erp_status_check CHECK (erp_status IN ('PICKING','PACKED','EXCEPTION','DELIVERED'))`,
    );
  },
  async down(knex: Knex) {
    await knex.raw('ALTER TABLE subscription_packages DROP CONSTRAINT IF EXISTS subscription_packages_erp_status_check');
    await knex.schema.alterTable('subscription_packages', (t) => {
      t.dropColumn('delivery_address');
      t.dropColumn('delivery_note');
      t.dropColumn('erp_status');
      t.dropColumn('erp_note');
      t.dropColumn('erp_status_at');
      t.dropColumn('edits');
    });
    await knex.schema.alterTable('subscriptions', (t) => {
      t.dropColumn('delivery_address');
      t.dropColumn('delivery_note');
    });
  },
};
