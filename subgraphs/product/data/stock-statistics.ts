/**
 * Data access for the inventory statistics (库存统计, docs/back-office.md): per SKU and period, the on-hand stock at
 * its start and end and the moves in between, read from the stock ledger in one statement per page. Knows knex, not
 * GraphQL.
 *
 * On hand = available + reserved = units in the warehouse (sold units have left it). With the ledger's semantics
 * (data/stock.ts): sum(stock_adjustments.delta) = stock + reserved + sold and sold = committed − returned, so
 *   on hand at T = adjustments before T − units committed before T + units returned before T,
 * and over a period: opening + added − removed − sold + returned = closing. Reservations and releases only move units
 * between available and reserved: they do not change what is on hand.
 *
 * The statement starts from the SKU's counts now and takes back what moved after the period, so it reads the ledger
 * from the period's start only (an old period of a busy shop would otherwise sum every sale ever made).
 */
import type { Knex } from 'knex';
import { escapeLike } from './products';

export interface StockStatisticsQuery {
  /** The period's first instant (inclusive) and the instant after it (exclusive). */
  start: Date;
  end: Date;
  productId?: string;
  skuIds?: readonly string[];
  /** Matched in the product's title or the SKU's name. */
  keyword?: string;
  /** Keyset position: SKUs with a smaller id. */
  beforeId?: string;
  limit: number;
}

export interface StockFiguresRow {
  id: string;
  product_id: string;
  product_title: string;
  sku_name: string;
  deleted: boolean;
  opening: number;
  added: number;
  removed: number;
  sold: number;
  returned: number;
  closing: number;
  /** Now. */
  reserved: number;
  available: number;
}

/** One page of SKUs, newest first, with their figures for the period, in one statement. */
export async function stockStatisticsPage(db: Knex, query: StockStatisticsQuery): Promise<StockFiguresRow[]> {
  const pattern = query.keyword ? `%${escapeLike(query.keyword)}%` : null;
  const skuIds = query.skuIds ? [...query.skuIds] : null;
  const { rows } = await db.raw(
    `WITH page AS (
       SELECT s.id, s.product_id, p.title AS product_title, s.name AS sku_name, s.deleted_at IS NOT NULL AS deleted,
              s.stock, s.reserved
       FROM skus s JOIN products p ON p.id = s.product_id
       WHERE (:productId::bigint IS NULL OR s.product_id = :productId::bigint)
         AND (:skuIds::bigint[] IS NULL OR s.id = ANY(:skuIds::bigint[]))
         AND (:pattern::text IS NULL OR p.title ILIKE :pattern OR s.name ILIKE :pattern)
         AND (:beforeId::bigint IS NULL OR s.id < :beforeId::bigint)
       ORDER BY s.id DESC LIMIT :limit),
     adjusted AS (
       SELECT a.sku_id,
              COALESCE(sum(a.delta) FILTER (WHERE a.created_at < :end AND a.delta > 0), 0) AS added,
              COALESCE(-sum(a.delta) FILTER (WHERE a.created_at < :end AND a.delta < 0), 0) AS removed,
              COALESCE(sum(a.delta) FILTER (WHERE a.created_at >= :end), 0) AS later
       FROM stock_adjustments a WHERE a.sku_id IN (SELECT id FROM page) AND a.created_at >= :start GROUP BY 1),
     sold AS (
       SELECT (l->>'skuId')::bigint AS sku_id,
              COALESCE(sum((l->>'quantity')::int) FILTER (WHERE r.settled_at < :end), 0) AS units,
              COALESCE(sum((l->>'quantity')::int) FILTER (WHERE r.settled_at >= :end), 0) AS later
       FROM stock_reservations r CROSS JOIN LATERAL jsonb_array_elements(r.lines) l
       WHERE r.status = 'COMMITTED' AND r.settled_at >= :start AND (l->>'skuId')::bigint IN (SELECT id FROM page)
       GROUP BY 1),
     returned AS (
       SELECT (l->>'skuId')::bigint AS sku_id,
              COALESCE(sum((l->>'quantity')::int) FILTER (WHERE r.created_at < :end), 0) AS units,
              COALESCE(sum((l->>'quantity')::int) FILTER (WHERE r.created_at >= :end), 0) AS later
       FROM stock_returns r CROSS JOIN LATERAL jsonb_array_elements(r.lines) l
       WHERE r.created_at >= :start AND (l->>'skuId')::bigint IN (SELECT id FROM page)
       GROUP BY 1),
     figures AS (
       SELECT page.*,
              COALESCE(adjusted.added, 0) AS added, COALESCE(adjusted.removed, 0) AS removed,
              COALESCE(sold.units, 0) AS sold, COALESCE(returned.units, 0) AS returned_units,
              page.stock + page.reserved - COALESCE(adjusted.later, 0) + COALESCE(sold.later, 0) - COALESCE(returned.later, 0)
                AS closing
       FROM page LEFT JOIN adjusted ON adjusted.sku_id = page.id LEFT JOIN sold ON sold.sku_id = page.id
         LEFT JOIN returned ON returned.sku_id = page.id)
     SELECT id, product_id, product_title, sku_name, deleted,
            (closing - added + removed + sold - returned_units)::int AS opening, added::int, removed::int, sold::int,
            returned_units::int AS returned, closing::int, reserved, stock AS available
     FROM figures ORDER BY id DESC`,
    {
      productId: query.productId ?? null,
      skuIds,
      pattern,
      beforeId: query.beforeId ?? null,
      limit: query.limit,
      start: query.start,
      end: query.end,
    },
  );
  return rows.map((row: StockFiguresRow) => ({ ...row, id: String(row.id), product_id: String(row.product_id) }));
}
