/**
 * Tables of the home page's content (docs/home-page.md): banners, curated product groups with ranked members, product
 * tags, hot search words, the help center's topics and questions, and a barcode per SKU.
 */
import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

export function homePageMigration(name: string): Migration {
  return {
    name,
    async up(knex: Knex) {
      await knex.schema.createTable('product_groups', (t) => {
        t.bigIncrements('id');
        t.string('name', 64).notNullable();
        t.string('description', 500).notNullable().defaultTo('');
        // LIST: a curated shelf; RANKING: a chart whose positions are shown as ranks.
        t.string('kind', 16).notNullable().defaultTo('LIST');
        t.boolean('show_on_home').notNullable().defaultTo(false);
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['sort_order', 'id']);
      });
      await knex.raw("ALTER TABLE product_groups ADD CONSTRAINT product_groups_kind CHECK (kind IN ('LIST', 'RANKING'))");

      // A group's members: position 1, 2, ... is the display order and the rank. Replaced as a whole by staff.
      await knex.schema.createTable('product_group_items', (t) => {
        t.bigInteger('group_id').notNullable().references('id').inTable('product_groups').onDelete('CASCADE');
        t.bigInteger('product_id').notNullable().references('id').inTable('products');
        t.integer('position').notNullable();
        t.primary(['group_id', 'product_id']);
        t.unique(['group_id', 'position']);
        t.index(['product_id']);
      });
      await knex.raw('ALTER TABLE product_group_items ADD CONSTRAINT product_group_items_position CHECK (position > 0)');

      await knex.schema.createTable('banners', (t) => {
        t.bigIncrements('id');
        t.string('title', 64).notNullable().defaultTo('');
        t.string('image_url', 500).notNullable();
        t.string('position', 16).notNullable();
        // What a tap opens: nothing, a product, a product group, or an https URL.
        t.string('link_type', 16).notNullable().defaultTo('NONE');
        t.bigInteger('link_product_id').references('id').inTable('products');
        t.bigInteger('link_group_id').references('id').inTable('product_groups').onDelete('SET NULL');
        t.string('link_url', 500);
        // Shown from starts_at (null: already) until ends_at (null: until removed).
        t.timestamp('starts_at', { useTz: true });
        t.timestamp('ends_at', { useTz: true });
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['position', 'sort_order', 'id']);
      });
      await knex.raw("ALTER TABLE banners ADD CONSTRAINT banners_position CHECK (position IN ('HOME_CAROUSEL', 'HOME_STRIP', 'CATEGORY_TOP'))");
      await knex.raw("ALTER TABLE banners ADD CONSTRAINT banners_link_type CHECK (link_type IN ('NONE', 'PRODUCT', 'GROUP', 'URL'))");
      await knex.raw('ALTER TABLE banners ADD CONSTRAINT banners_schedule CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)');

      await knex.schema.createTable('product_tags', (t) => {
        t.bigIncrements('id');
        t.string('name', 32).notNullable().unique();
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('product_tag_links', (t) => {
        t.bigInteger('tag_id').notNullable().references('id').inTable('product_tags').onDelete('CASCADE');
        t.bigInteger('product_id').notNullable().references('id').inTable('products');
        t.primary(['tag_id', 'product_id']);
        t.index(['product_id']);
      });

      await knex.schema.createTable('hot_search_words', (t) => {
        t.bigIncrements('id');
        t.string('word', 32).notNullable().unique();
        t.boolean('highlighted').notNullable().defaultTo(false);
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });

      await knex.schema.createTable('help_topics', (t) => {
        t.bigIncrements('id');
        t.string('title', 64).notNullable();
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('help_questions', (t) => {
        t.bigIncrements('id');
        t.bigInteger('topic_id').notNullable().references('id').inTable('help_topics').onDelete('CASCADE');
        t.string('question', 200).notNullable();
        t.text('answer').notNullable();
        // Shown with its topic on the help center's first screen.
        t.boolean('featured').notNullable().defaultTo(false);
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['topic_id', 'sort_order']);
      });

      // Printed on the package and scanned in store: one live SKU per barcode (a deleted SKU's code may be reused).
      await knex.schema.alterTable('skus', (t) => {
        t.string('barcode', 32);
      });
      await knex.raw('CREATE UNIQUE INDEX skus_live_barcode_uniq ON skus (barcode) WHERE barcode IS NOT NULL AND deleted_at IS NULL');
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS skus_live_barcode_uniq');
      await knex.schema.alterTable('skus', (t) => t.dropColumn('barcode'));
      for (const table of ['help_questions', 'help_topics', 'hot_search_words', 'product_tag_links', 'product_tags', 'banners', 'product_group_items', 'product_groups']) {
        await knex.schema.dropTable(table);
      }
    },
  };
}
