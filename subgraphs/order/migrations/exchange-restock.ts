/**
 * 150_exchange_restock: whether the pieces an exchange sent back went back on sale (staff decide when they mark the
 * parcel received; null until then). Product's stock return for it is keyed `EXR<request id>` (docs/logistics.md).
 */
import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

export const exchangeRestockMigration: Migration = {
  name: '150_exchange_restock',
  async up(knex: Knex) {
    await knex.schema.alterTable('after_sales', (t) => {
      t.boolean('return_restock');
    });
  },
  async down(knex: Knex) {
    await knex.schema.alterTable('after_sales', (t) => t.dropColumn('return_restock'));
  },
};
