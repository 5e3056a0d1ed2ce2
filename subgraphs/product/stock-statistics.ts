/**
 * The inventory statistics (库存统计, docs/back-office.md): the online shop's stock per SKU over a period of Shanghai
 * dates. Validates the period, the filter and the page, then reads one page in one statement (data/stock-statistics.ts).
 */
import type { Knex } from 'knex';
import { badInput } from '../../platform/errors';
import { pageRequest, toConnection } from '../../platform/connection';
import { addDays, shanghaiDayStart } from '../../platform/shanghai-time';
import { stockStatisticsPage, type StockFiguresRow } from './data/stock-statistics';
import * as valid from './validation';

/** The shop's own store in the back office's statistics (user's store statistics count online orders under it too). */
export const ONLINE_STORE = 'ONLINE';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;
const MAX_SKU_IDS = 500;
const MAX_KEYWORD = 64;

export interface StockStatisticsFilter {
  productId?: string | null;
  skuIds?: readonly string[] | null;
  keyword?: string | null;
}

const isDate = (value: string) => DATE.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().startsWith(value);

/** Validates a period of Shanghai dates (inclusive, at most 366 days); the instants it spans. */
export function period(from: string, to: string): { start: Date; end: Date } {
  if (!isDate(from)) throw badInput('from is a date like 2026-12-01', 'from');
  if (!isDate(to)) throw badInput('to is a date like 2026-12-31', 'to');
  if (to < from) throw badInput('to must not be before from', 'to');
  if (addDays(from, MAX_DAYS - 1) < to) throw badInput(`A period is at most ${MAX_DAYS} days`, 'to');
  return { start: shanghaiDayStart(from), end: shanghaiDayStart(addDays(to, 1)) };
}

export async function stockStatistics(
  db: Knex,
  args: { from: string; to: string; filter?: StockStatisticsFilter | null; first?: number | null; after?: string | null },
  maxPageSize: number,
) {
  const { start, end } = period(args.from, args.to);
  const page = pageRequest('StockStatistics', args, maxPageSize);
  const filter = args.filter ?? {};
  const productId = filter.productId == null ? undefined : valid.id(filter.productId, 'productId');
  if (filter.skuIds && filter.skuIds.length > MAX_SKU_IDS) throw badInput(`skuIds takes at most ${MAX_SKU_IDS} ids`, 'skuIds');
  const skuIds = filter.skuIds?.map((id) => valid.id(id, 'skuIds'));
  const keyword = filter.keyword?.trim() || undefined;
  if (keyword && keyword.length > MAX_KEYWORD) throw badInput(`keyword is at most ${MAX_KEYWORD} characters`, 'keyword');
  const rows = await stockStatisticsPage(db, { start, end, productId, skuIds, keyword, beforeId: page.afterId, limit: page.limit });
  return { storeCode: ONLINE_STORE, from: args.from, to: args.to, ...toConnection<StockFiguresRow>('StockStatistics', rows, page) };
}
