import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';
import { eventTablesMigration, eventTablesV2Migration, eventTablesV3Migration } from '../../../platform/events';
import { homePageMigration } from '../home-page/migration';
import { reindexAll } from '../search-index';
import { subscriptionWaresMigration } from '../subscription-wares/migration';

export const migrations: Migration[] = [
  {
    name: '001_catalog',
    async up(knex: Knex) {
      // Two levels: parent_id null = top level. Products hang on second-level categories (checked when writing).
      await knex.schema.createTable('categories', (t) => {
        t.bigIncrements('id');
        t.bigInteger('parent_id').references('id').inTable('categories');
        t.string('name', 64).notNullable();
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['parent_id', 'sort_order']);
      });
      await knex.raw('ALTER TABLE categories ADD CONSTRAINT categories_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)');

      await knex.schema.createTable('brands', (t) => {
        t.bigIncrements('id');
        t.string('name', 64).notNullable().unique();
        t.string('logo_url', 500);
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });

      // The SPU. Keyset pagination walks id desc, optionally within a category or a brand.
      await knex.schema.createTable('products', (t) => {
        t.bigIncrements('id');
        t.string('title', 200).notNullable();
        t.text('description').notNullable().defaultTo('');
        t.specificType('images', 'text[]').notNullable().defaultTo('{}');
        t.bigInteger('category_id').notNullable().references('id').inTable('categories');
        t.bigInteger('brand_id').references('id').inTable('brands');
        t.boolean('on_shelf').notNullable().defaultTo(false);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['category_id', 'id']);
        t.index(['brand_id', 'id']);
      });
      await knex.raw("ALTER TABLE products ADD CONSTRAINT products_title_not_blank CHECK (btrim(title) <> '')");
      await knex.raw('CREATE INDEX products_on_shelf_id_idx ON products (id) WHERE on_shelf');

      // A sellable variant. Soft-deleted (deleted_at) so carts and orders that point at it can still show it.
      await knex.schema.createTable('skus', (t) => {
        t.bigIncrements('id');
        t.bigInteger('product_id').notNullable().references('id').inTable('products');
        t.string('name', 64).notNullable();
        t.integer('price').notNullable();
        t.integer('stock').notNullable().defaultTo(0);
        t.integer('sort_order').notNullable().defaultTo(0);
        t.timestamp('deleted_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['product_id', 'sort_order']);
      });
      await knex.raw('ALTER TABLE skus ADD CONSTRAINT skus_price_positive CHECK (price > 0)');
      await knex.raw('ALTER TABLE skus ADD CONSTRAINT skus_stock_not_negative CHECK (stock >= 0)');
      await knex.raw("ALTER TABLE skus ADD CONSTRAINT skus_name_not_blank CHECK (btrim(name) <> '')");
      // Two live variants of one product never share a name (a deleted one may be re-created).
      await knex.raw('CREATE UNIQUE INDEX skus_live_name_uniq ON skus (product_id, name) WHERE deleted_at IS NULL');
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('skus');
      await knex.schema.dropTable('products');
      await knex.schema.dropTable('brands');
      await knex.schema.dropTable('categories');
    },
  },
  {
    name: '002_stock_reservations',
    async up(knex: Knex) {
      // skus.stock stays the AVAILABLE count (what shoppers and the cart see); units held by unpaid orders and
      // units sold move to their own columns, so initial stock = stock + reserved + sold for every SKU.
      await knex.schema.alterTable('skus', (t) => {
        t.integer('reserved').notNullable().defaultTo(0);
        t.integer('sold').notNullable().defaultTo(0);
      });
      await knex.raw('ALTER TABLE skus ADD CONSTRAINT skus_reserved_not_negative CHECK (reserved >= 0)');
      await knex.raw('ALTER TABLE skus ADD CONSTRAINT skus_sold_not_negative CHECK (sold >= 0)');

      // Every change of a SKU's total (initial) stock: the quantity a SKU is created with, and each staff correction.
      // sum(delta) per SKU = stock + reserved + sold is the checkable invariant (see data/stock.ts).
      await knex.schema.createTable('stock_adjustments', (t) => {
        t.bigIncrements('id');
        t.bigInteger('sku_id').notNullable().references('id').inTable('skus');
        t.integer('delta').notNullable();
        t.string('reason', 32).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['sku_id']);
      });
      // SKUs that exist before this migration start their ledger with what they hold now.
      await knex.raw("INSERT INTO stock_adjustments (sku_id, delta, reason) SELECT id, stock, 'INITIAL' FROM skus");

      // One reservation per order: all of its lines, held (RESERVED), given back (RELEASED) or sold (COMMITTED).
      await knex.schema.createTable('stock_reservations', (t) => {
        t.bigIncrements('id');
        t.string('order_id', 64).notNullable().unique();
        t.string('status', 16).notNullable();
        // [{ "skuId": "12", "quantity": 2 }, ...], merged per SKU and ordered by SKU id.
        t.jsonb('lines').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw(
        "ALTER TABLE stock_reservations ADD CONSTRAINT stock_reservations_status CHECK (status IN ('RESERVED', 'RELEASED', 'COMMITTED'))",
      );
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('stock_reservations');
      await knex.schema.dropTable('stock_adjustments');
      await knex.schema.alterTable('skus', (t) => {
        t.dropColumn('reserved');
        t.dropColumn('sold');
      });
    },
  },
  {
    name: '003_hold_leases',
    async up(knex: Knex) {
      // Holds are leases (docs/orders.md, "Holds"): given back by the sweep after lease_until unless committed;
      // confirmed_at = the placed order confirmed it; checked_at = order last said the order is live.
      await knex.schema.alterTable('stock_reservations', (t) => {
        t.timestamp('lease_until', { useTz: true });
        t.timestamp('confirmed_at', { useTz: true });
        t.timestamp('checked_at', { useTz: true });
      });
      // Reservations from before: held until order says otherwise (no lease), as confirmed.
      await knex.raw("UPDATE stock_reservations SET confirmed_at = created_at WHERE status = 'RESERVED'");
      // The sweep reads only what is held.
      await knex.raw("CREATE INDEX stock_reservations_held ON stock_reservations (checked_at NULLS FIRST, id) WHERE status = 'RESERVED'");
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS stock_reservations_held');
      await knex.schema.alterTable('stock_reservations', (t) => {
        t.dropColumn('lease_until');
        t.dropColumn('confirmed_at');
        t.dropColumn('checked_at');
      });
    },
  },
  // The jobs table for the periodic hold sweep (holds-sweep.ts).
  eventTablesMigration('090_events'),
  // The one job runner's dead letters and the retention indexes (platform/events, docs/events.md).
  eventTablesV2Migration('091_events_v2'),
  {
    // Refunded pieces returned sellable: sold → available, one row per (order, refund key); see data/stock-returns.ts.
    name: '100_stock_returns',
    async up(knex: Knex) {
      await knex.schema.createTable('stock_returns', (t) => {
        t.bigIncrements('id');
        t.string('order_id', 64).notNullable();
        t.string('key', 64).notNullable();
        t.jsonb('lines').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.unique(['order_id', 'key']);
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('stock_returns');
    },
  },
  eventTablesV3Migration('101_events_v3'),
  {
    // Release markers are pruned after HOLD_MARKER_RETENTION_HOURS (marker-retention.ts): the pruning reads this.
    name: '102_release_marker_retention',
    async up(knex: Knex) {
      await knex.raw(
        "CREATE INDEX IF NOT EXISTS stock_reservations_markers ON stock_reservations (created_at) WHERE status = 'RELEASED' AND lines = '[]'::jsonb",
      );
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS stock_reservations_markers');
    },
  },
  // The home page's content: banners, product groups, tags, hot words, help center, SKU barcodes (home-page/).
  homePageMigration('120_home_page'),
  {
    // Product search (docs/search.md): one normalized document per product, found through its character grams.
    name: '130_product_search',
    async up(knex: Knex) {
      await knex.schema.createTable('product_search', (t) => {
        t.bigInteger('product_id').primary().references('id').inTable('products');
        t.text('title').notNullable();
        t.text('names').notNullable();
        t.text('text').notNullable();
        t.specificType('grams', 'text[]').notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw('CREATE INDEX product_search_grams ON product_search USING gin (grams)');
      await reindexAll(knex);
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('product_search');
    },
  },
  {
    // Staff category management (categories-admin.ts): hidden categories, and no two siblings of one name.
    name: '131_category_admin',
    async up(knex: Knex) {
      await knex.schema.alterTable('categories', (t) => {
        t.boolean('hidden').notNullable().defaultTo(false);
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      // Existing duplicates would make the index fail with a bare error: name them, so staff can rename them first.
      const duplicates = await knex.raw(
        'SELECT parent_id, name, count(*)::int AS n FROM categories GROUP BY parent_id, name HAVING count(*) > 1 ORDER BY parent_id, name LIMIT 20',
      );
      if (duplicates.rows.length) {
        const list = duplicates.rows.map((row: { parent_id: string | null; name: string; n: number }) => `"${row.name}" ×${row.n} under ${row.parent_id ?? 'the top level'}`);
        throw new Error(`131_category_admin: sibling categories share a name; rename them, then migrate again: ${list.join('; ')}`);
      }
      await knex.raw('CREATE UNIQUE INDEX categories_sibling_name_uniq ON categories (COALESCE(parent_id, 0), name)');
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS categories_sibling_name_uniq');
      await knex.schema.alterTable('categories', (t) => {
        t.dropColumn('hidden');
        t.dropColumn('updated_at');
      });
    },
  },
  // Subscribable wares (subscription-wares/). Range 220-229.
  subscriptionWaresMigration,
  {
    // Member prices (docs/member-prices.md): a SKU's price for shoppers whose membership is TRIAL or FORMAL. Null: none.
    // "At most the price" is checked on write and applied on read (min), so a later price cut cannot make members pay more.
    name: '225_sku_member_price',
    async up(knex: Knex) {
      await knex.schema.alterTable('skus', (t) => {
        t.integer('member_price').nullable();
      });
      await knex.raw('ALTER TABLE skus ADD CONSTRAINT skus_member_price_positive CHECK (member_price IS NULL OR member_price >= 1)');
      // The member-price list (products(filter: { memberPriced: true })) looks for live SKUs that have one.
      await knex.raw('CREATE INDEX skus_member_priced ON skus (product_id) WHERE member_price IS NOT NULL AND deleted_at IS NULL');
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS skus_member_priced');
      await knex.schema.alterTable('skus', (t) => {
        t.dropColumn('member_price');
      });
    },
  },
  {
    // Inventory statistics (docs/back-office.md, 库存统计): units sold in a period are reservations committed in it, so a
    // reservation records when it left RESERVED (updated_at also moves with a confirm, it is not that moment).
    // Range 640-649.
    name: '640_stock_statistics',
    async up(knex: Knex) {
      await knex.schema.alterTable('stock_reservations', (t) => {
        t.timestamp('settled_at', { useTz: true });
      });
      // Settled before: nothing moves a settled reservation's updated_at afterwards, so it is when it settled.
      await knex.raw("UPDATE stock_reservations SET settled_at = updated_at WHERE status <> 'RESERVED' AND lines <> '[]'::jsonb");
      // A period's sales and returns are read by time (statistics read from the period's start to now).
      await knex.raw("CREATE INDEX stock_reservations_committed_at ON stock_reservations (settled_at) WHERE status = 'COMMITTED'");
      await knex.raw('CREATE INDEX stock_returns_created_at ON stock_returns (created_at)');
      await knex.raw('CREATE INDEX stock_adjustments_sku_time ON stock_adjustments (sku_id, created_at)');
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS stock_adjustments_sku_time');
      await knex.raw('DROP INDEX IF EXISTS stock_returns_created_at');
      await knex.raw('DROP INDEX IF EXISTS stock_reservations_committed_at');
      await knex.schema.alterTable('stock_reservations', (t) => {
        t.dropColumn('settled_at');
      });
    },
  },
];
