/**
 * Stock reservations on the product subgraph (internal operations for the order subgraph, signed service identity):
 * all or none, no overselling under concurrency, idempotency per order, release/commit exclusivity, staff stock
 * edits that keep reserved units, the ledger invariant, refusal of non-service callers and fixed statement counts.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { countStatements } from '../../../platform/db';
import { asIdentity, codes, gql, startSupergraph, type GraphQLResponse } from '../../../test/support/harness';
import { findStockViolations } from '../data/stock';
import { createProduct, seededTree, staff, uniqueToken, type SeededTree } from './helpers';

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

const RESERVATION = 'orderId status lines { skuId quantity }';
const RESERVE = `mutation($orderId: ID!, $lines: [StockLineInput!]!) { reserveStock(orderId: $orderId, lines: $lines) { ${RESERVATION} } }`;
const RELEASE = `mutation($orderId: ID!) { releaseStock(orderId: $orderId) { ${RESERVATION} } }`;
const COMMIT = `mutation($orderId: ID!) { commitStock(orderId: $orderId) { ${RESERVATION} } }`;
const UPDATE_SKU = 'mutation($id: ID!, $input: UpdateSkuInput!) { updateSku(id: $id, input: $input) { id stock } }';

const order = () => asIdentity({ service: 'order' }, 'product');
const newOrderId = () => String(crypto.randomInt(1, 2 ** 47));

type Line = { skuId: string; quantity: number };
const reserve = (orderId: string, lines: Line[], headers = order()) => gql(url, RESERVE, { orderId, lines }, headers);
const release = (orderId: string) => gql(url, RELEASE, { orderId }, order());
const commit = (orderId: string) => gql(url, COMMIT, { orderId }, order());

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

/** A fresh on-shelf product whose SKUs hold the given stock. */
async function skusWithStock(...stocks: number[]): Promise<string[]> {
  const product = await createProduct(url, {
    title: uniqueToken('stock'),
    categoryId: tree.leafA,
    skus: stocks.map((stock, n) => ({ name: `v${n}`, price: 1000 + n, stock })),
    onShelf: true,
  });
  return product.skus.map((sku) => sku.id);
}

async function counts(skuIds: string[]) {
  const rows = await db('skus').whereIn('id', skuIds).orderBy('id').select('id', 'stock', 'reserved', 'sold');
  return rows.map((row: { stock: number; reserved: number; sold: number }) => ({ stock: row.stock, reserved: row.reserved, sold: row.sold }));
}

describe('reserveStock', () => {
  it('reserves every line, merging repeated SKUs, and returns the lines in SKU id order', async () => {
    const [a, b] = await skusWithStock(5, 7);
    const orderId = newOrderId();
    const { reserveStock } = ok(await reserve(orderId, [{ skuId: b, quantity: 2 }, { skuId: a, quantity: 1 }, { skuId: b, quantity: 1 }]));
    expect(reserveStock).toEqual({ orderId, status: 'RESERVED', lines: [{ skuId: a, quantity: 1 }, { skuId: b, quantity: 3 }] });
    expect(await counts([a, b])).toEqual([{ stock: 4, reserved: 1, sold: 0 }, { stock: 4, reserved: 3, sold: 0 }]);
    expect(await findStockViolations(db, [a, b])).toEqual([]);
  });

  it('is all or none: one short line and nothing is reserved; CONFLICT names the short SKUs', async () => {
    const [a, b, c] = await skusWithStock(5, 1, 0);
    const orderId = newOrderId();
    const response = await reserve(orderId, [{ skuId: a, quantity: 2 }, { skuId: b, quantity: 2 }, { skuId: c, quantity: 1 }]);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(response.errors![0].extensions!.skuIds).toEqual([b, c]);
    expect(await counts([a, b, c])).toEqual([{ stock: 5, reserved: 0, sold: 0 }, { stock: 1, reserved: 0, sold: 0 }, { stock: 0, reserved: 0, sold: 0 }]);
    // No header is left behind: the same order id can reserve what is there afterwards.
    expect(await db('stock_reservations').where('order_id', orderId)).toEqual([]);
    ok(await reserve(orderId, [{ skuId: a, quantity: 2 }]));
  });

  it('refuses deleted SKUs and SKUs of off-shelf products as short (CONFLICT)', async () => {
    const [a, b] = await skusWithStock(5, 5);
    ok(await gql(url, 'mutation($id: ID!) { deleteSku(id: $id) { id } }', { id: b }, staff()));
    const response = await reserve(newOrderId(), [{ skuId: a, quantity: 1 }, { skuId: b, quantity: 1 }]);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(response.errors![0].extensions!.skuIds).toEqual([b]);
    const [offShelf] = await skusWithStock(5);
    const productId = (await db('skus').where('id', offShelf).first()).product_id;
    ok(await gql(url, 'mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: false) { id } }', { id: productId }, staff()));
    expect(codes(await reserve(newOrderId(), [{ skuId: offShelf, quantity: 1 }]))).toEqual(['CONFLICT']);
    expect(await counts([a, offShelf])).toEqual([{ stock: 5, reserved: 0, sold: 0 }, { stock: 5, reserved: 0, sold: 0 }]);
  });

  it('refuses bad input (BAD_USER_INPUT) and writes nothing', async () => {
    const [a] = await skusWithStock(5);
    for (const lines of [
      [],
      [{ skuId: a, quantity: 0 }],
      [{ skuId: a, quantity: 1000 }],
      [{ skuId: a, quantity: 600 }, { skuId: a, quantity: 400 }],
      [{ skuId: 'x', quantity: 1 }],
      [{ skuId: a, quantity: 1 }, { skuId: '999999999999', quantity: 1 }],
    ]) {
      const orderId = newOrderId();
      expect(codes(await reserve(orderId, lines))).toEqual(['BAD_USER_INPUT']);
      expect(await db('stock_reservations').where('order_id', orderId)).toEqual([]);
    }
    expect(await counts([a])).toEqual([{ stock: 5, reserved: 0, sold: 0 }]);
  });

  it('refuses callers that are not the order service (FORBIDDEN)', async () => {
    const [a] = await skusWithStock(5);
    const orderId = newOrderId();
    for (const headers of [asIdentity({}, 'product'), asIdentity({ userId: '5' }, 'product'), staff(), asIdentity({ service: 'cart' }, 'product')]) {
      expect(codes(await reserve(orderId, [{ skuId: a, quantity: 1 }], headers))).toEqual(['FORBIDDEN']);
    }
    ok(await reserve(orderId, [{ skuId: a, quantity: 1 }]));
    for (const operation of [RELEASE, COMMIT]) {
      expect(codes(await gql(url, operation, { orderId }, asIdentity({ userId: '5' }, 'product')))).toEqual(['FORBIDDEN']);
    }
    expect(await counts([a])).toEqual([{ stock: 4, reserved: 1, sold: 0 }]);
  });

  it('never oversells: 200 concurrent orders of 1 for a stock of 50 → exactly 50 succeed, the rest CONFLICT', async () => {
    const [sku] = await skusWithStock(50);
    const responses = await Promise.all(Array.from({ length: 200 }, () => reserve(newOrderId(), [{ skuId: sku, quantity: 1 }])));
    const won = responses.filter((r) => !r.errors);
    const lost = responses.filter((r) => r.errors);
    expect(won).toHaveLength(50);
    expect(lost.map((r) => codes(r)[0])).toEqual(Array(150).fill('CONFLICT'));
    expect(await counts([sku])).toEqual([{ stock: 0, reserved: 50, sold: 0 }]);
    expect(Number((await db('stock_reservations').whereRaw("lines @> ?::jsonb", [JSON.stringify([{ skuId: sku }])]).count({ n: '*' }))[0].n)).toBe(50);
    expect(await findStockViolations(db, [sku])).toEqual([]);
  });

  it('is idempotent per order: 10 concurrent reserves of one order reserve once', async () => {
    const [sku] = await skusWithStock(20);
    const orderId = newOrderId();
    const responses = await Promise.all(Array.from({ length: 10 }, () => reserve(orderId, [{ skuId: sku, quantity: 3 }])));
    for (const response of responses) {
      expect(ok(response).reserveStock).toEqual({ orderId, status: 'RESERVED', lines: [{ skuId: sku, quantity: 3 }] });
    }
    expect(await counts([sku])).toEqual([{ stock: 17, reserved: 3, sold: 0 }]);
    // The same order with different lines is a mistake of the caller.
    expect(codes(await reserve(orderId, [{ skuId: sku, quantity: 4 }]))).toEqual(['CONFLICT']);
    expect(await counts([sku])).toEqual([{ stock: 17, reserved: 3, sold: 0 }]);
  });
});

describe('releaseStock and commitStock', () => {
  it('release gives the units back once; null for an unknown order; CONFLICT after commit', async () => {
    const [a, b] = await skusWithStock(5, 5);
    const orderId = newOrderId();
    ok(await reserve(orderId, [{ skuId: a, quantity: 2 }, { skuId: b, quantity: 1 }]));
    expect(ok(await release(orderId)).releaseStock.status).toBe('RELEASED');
    expect(ok(await release(orderId)).releaseStock.status).toBe('RELEASED');
    expect(await counts([a, b])).toEqual([{ stock: 5, reserved: 0, sold: 0 }, { stock: 5, reserved: 0, sold: 0 }]);
    expect(codes(await commit(orderId))).toEqual(['CONFLICT']);
    expect(ok(await release(newOrderId())).releaseStock).toBeNull();
    // A released order id stays released: reserving it again is refused (HOLD_RELEASED), reserving nothing.
    expect((await reserve(orderId, [{ skuId: b, quantity: 1 }, { skuId: a, quantity: 2 }])).errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'HOLD_RELEASED' });
    expect(await counts([a, b])).toEqual([{ stock: 5, reserved: 0, sold: 0 }, { stock: 5, reserved: 0, sold: 0 }]);
  });

  it('commit sells the units once; NOT_FOUND for an unknown order; CONFLICT on release afterwards', async () => {
    const [a] = await skusWithStock(5);
    const orderId = newOrderId();
    ok(await reserve(orderId, [{ skuId: a, quantity: 2 }]));
    expect(ok(await commit(orderId)).commitStock.status).toBe('COMMITTED');
    expect(ok(await commit(orderId)).commitStock.status).toBe('COMMITTED');
    expect(await counts([a])).toEqual([{ stock: 3, reserved: 0, sold: 2 }]);
    expect(codes(await release(orderId))).toEqual(['CONFLICT']);
    expect(codes(await commit(newOrderId()))).toEqual(['NOT_FOUND']);
    expect(await counts([a])).toEqual([{ stock: 3, reserved: 0, sold: 2 }]);
  });

  it('concurrent releases and commits of one order: exactly one kind wins, units move once', async () => {
    const [a, b] = await skusWithStock(10, 10);
    const outcomes: string[] = [];
    for (let round = 0; round < 4; round++) {
      const orderId = newOrderId();
      ok(await reserve(orderId, [{ skuId: a, quantity: 1 }, { skuId: b, quantity: 2 }]));
      const calls = Array.from({ length: 10 }, (_, n) => (n % 2 ? release(orderId) : commit(orderId)));
      const responses = await Promise.all(calls);
      const final = (await db('stock_reservations').where('order_id', orderId).first()).status;
      outcomes.push(final);
      responses.forEach((response, n) => {
        const isRelease = n % 2 === 1;
        const wonKind = (final === 'RELEASED') === isRelease;
        if (wonKind) expect(response.errors).toBeUndefined();
        else expect(codes(response)).toEqual(['CONFLICT']);
      });
    }
    const released = outcomes.filter((s) => s === 'RELEASED').length;
    const committed = outcomes.length - released;
    expect(await counts([a, b])).toEqual([
      { stock: 10 - committed, reserved: 0, sold: committed },
      { stock: 10 - 2 * committed, reserved: 0, sold: 2 * committed },
    ]);
    expect(await findStockViolations(db, [a, b])).toEqual([]);
  });
});

describe('updateSku(stock) with reservations outstanding', () => {
  it('sets the available count, keeps reserved units, and records the change in the ledger', async () => {
    const [a] = await skusWithStock(10);
    const held = newOrderId();
    const sold = newOrderId();
    ok(await reserve(held, [{ skuId: a, quantity: 3 }]));
    ok(await reserve(sold, [{ skuId: a, quantity: 2 }]));
    ok(await commit(sold));
    expect(ok(await gql(url, UPDATE_SKU, { id: a, input: { stock: 20 } }, staff())).updateSku.stock).toBe(20);
    expect(await counts([a])).toEqual([{ stock: 20, reserved: 3, sold: 2 }]);
    ok(await gql(url, UPDATE_SKU, { id: a, input: { stock: 0 } }, staff()));
    expect(await counts([a])).toEqual([{ stock: 0, reserved: 3, sold: 2 }]);
    // The held units can still be released back to (or committed from) their own column.
    ok(await release(held));
    expect(await counts([a])).toEqual([{ stock: 3, reserved: 0, sold: 2 }]);
    const ledger = await db('stock_adjustments').where('sku_id', a).orderBy('id').select('delta', 'reason');
    expect(ledger).toEqual([
      { delta: 10, reason: 'INITIAL' },
      { delta: 15, reason: 'STAFF_SET' },
      { delta: -20, reason: 'STAFF_SET' },
    ]);
    expect(await findStockViolations(db, [a])).toEqual([]);
  });

  it('reports a SKU whose counts were changed behind the ledger', async () => {
    const [a] = await skusWithStock(4);
    await db('skus').where('id', a).update({ stock: 5 });
    expect(await findStockViolations(db, [a])).toEqual([expect.objectContaining({ sku_id: a, stock: 5, ledger: 4 })]);
    await db('skus').where('id', a).update({ stock: 4 });
  });

  it('holds for every SKU this file touched, with staff edits racing reservations', async () => {
    const [a, b] = await skusWithStock(30, 30);
    const work: Promise<unknown>[] = [];
    for (let n = 0; n < 20; n++) {
      const orderId = newOrderId();
      work.push(
        reserve(orderId, [{ skuId: a, quantity: 1 }, { skuId: b, quantity: 1 }]).then((r) =>
          r.errors ? undefined : n % 3 === 0 ? release(orderId) : n % 3 === 1 ? commit(orderId) : undefined,
        ),
      );
      if (n % 5 === 0) work.push(gql(url, UPDATE_SKU, { id: n % 2 ? a : b, input: { stock: 25 } }, staff()));
    }
    await Promise.all(work);
    const rows = await db('skus').whereIn('id', [a, b]).select('stock', 'reserved', 'sold');
    for (const row of rows) expect(row.stock).toBeGreaterThanOrEqual(0);
    expect(await findStockViolations(db, [a, b])).toEqual([]);
  });
});

describe('statement counts', () => {
  async function statementsOf(operation: () => Promise<unknown>): Promise<number> {
    const counter = countStatements(db);
    try {
      await operation();
      return counter.count;
    } finally {
      counter.stop();
    }
  }

  it('reserve, release and commit cost the same for 1 line as for 50', async () => {
    const one = await skusWithStock(5);
    const many = [...(await skusWithStock(...Array(25).fill(5))), ...(await skusWithStock(...Array(25).fill(5)))];
    const lines = (ids: string[]) => ids.map((skuId) => ({ skuId, quantity: 1 }));
    const [small, large] = [newOrderId(), newOrderId()];
    const reserveSmall = await statementsOf(async () => ok(await reserve(small, lines(one))));
    const reserveLarge = await statementsOf(async () => ok(await reserve(large, lines(many))));
    expect(reserveLarge).toBe(reserveSmall);
    // BEGIN, header, lock in id order, one conditional UPDATE, COMMIT.
    expect(reserveSmall).toBe(5);
    expect(await statementsOf(async () => ok(await release(large)))).toBe(await statementsOf(async () => ok(await release(small))));
    const [c1, c50] = [newOrderId(), newOrderId()];
    ok(await reserve(c1, lines(one)));
    ok(await reserve(c50, lines(many)));
    expect(await statementsOf(async () => ok(await commit(c50)))).toBe(await statementsOf(async () => ok(await commit(c1))));
    expect(await findStockViolations(db, [...one, ...many])).toEqual([]);
  });
});
