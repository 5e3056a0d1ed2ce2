/** Data access for banners (home page carousel and strips). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type BannerPosition = 'HOME_CAROUSEL' | 'HOME_STRIP' | 'CATEGORY_TOP';
export type BannerLinkType = 'NONE' | 'PRODUCT' | 'GROUP' | 'URL';

export interface BannerRow {
  id: string;
  title: string;
  image_url: string;
  position: BannerPosition;
  link_type: BannerLinkType;
  link_product_id: string | null;
  link_group_id: string | null;
  link_url: string | null;
  starts_at: Date | null;
  ends_at: Date | null;
  sort_order: number;
  created_at: Date;
  updated_at: Date;
}

export type BannerFields = Omit<BannerRow, 'id' | 'created_at' | 'updated_at'>;

const ORDER = [{ column: 'position' }, { column: 'sort_order' }, { column: 'id' }];

/** Banners that have not ended yet (scheduled ones included: whether one has started is decided at read time). */
export async function findBannersNotEnded(db: Knex): Promise<BannerRow[]> {
  return db<BannerRow>('banners').where((q) => q.whereNull('ends_at').orWhere('ends_at', '>', db.fn.now())).orderBy(ORDER);
}

/** Every banner, ended and scheduled ones included (staff). */
export async function findAllBanners(db: Knex): Promise<BannerRow[]> {
  return db<BannerRow>('banners').orderBy(ORDER);
}

export async function findBannerById(db: Knex, id: string): Promise<BannerRow | undefined> {
  return db<BannerRow>('banners').where('id', id).first();
}

export async function insertBanner(db: Knex, fields: BannerFields): Promise<BannerRow> {
  const [row] = await db<BannerRow>('banners').insert(fields as never).returning('*');
  return row;
}

/** The changed row, or undefined when there is no such banner. */
export async function updateBanner(db: Knex, id: string, changes: Partial<BannerFields>): Promise<BannerRow | undefined> {
  const [row] = await db<BannerRow>('banners').where('id', id).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
  return row;
}

export async function deleteBanner(db: Knex, id: string): Promise<boolean> {
  return (await db('banners').where('id', id).delete()) > 0;
}
