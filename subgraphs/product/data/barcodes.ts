/** Data access for SKU barcodes (skus.barcode, unique among live SKUs). Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import type { SkuRow } from './skus';

/** Live SKU ids by barcode, in one statement (unknown barcodes are absent). */
export async function findLiveSkuIdsByBarcodes(db: Knex, barcodes: readonly string[]): Promise<Map<string, string>> {
  const rows: { id: string; barcode: string }[] = await db('skus')
    .select('id', 'barcode')
    .whereRaw('barcode = ANY(?::text[])', [[...barcodes]])
    .whereNull('deleted_at');
  return new Map(rows.map((row) => [row.barcode, String(row.id)]));
}

/** Sets or clears a live SKU's barcode; undefined when there is no live SKU of that id. */
export async function setSkuBarcode(db: Knex, skuId: string, barcode: string | null): Promise<(SkuRow & { barcode: string | null }) | undefined> {
  const [row] = await db('skus').where('id', skuId).whereNull('deleted_at').update({ barcode, updated_at: db.fn.now() }).returning('*');
  return row;
}
