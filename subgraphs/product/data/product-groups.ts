/** Data access for product groups (curated lists and rankings) and their ranked members. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type ProductGroupKind = 'LIST' | 'RANKING';

export interface ProductGroupRow {
  id: string;
  name: string;
  description: string;
  kind: ProductGroupKind;
  show_on_home: boolean;
  sort_order: number;
  created_at: Date;
  updated_at: Date;
}

export type ProductGroupFields = Pick<ProductGroupRow, 'name' | 'description' | 'kind' | 'show_on_home' | 'sort_order'>;

/** A member as a reader sees it: `rank` counts the members the reader may see (1-based), `position` is the keyset. */
export interface GroupMemberRow {
  group_id: string;
  product_id: string;
  position: number;
  rank: number;
}

export interface GroupListQuery {
  kind?: ProductGroupKind;
  onHomeOnly?: boolean;
  /** Already escaped for LIKE (data/products.ts escapeLike): groups whose name contains it, any case. */
  nameLike?: string;
  /** Keyset: only groups after this (sort_order, id). */
  after?: { sortOrder: number; id: string };
  limit: number;
}

/** Groups in display order (sort_order, then id), in one statement. */
export async function findGroups(db: Knex, query: GroupListQuery): Promise<ProductGroupRow[]> {
  const builder = db<ProductGroupRow>('product_groups');
  if (query.kind) builder.where('kind', query.kind);
  if (query.onHomeOnly) builder.where('show_on_home', true);
  if (query.nameLike !== undefined) builder.whereRaw("name ILIKE ? ESCAPE '\\'", [`%${query.nameLike}%`]);
  if (query.after) builder.whereRaw('(sort_order, id) > (?, ?::bigint)', [query.after.sortOrder, query.after.id]);
  return builder.orderBy([{ column: 'sort_order' }, { column: 'id' }]).limit(query.limit);
}

export async function findGroupsByIds(db: Knex, ids: readonly string[]): Promise<ProductGroupRow[]> {
  return db<ProductGroupRow>('product_groups').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export interface GroupPageQuery {
  groupIds: readonly string[];
  /** Only members after this position (keyset); 0 for the first page. */
  afterPosition: number;
  /** Members per group. */
  limit: number;
  /** Shoppers: on-shelf products only (ranks count those only). */
  onShelfOnly: boolean;
}

/**
 * One page of members for each of many groups, in one statement: ranks are counted over the members the reader may
 * see, then each group is cut after `limit` members following `afterPosition`.
 */
export async function findGroupMembers(db: Knex, query: GroupPageQuery): Promise<GroupMemberRow[]> {
  const { rows } = await db.raw(
    `SELECT group_id, product_id, position, rank::int AS rank FROM (
       SELECT ranked.*, row_number() OVER (PARTITION BY group_id ORDER BY position) AS n FROM (
         SELECT i.group_id, i.product_id, i.position, row_number() OVER (PARTITION BY i.group_id ORDER BY i.position) AS rank
         FROM product_group_items i JOIN products p ON p.id = i.product_id
         WHERE i.group_id = ANY(?::bigint[]) AND (p.on_shelf OR NOT ?)
       ) ranked WHERE position > ?
     ) paged WHERE n <= ? ORDER BY group_id, position`,
    [[...query.groupIds], query.onShelfOnly, query.afterPosition, query.limit],
  );
  return rows.map((row: GroupMemberRow) => ({ ...row, group_id: String(row.group_id), product_id: String(row.product_id) }));
}

export async function insertGroup(db: Knex, fields: ProductGroupFields): Promise<ProductGroupRow> {
  const [row] = await db<ProductGroupRow>('product_groups').insert(fields).returning('*');
  return row;
}

export async function updateGroup(db: Knex, id: string, changes: Partial<ProductGroupFields>): Promise<ProductGroupRow | undefined> {
  const [row] = await db<ProductGroupRow>('product_groups').where('id', id).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
  return row;
}

export async function deleteGroup(db: Knex, id: string): Promise<boolean> {
  return (await db('product_groups').where('id', id).delete()) > 0;
}

/** The group, locked for the rest of the transaction (member replacements of one group serialize). */
export async function lockGroup(db: Knex, id: string): Promise<ProductGroupRow | undefined> {
  return db<ProductGroupRow>('product_groups').where('id', id).forUpdate().first();
}

/** Replaces the members: `productIds[0]` gets position 1 (rank 1), and so on. Run inside a transaction. */
export async function replaceGroupMembers(db: Knex, groupId: string, productIds: readonly string[]): Promise<void> {
  await db('product_group_items').where('group_id', groupId).delete();
  if (productIds.length) {
    await db('product_group_items').insert(productIds.map((productId, index) => ({ group_id: groupId, product_id: productId, position: index + 1 })));
  }
  await db('product_groups').where('id', groupId).update({ updated_at: db.fn.now() });
}
