import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';
import { eventTablesMigration, eventTablesV2Migration, eventTablesV3Migration } from '../../../platform/events';

export const migrations: Migration[] = [
  {
    name: '001_reviews',
    async up(knex: Knex) {
      // One row per order line of a COMPLETED order (order's OrderCompleted event): who may review what, once.
      await knex.schema.createTable('purchased_lines', (t) => {
        t.bigInteger('order_item_id').primary();
        t.bigInteger('order_id').notNullable();
        t.bigInteger('user_id').notNullable();
        t.bigInteger('product_id').notNullable();
        t.bigInteger('sku_id').notNullable();
        t.integer('quantity').notNullable();
        t.timestamp('completed_at', { useTz: true }).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['user_id', 'order_item_id']);
        t.index(['order_id']);
      });
      await knex.schema.createTable('reviews', (t) => {
        t.bigIncrements('id');
        // Once per order line: concurrent submits of one line meet here, one wins (INSERT ... ON CONFLICT DO NOTHING).
        t.bigInteger('order_item_id').notNullable().unique().references('order_item_id').inTable('purchased_lines');
        t.bigInteger('order_id').notNullable();
        t.bigInteger('user_id').notNullable();
        t.bigInteger('product_id').notNullable();
        t.bigInteger('sku_id').notNullable();
        t.smallint('stars').notNullable();
        t.string('content', 500).notNullable().defaultTo('');
        t.jsonb('images').notNullable().defaultTo('[]');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('hidden_at', { useTz: true });
        t.string('hidden_by', 64);
        t.string('hidden_reason', 200);
        t.index(['user_id', 'id']);
      });
      await knex.raw('ALTER TABLE reviews ADD CONSTRAINT reviews_stars_check CHECK (stars BETWEEN 1 AND 5)');
      // The public list (newest first, optionally by stars) reads visible reviews only.
      await knex.raw('CREATE INDEX reviews_product_visible_idx ON reviews (product_id, id DESC) WHERE hidden_at IS NULL');
      await knex.raw('CREATE INDEX reviews_product_stars_visible_idx ON reviews (product_id, stars, id DESC) WHERE hidden_at IS NULL');
      // Kept in the transaction of every insert, hide and unhide: a rating read is one primary-key lookup per product.
      await knex.schema.createTable('product_ratings', (t) => {
        t.bigInteger('product_id').primary();
        t.integer('review_count').notNullable().defaultTo(0);
        t.integer('star_sum').notNullable().defaultTo(0);
        for (const stars of [1, 2, 3, 4, 5]) t.integer(`stars_${stars}`).notNullable().defaultTo(0);
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw(`ALTER TABLE product_ratings ADD CONSTRAINT product_ratings_counts_check
        CHECK (review_count >= 0 AND star_sum >= 0 AND stars_1 >= 0 AND stars_2 >= 0 AND stars_3 >= 0 AND stars_4 >= 0 AND stars_5 >= 0
               AND review_count = stars_1 + stars_2 + stars_3 + stars_4 + stars_5
               AND star_sum = stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5)`);
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('product_ratings');
      await knex.schema.dropTable('reviews');
      await knex.schema.dropTable('purchased_lines');
    },
  },
  {
    // Authors may change a review within REVIEW_EDIT_WINDOW_HOURS (reviews.ts): when they last did.
    name: '002_review_edits',
    async up(knex: Knex) {
      await knex.schema.alterTable('reviews', (t) => t.timestamp('updated_at', { useTz: true }));
    },
    async down(knex: Knex) {
      await knex.schema.alterTable('reviews', (t) => t.dropColumn('updated_at'));
    },
  },
  // Outbox, processed events, jobs (the consumer of order's OrderCompleted; retention), dead letters: platform/events.
  eventTablesMigration('090_events'),
  eventTablesV2Migration('091_events_v2'),
  eventTablesV3Migration('101_events_v3'),
];
