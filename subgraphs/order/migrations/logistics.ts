/**
 * 140_logistics: carriers (Kuaidi100 company codes), shipments of orders (outbound, return, exchange replacement),
 * their tracking events, the shop's return addresses, and after-sales kinds (REFUND, EXCHANGE) with photos.
 * See docs/logistics.md.
 */
import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

/** The carriers a shipment may name: Kuaidi100's `com` codes, the name shown, and spellings staff type. */
export const SEED_CARRIERS: { code: string; name: string; aliases: string[] }[] = [
  { code: 'shunfeng', name: '顺丰速运', aliases: ['SF', '顺丰', 'SF Express'] },
  { code: 'zhongtong', name: '中通快递', aliases: ['ZTO', '中通'] },
  { code: 'yuantong', name: '圆通速递', aliases: ['YTO', '圆通'] },
  { code: 'shentong', name: '申通快递', aliases: ['STO', '申通'] },
  { code: 'yunda', name: '韵达快递', aliases: ['Yunda', '韵达'] },
  { code: 'jd', name: '京东物流', aliases: ['JD', '京东', '京东快递'] },
  { code: 'ems', name: 'EMS', aliases: ['邮政EMS', '中国邮政EMS'] },
  { code: 'jtexpress', name: '极兔速递', aliases: ['J&T', '极兔', 'J&T Express'] },
  { code: 'youzhengguonei', name: '邮政快递包裹', aliases: ['中国邮政', '邮政包裹'] },
  { code: 'debangkuaidi', name: '德邦快递', aliases: ['德邦', 'Deppon'] },
  { code: 'huitongkuaidi', name: '百世快递', aliases: ['百世', 'Best Express'] },
  { code: 'zhaijisong', name: '宅急送', aliases: ['ZJS'] },
];

export const logisticsMigration: Migration = {
  name: '140_logistics',
  async up(knex: Knex) {
    await knex.schema.createTable('carriers', (t) => {
      t.string('code', 32).primary();
      t.string('name', 32).notNullable();
      // Other spellings shipOrder's free-text `carrier` accepts (matched case-insensitively with code and name).
      t.jsonb('aliases').notNullable().defaultTo('[]');
      t.integer('sort').notNullable().defaultTo(0);
      t.boolean('active').notNullable().defaultTo(true);
    });
    await knex('carriers').insert(SEED_CARRIERS.map((c, i) => ({ code: c.code, name: c.name, aliases: JSON.stringify(c.aliases), sort: i })));

    await knex.schema.alterTable('after_sales', (t) => {
      // REFUND (money back, maybe with a return) or EXCHANGE (the pieces come back, a replacement goes out).
      t.string('kind', 16).notNullable().defaultTo('REFUND');
      // https URLs of the shopper's photos (at most 9).
      t.jsonb('photos');
      // EXCHANGE: the SKU sent instead (same product; the same SKU for a like-for-like swap).
      t.bigInteger('replacement_sku_id');
      // The shop's return address as it was when the request was approved (later edits do not move it).
      t.jsonb('return_address');
      t.timestamp('received_at', { useTz: true });
      t.string('received_by', 64);
    });
    await knex.raw('ALTER TABLE after_sales DROP CONSTRAINT after_sales_status_check');
    await knex.raw(
      `ALTER TABLE after_sales ADD CONSTRAINT after_sales_status_check CHECK (status IN
         ('REQUESTED','REVOKED','APPROVED','REJECTED','RETURNING','RECEIVED','REPLACEMENT_SHIPPED','COMPLETED'))`,
    );
    await knex.raw(`ALTER TABLE after_sales ADD CONSTRAINT after_sales_kind_check CHECK (kind IN ('REFUND','EXCHANGE'))`);
    // An exchange moves no money: its amount is 0; a refund asks for at least 1 fen.
    await knex.raw('ALTER TABLE after_sales DROP CONSTRAINT after_sales_amount_check');
    await knex.raw(
      `ALTER TABLE after_sales ADD CONSTRAINT after_sales_amount_check CHECK ((kind = 'REFUND' AND amount > 0) OR (kind = 'EXCHANGE' AND amount = 0))`,
    );

    await knex.schema.createTable('shipments', (t) => {
      t.bigIncrements('id');
      t.bigInteger('order_id').notNullable().references('id').inTable('orders').onDelete('CASCADE');
      // OUTBOUND (the order's goods), RETURN (the shopper sends pieces back), EXCHANGE (the replacement goes out).
      t.string('kind', 16).notNullable();
      t.bigInteger('after_sale_id').references('id').inTable('after_sales');
      t.string('carrier_code', 32).notNullable().references('code').inTable('carriers');
      t.string('tracking_number', 40).notNullable();
      // [{ skuId, quantity }] when the parcel holds only part of the order; null: all of it.
      t.jsonb('lines');
      t.string('status', 20).notNullable().defaultTo('PENDING');
      // Time of the newest tracking event known: a push older than it does not move `status`.
      t.timestamp('latest_event_at', { useTz: true });
      t.timestamp('delivered_at', { useTz: true });
      // Why tracking stopped (Kuaidi100 `status: abort` with its message), or null.
      t.string('tracking_note', 200);
      t.timestamp('shipped_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.string('created_by', 64).notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['order_id', 'id']);
      t.index(['after_sale_id']);
    });
    await knex.raw(`ALTER TABLE shipments ADD CONSTRAINT shipments_kind_check CHECK (kind IN ('OUTBOUND','RETURN','EXCHANGE'))`);
    // A carrier's push names (com, nu): it leads to every shipment of that parcel (orders shipped together share one).
    await knex.raw('CREATE INDEX shipments_tracking_idx ON shipments (carrier_code, tracking_number)');
    await knex.raw('CREATE UNIQUE INDEX shipments_order_tracking_idx ON shipments (order_id, carrier_code, tracking_number)');
    // One return parcel and one replacement per after-sales request.
    await knex.raw(`CREATE UNIQUE INDEX shipments_one_per_request_idx ON shipments (after_sale_id, kind) WHERE after_sale_id IS NOT NULL`);

    await knex.schema.createTable('shipment_events', (t) => {
      t.bigIncrements('id');
      t.bigInteger('shipment_id').notNullable().references('id').inTable('shipments').onDelete('CASCADE');
      t.timestamp('at', { useTz: true }).notNullable();
      // Our status for this event (null when the carrier's text maps to none).
      t.string('status', 20);
      t.string('description', 500).notNullable();
      t.string('location', 200);
      // CARRIER (a verified push) or STAFF.
      t.string('source', 16).notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    // The same event pushed twice (a replay, or in every later push: Kuaidi100 sends the whole history) is stored once.
    await knex.raw('CREATE UNIQUE INDEX shipment_events_dedup_idx ON shipment_events (shipment_id, at, md5(description))');

    await knex.schema.createTable('return_addresses', (t) => {
      t.bigIncrements('id');
      t.string('label', 64).notNullable();
      t.string('contact_name', 64).notNullable();
      t.string('phone', 32).notNullable();
      t.string('province', 64).notNullable();
      t.string('city', 64).notNullable();
      t.string('district', 64).notNullable();
      t.string('detail', 200).notNullable();
      t.boolean('is_default').notNullable().defaultTo(false);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('deleted_at', { useTz: true });
    });
    await knex.raw('CREATE UNIQUE INDEX return_addresses_one_default_idx ON return_addresses (is_default) WHERE is_default AND deleted_at IS NULL');
  },
  async down(knex: Knex) {
    await knex.schema.dropTable('return_addresses');
    await knex.schema.dropTable('shipment_events');
    await knex.schema.dropTable('shipments');
    await knex.raw('ALTER TABLE after_sales DROP CONSTRAINT after_sales_amount_check');
    await knex.raw('ALTER TABLE after_sales ADD CONSTRAINT after_sales_amount_check CHECK (amount > 0)');
    await knex.raw('ALTER TABLE after_sales DROP CONSTRAINT after_sales_kind_check');
    await knex.raw('ALTER TABLE after_sales DROP CONSTRAINT after_sales_status_check');
    await knex.raw(`ALTER TABLE after_sales ADD CONSTRAINT after_sales_status_check CHECK (status IN ('REQUESTED','REVOKED','APPROVED','REJECTED'))`);
    await knex.schema.alterTable('after_sales', (t) => {
      for (const column of ['kind', 'photos', 'replacement_sku_id', 'return_address', 'received_at', 'received_by']) t.dropColumn(column);
    });
    await knex.schema.dropTable('carriers');
  },
};
