/** Data access for the brands table. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface BrandRow {
  id: string;
  name: string;
  logo_url: string | null;
  sort_order: number;
}

export async function findBrandsByIds(db: Knex, ids: readonly string[]): Promise<BrandRow[]> {
  return db<BrandRow>('brands').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export async function listBrands(db: Knex): Promise<BrandRow[]> {
  return db<BrandRow>('brands').orderBy([{ column: 'sort_order' }, { column: 'id' }]);
}
