/**
 * The inventory statistics (库存统计) on the product subgraph, real PostgreSQL: one SKU's history (initial stock, staff
 * changes up and down, a paid order, a released one, a refund returned to stock, a hold still open) placed in two past
 * months by moving the ledger rows' times, then the figures per period, the equation opening + added − removed −
 * sold + returned = closing, the same figures computed forward from the ledger, paging, filters and refusals.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { countStatements } from '../../../platform/db';
import { addDays, shanghaiDate } from '../../../platform/shanghai-time';
import { asIdentity, codes, gql, startSupergraph, type GraphQLResponse } from '../../../test/support/harness';
import { findStockViolations } from '../data/stock';
import { createProduct, seededTree, shopper, staff, uniqueToken, type SeededTree } from './helpers';

let supergraph: RunningSupergraph;
let url: string;
let db: Knex;
let tree: SeededTree;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['product'], router: false });
  url = supergraph.subgraphs.product!.url;
  db = supergraph.subgraphs.product!.db;
  tree = await seededTree(db);
});
afterAll(async () => {
  await supergraph?.stop();
});

const order = () => asIdentity({ service: 'order' }, 'product');
const newOrderId = () => String(crypto.randomInt(1, 2 ** 47));

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const FIGURES = 'opening added removed sold returned closing reserved available';
const STATISTICS = `query($from: String!, $to: String!, $filter: StockStatisticsFilter, $first: Int, $after: String) {
  stockStatistics(from: $from, to: $to, filter: $filter, first: $first, after: $after) {
    storeCode from to
    edges { cursor node { sku { id name } productId productTitle skuName ${FIGURES} } }
    pageInfo { hasNextPage endCursor }
  } }`;

const statistics = (variables: Record<string, unknown>, headers = staff()) => gql(url, STATISTICS, variables, headers);

async function figuresOf(skuId: string, from: string, to: string) {
  const { stockStatistics } = ok(await statistics({ from, to, filter: { skuIds: [skuId] } }));
  expect(stockStatistics.edges).toHaveLength(1);
  const { sku, productId, productTitle, skuName, ...figures } = stockStatistics.edges[0].node;
  expect(sku.id).toBe(skuId);
  expect(skuName).toBe(sku.name);
  expect(productId && productTitle).toBeTruthy();
  // The books of the period add up.
  expect(figures.opening + figures.added - figures.removed - figures.sold + figures.returned).toBe(figures.closing);
  return figures;
}

const setStock = async (skuId: string, stock: number) =>
  ok(await gql(url, 'mutation($id: ID!, $s: Int!) { updateSku(id: $id, input: { stock: $s }) { id } }', { id: skuId, s: stock }, staff()));
const reserve = async (orderId: string, skuId: string, quantity: number) =>
  ok(await gql(url, 'mutation($o: ID!, $l: [StockLineInput!]!) { reserveStock(orderId: $o, lines: $l) { status } }', { o: orderId, l: [{ skuId, quantity }] }, order()));
const settle = async (kind: 'commitStock' | 'releaseStock', orderId: string) =>
  ok(await gql(url, `mutation($o: ID!) { ${kind}(orderId: $o) { status } }`, { o: orderId }, order()));
const giveBack = async (orderId: string, skuId: string, quantity: number) =>
  ok(await gql(url, 'mutation($o: ID!, $k: String!, $l: [StockLineInput!]!) { returnStock(orderId: $o, key: $k, lines: $l) { key } }', { o: orderId, k: `R${orderId}`, l: [{ skuId, quantity }] }, order()));

/** Moves the last ledger row of the SKU (the change just made) to `at`. */
const adjustmentAt = (skuId: string, at: string) =>
  db.raw('UPDATE stock_adjustments SET created_at = ? WHERE id = (SELECT max(id) FROM stock_adjustments WHERE sku_id = ?)', [at, skuId]);
const settledAt = (orderId: string, at: string) =>
  db('stock_reservations').where('order_id', orderId).update({ created_at: at, updated_at: at, settled_at: at });
const returnedAt = (orderId: string, at: string) => db('stock_returns').where('order_id', orderId).update({ created_at: at });

describe('stockStatistics', () => {
  let skuId: string;

  beforeAll(async () => {
    const product = await createProduct(url, { title: uniqueToken('inv'), categoryId: tree.leafA, skus: [{ name: 'v0', price: 1000, stock: 10 }], onShelf: true });
    skuId = product.skus[0].id;
    // January (Shanghai): created with 10, staff raise it to 15, an order of 4 paid, an order of 2 released.
    await adjustmentAt(skuId, '2025-01-05T02:00:00Z');
    await setStock(skuId, 15);
    await adjustmentAt(skuId, '2025-01-10T02:00:00Z');
    const paid = newOrderId();
    await reserve(paid, skuId, 4);
    await settle('commitStock', paid);
    await settledAt(paid, '2025-01-20T02:00:00Z');
    const cancelled = newOrderId();
    await reserve(cancelled, skuId, 2);
    await settle('releaseStock', cancelled);
    await settledAt(cancelled, '2025-01-21T02:00:00Z');
    // February: 1 unit of the paid order refunded back to stock; staff take 4 off (at 01:00 on 1 February in
    // Shanghai, still 31 January in UTC); an order of 2 paid.
    await giveBack(paid, skuId, 1);
    await returnedAt(paid, '2025-02-03T02:00:00Z');
    await setStock(skuId, 8);
    await adjustmentAt(skuId, '2025-01-31T17:00:00Z');
    const february = newOrderId();
    await reserve(february, skuId, 2);
    await settle('commitStock', february);
    await settledAt(february, '2025-02-15T02:00:00Z');
    // Now: an unpaid order holds 1; staff raise the available count from 5 to 7.
    await reserve(newOrderId(), skuId, 1);
    await setStock(skuId, 7);
    expect(await findStockViolations(db, [skuId])).toEqual([]);
  });

  it('gives each period its opening, moves and closing on hand, and the counts now', async () => {
    const now = { reserved: 1, available: 7 };
    expect(await figuresOf(skuId, '2025-01-01', '2025-01-31')).toEqual({ opening: 0, added: 15, removed: 0, sold: 4, returned: 0, closing: 11, ...now });
    expect(await figuresOf(skuId, '2025-02-01', '2025-02-28')).toEqual({ opening: 11, added: 0, removed: 4, sold: 2, returned: 1, closing: 6, ...now });
    expect(await figuresOf(skuId, '2025-01-01', '2025-02-28')).toEqual({ opening: 0, added: 15, removed: 4, sold: 6, returned: 1, closing: 6, ...now });
    // Before the SKU had any stock, and a period reaching today (its closing is what is on hand: 7 + 1).
    expect(await figuresOf(skuId, '2024-12-01', '2024-12-31')).toEqual({ opening: 0, added: 0, removed: 0, sold: 0, returned: 0, closing: 0, ...now });
    const today = shanghaiDate(Date.now());
    expect(await figuresOf(skuId, addDays(today, -30), today)).toEqual({ opening: 6, added: 2, removed: 0, sold: 0, returned: 0, closing: 8, ...now });
  });

  it('agrees with the ledger read forward from the beginning (adjustments − committed + returned before an instant)', async () => {
    const onHandAt = async (at: string) => {
      const { rows } = await db.raw(
        `SELECT (SELECT COALESCE(sum(delta), 0) FROM stock_adjustments WHERE sku_id = :sku AND created_at < :at)
              - (SELECT COALESCE(sum((l->>'quantity')::int), 0) FROM stock_reservations r, jsonb_array_elements(r.lines) l
                 WHERE r.status = 'COMMITTED' AND (l->>'skuId')::bigint = :sku AND r.settled_at < :at)
              + (SELECT COALESCE(sum((l->>'quantity')::int), 0) FROM stock_returns r, jsonb_array_elements(r.lines) l
                 WHERE (l->>'skuId')::bigint = :sku AND r.created_at < :at) AS units`,
        { sku: skuId, at },
      );
      return Number(rows[0].units);
    };
    const february = await figuresOf(skuId, '2025-02-01', '2025-02-28');
    expect(february.opening).toBe(await onHandAt('2025-02-01T00:00:00+08:00'));
    expect(february.closing).toBe(await onHandAt('2025-03-01T00:00:00+08:00'));
  });

  it('pages by SKU id, newest first, every SKU once; filters by product, SKU ids and keyword', async () => {
    const title = uniqueToken('invpage');
    const product = await createProduct(url, { title, categoryId: tree.leafA, skus: [0, 1, 2, 3, 4].map((n) => ({ name: `p${n}`, price: 100, stock: n })) });
    const ids = product.skus.map((sku) => sku.id).sort((a, b) => Number(b) - Number(a));
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const { stockStatistics }: any = ok(await statistics({ from: '2025-01-01', to: '2025-12-31', filter: { productId: product.id }, first: 2, after }));
      expect(stockStatistics).toMatchObject({ storeCode: 'ONLINE', from: '2025-01-01', to: '2025-12-31' });
      seen.push(...stockStatistics.edges.map((edge: any) => edge.node.sku.id));
      if (!stockStatistics.pageInfo.hasNextPage) break;
      after = stockStatistics.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
    const byKeyword = ok(await statistics({ from: '2025-01-01', to: '2025-01-01', filter: { keyword: title.slice(2) }, first: 100 }));
    expect(byKeyword.stockStatistics.edges.map((edge: any) => edge.node.sku.id)).toEqual(ids);
    const byIds = ok(await statistics({ from: '2025-01-01', to: '2025-01-01', filter: { skuIds: [ids[4], ids[0]] } }));
    expect(byIds.stockStatistics.edges.map((edge: any) => edge.node.sku.id)).toEqual([ids[0], ids[4]]);
    // A keyword with LIKE's wildcards matches them literally.
    const wildcard = ok(await statistics({ from: '2025-01-01', to: '2025-01-01', filter: { keyword: `${title}%` } }));
    expect(wildcard.stockStatistics.edges).toEqual([]);
  });

  it('costs the same few statements for a page of 1 SKU as for a page of 40', async () => {
    const product = await createProduct(url, { title: uniqueToken('invcost'), categoryId: tree.leafA, skus: Array.from({ length: 40 }, (_, n) => ({ name: `c${n}`, price: 100, stock: n })) });
    const statementsOf = async (first: number) => {
      const counter = countStatements(db);
      try {
        const { stockStatistics } = ok(await statistics({ from: '2025-01-01', to: '2025-12-31', filter: { productId: product.id }, first }));
        expect(stockStatistics.edges).toHaveLength(first);
        return counter.count;
      } finally {
        counter.stop();
      }
    };
    const one = await statementsOf(1);
    expect(await statementsOf(40)).toBe(one);
    // The figures, and the page's SKUs for `sku` (one batch; none when the catalog cache already holds them).
    expect(one).toBeLessThanOrEqual(2);
  });

  it('takes a period of at most 366 days of valid dates, a known cursor and page size (BAD_USER_INPUT otherwise)', async () => {
    ok(await statistics({ from: '2025-01-01', to: '2026-01-01', filter: { skuIds: [skuId] } }));
    const refusals: [Record<string, unknown>, string][] = [
      [{ from: '2025-01-01', to: '2026-01-02' }, 'to'],
      [{ from: '2025-02-01', to: '2025-01-31' }, 'to'],
      [{ from: '2025-02-30', to: '2025-03-01' }, 'from'],
      [{ from: '2025-01-01', to: '20250131' }, 'to'],
      [{ from: '2025-01-01', to: '2025-01-31', first: 0 }, 'first'],
      [{ from: '2025-01-01', to: '2025-01-31', first: 101 }, 'first'],
      [{ from: '2025-01-01', to: '2025-01-31', after: 'bm90LWEtY3Vyc29y' }, 'after'],
      [{ from: '2025-01-01', to: '2025-01-31', filter: { productId: 'x' } }, 'productId'],
      [{ from: '2025-01-01', to: '2025-01-31', filter: { skuIds: ['1', 'y'] } }, 'skuIds'],
      [{ from: '2025-01-01', to: '2025-01-31', filter: { keyword: 'k'.repeat(65) } }, 'keyword'],
    ];
    for (const [variables, field] of refusals) {
      const response = await statistics(variables);
      expect([codes(response), response.errors![0].extensions!.field]).toEqual([['BAD_USER_INPUT'], field]);
    }
  });

  it('is staff-only: catalog:write (FORBIDDEN for shoppers and other staff scopes; no user: UNAUTHENTICATED)', async () => {
    for (const headers of [shopper(), asIdentity({ userId: '9', scopes: ['promote:write', 'store:admin'] }, 'product')]) {
      const response = await statistics({ from: '2025-01-01', to: '2025-01-31' }, headers);
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(response.data).toBeNull();
    }
    for (const headers of [{}, order()]) {
      expect(codes(await statistics({ from: '2025-01-01', to: '2025-01-31' }, headers))).toEqual(['UNAUTHENTICATED']);
    }
  });
});
