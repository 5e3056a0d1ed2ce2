/** Data access for the cart tables (carts, cart_items). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface CartLineRow {
  id: string;
  user_id: string;
  sku_id: string;
  quantity: number;
  selected: boolean;
}

/**
 * Every line of the given users, newest first: the one statement a cart read costs. The columns a cart uses only
 * (its timestamps would be parsed into Dates for every line of every view, for nothing).
 */
export async function findLinesByUserIds(db: Knex, userIds: readonly string[]): Promise<CartLineRow[]> {
  return db<CartLineRow>('cart_items')
    .select('id', 'user_id', 'sku_id', 'quantity', 'selected')
    .whereRaw('user_id = ANY(?::bigint[])', [[...userIds]])
    .orderBy('id', 'desc');
}

/**
 * Takes the user's cart row lock for the rest of the transaction (creating the row on first use), so that
 * concurrent adds of the same user run one after another and the line count each sees is final.
 */
export async function lockCart(trx: Knex.Transaction, userId: string): Promise<void> {
  await trx.raw(
    'INSERT INTO carts (user_id) VALUES (?) ON CONFLICT (user_id) DO UPDATE SET updated_at = now()',
    [userId],
  );
}

export interface UpsertedLine {
  id: string;
  /** The line's quantity after the add. */
  quantity: number;
  /** True when the SKU was not in the cart before (a new line). */
  inserted: boolean;
}

/** Adds `quantity` of a SKU: a new line, or onto the existing line of that SKU (which becomes selected again). */
export async function upsertLine(trx: Knex.Transaction, userId: string, skuId: string, quantity: number): Promise<UpsertedLine> {
  const result = await trx.raw<{ rows: UpsertedLine[] }>(
    `INSERT INTO cart_items (user_id, sku_id, quantity) VALUES (?, ?, ?)
     ON CONFLICT (user_id, sku_id) DO UPDATE
       SET quantity = cart_items.quantity + excluded.quantity, selected = true, updated_at = now()
     RETURNING id, quantity, (xmax = 0) AS inserted`,
    [userId, skuId, quantity],
  );
  return result.rows[0];
}

/** Number of lines (distinct SKUs) in the user's cart. */
export async function countLines(trx: Knex.Transaction, userId: string): Promise<number> {
  const row = await trx('cart_items').where({ user_id: userId }).count<{ count: string }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

/** Changes one of the user's lines; returns how many rows changed (0: not this user's line, or gone). */
export async function updateLine(
  db: Knex,
  userId: string,
  id: string,
  changes: { quantity?: number; selected?: boolean },
): Promise<number> {
  return db('cart_items')
    .where({ id, user_id: userId })
    .update({ ...changes, updated_at: db.fn.now() });
}

/** Deletes the given lines of the user (ids of other users' lines are ignored); returns how many went. */
export async function deleteLines(db: Knex, userId: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return db('cart_items').where({ user_id: userId }).whereRaw('id = ANY(?::bigint[])', [[...ids]]).del();
}
