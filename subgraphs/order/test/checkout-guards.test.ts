/**
 * Issue 15 findings 6 and 8 against the real user, product, cart, promote and order subgraphs:
 * - anti-hoarding caps: at most MAX_UNPAID_ORDERS_PER_SHOPPER (5) unpaid orders and MAX_UNPAID_UNITS_PER_SKU (20)
 *   units of one SKU held unpaid per shopper; refused before anything is held, race-safe under concurrency, freed by
 *   paying or cancelling; a replay of the same key is never refused by the cap its own order fills;
 * - the price guard: expectedTotal different from the server's total → CONFLICT PRICE_CHANGED with the new numbers,
 *   nothing held;
 * - declining the best coupon: couponId left out = best coupon, explicit null = none; preview and createOrder agree,
 *   and the idempotency fingerprint tells them apart.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { codes, startSupergraph } from '../../../test/support/harness';
import { findStockViolations } from '../../product/data/stock';
import { createTestProduct, giveCoupon, ok, viaSubgraphs, type Endpoints } from '../../cart/test/fixtures';
import { checkoutClient, couponStatus, dbOf, newBuyer, skuCounts } from './checkout-fixtures';

let supergraph: RunningSupergraph;
let endpoints: Endpoints;
let client: ReturnType<typeof checkoutClient>;
let product: Knex;
let promote: Knex;
let orders: Knex;
let userUrl: string;
const skusTouched: string[] = [];

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user', 'product', 'cart', 'promote', 'order'], router: false });
  endpoints = viaSubgraphs(supergraph);
  client = checkoutClient(supergraph.subgraphs.order!.url);
  product = dbOf(supergraph, 'product');
  promote = dbOf(supergraph, 'promote');
  orders = dbOf(supergraph, 'order');
  userUrl = supergraph.subgraphs.user!.url;
});
afterAll(async () => {
  await supergraph?.stop();
});

const key = () => crypto.randomUUID();
async function productWith(skus: { price: number; stock: number }[]) {
  const created = await createTestProduct(endpoints, skus);
  skusTouched.push(...created.skuIds);
  return created;
}
const orderCount = async (userId: string) => Number((await orders('orders').where({ user_id: userId }).count('* as n').first())!.n);
const reason = (response: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => response.errors?.[0]?.extensions?.reason;

describe('caps on unpaid orders', () => {
  it('the 6th unpaid order is CONFLICT TOO_MANY_UNPAID_ORDERS and holds nothing; cancelling or paying one frees a slot', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 1000, stock: 100 }]);
    const line = { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: buyer.addressId };
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push(ok(await client.create(buyer.userId, line, key())).createOrder);
    const before = await skuCounts(product, skuIds[0]);
    const sixth = await client.create(buyer.userId, line, key());
    expect(codes(sixth)).toEqual(['CONFLICT']);
    expect(sixth.errors![0].extensions).toMatchObject({ reason: 'TOO_MANY_UNPAID_ORDERS', limit: 5, unpaidOrders: 5 });
    expect(await skuCounts(product, skuIds[0])).toEqual(before);
    expect(await orderCount(buyer.userId)).toBe(5);

    ok(await client.cancel(buyer.userId, placed[0].id));
    ok(await client.create(buyer.userId, line, key()));
    expect(reason(await client.create(buyer.userId, line, key()))).toBe('TOO_MANY_UNPAID_ORDERS');
    ok(await client.pay(placed[1].id, placed[1].total));
    ok(await client.create(buyer.userId, line, key()));
  });

  it('12 concurrent checkouts of one shopper: exactly 5 placed, 7 refused by the cap, 5 units reserved', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 1000, stock: 100 }]);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: buyer.addressId }, key())),
    );
    expect(results.filter((result) => result.data?.createOrder)).toHaveLength(5);
    expect(results.filter((result) => !result.data).map(reason)).toEqual(Array(7).fill('TOO_MANY_UNPAID_ORDERS'));
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 95, reserved: 5, sold: 0 });
    expect(await orderCount(buyer.userId)).toBe(5);
  }, 60_000);

  it('a key sent 6 times at once by a shopper with 4 unpaid orders answers its one order every time, never the cap', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 1000, stock: 100 }]);
    const line = { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: buyer.addressId };
    for (let i = 0; i < 4; i++) ok(await client.create(buyer.userId, line, key()));
    const k = key();
    const results = await Promise.all(Array.from({ length: 6 }, () => client.create(buyer.userId, line, k)));
    expect(results.map((result) => result.errors)).toEqual(Array(6).fill(undefined));
    expect(new Set(results.map((result) => result.data!.createOrder.id)).size).toBe(1);
    expect(await orderCount(buyer.userId)).toBe(5);
  }, 60_000);
});

describe('cap on units of one SKU held unpaid', () => {
  it('across orders: 15 + 5 pass, 1 more is TOO_MANY_UNITS_HELD naming the SKU; other SKUs are not affected; nothing held', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 100, stock: 100 }, { price: 100, stock: 100 }]);
    const [a, b] = skuIds;
    ok(await client.create(buyer.userId, { items: [{ skuId: a, quantity: 15 }], addressId: buyer.addressId }, key()));
    ok(await client.create(buyer.userId, { items: [{ skuId: a, quantity: 5 }, { skuId: b, quantity: 3 }], addressId: buyer.addressId }, key()));
    const before = { a: await skuCounts(product, a), b: await skuCounts(product, b) };
    const over = await client.create(buyer.userId, { items: [{ skuId: a, quantity: 1 }, { skuId: b, quantity: 1 }], addressId: buyer.addressId }, key());
    expect(codes(over)).toEqual(['CONFLICT']);
    expect(over.errors![0].extensions).toMatchObject({ reason: 'TOO_MANY_UNITS_HELD', limit: 20, skuIds: [a], lines: [{ skuId: a, held: 20, requested: 1 }] });
    expect({ a: await skuCounts(product, a), b: await skuCounts(product, b) }).toEqual(before);
    ok(await client.create(buyer.userId, { items: [{ skuId: b, quantity: 17 }], addressId: buyer.addressId }, key()));
    // One order alone above the cap.
    const other = await newBuyer(userUrl);
    expect(reason(await client.create(other.userId, { items: [{ skuId: a, quantity: 21 }], addressId: other.addressId }, key()))).toBe('TOO_MANY_UNITS_HELD');
  });

  it('4 concurrent orders of 8 units (cap 20): exactly 2 placed, 16 units reserved', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 100, stock: 100 }]);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 8 }], addressId: buyer.addressId }, key())),
    );
    expect(results.filter((result) => result.data?.createOrder)).toHaveLength(2);
    expect(results.filter((result) => !result.data).map(reason)).toEqual(['TOO_MANY_UNITS_HELD', 'TOO_MANY_UNITS_HELD']);
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 84, reserved: 16, sold: 0 });
  }, 60_000);
});

describe('price guard', () => {
  it('a coupon that arrives between preview and order changes the total: PRICE_CHANGED with the new numbers, nothing held; confirmed again, placed', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 3000, stock: 10 }]);
    const input = { items: [{ skuId: skuIds[0], quantity: 2 }], addressId: buyer.addressId };
    const preview = ok(await client.preview(buyer.userId, input)).previewOrder;
    expect(preview).toMatchObject({ subtotal: 6000, discount: 0, shippingFee: 1000, total: 7000, coupon: null });
    const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 500, minSpend: 1000 });

    const k = key();
    const refused = await client.create(buyer.userId, { ...input, expectedTotal: preview.total }, k);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0].extensions).toEqual({
      code: 'CONFLICT',
      reason: 'PRICE_CHANGED',
      field: 'expectedTotal',
      expectedTotal: 7000,
      total: 6500,
      subtotal: 6000,
      discount: 500,
      shippingFee: 1000,
      couponId,
    });
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 10, reserved: 0, sold: 0 });
    expect(await couponStatus(promote, couponId)).toBe('AVAILABLE');
    expect(await orderCount(buyer.userId)).toBe(0);

    // The same key, now with the total shown: placed (the refused attempt used nothing up).
    const placed = ok(await client.create(buyer.userId, { ...input, expectedTotal: 6500 }, k)).createOrder;
    expect(placed).toMatchObject({ total: 6500, discount: 500 });
    // A replay of that key with another expected total is another request.
    expect(reason(await client.create(buyer.userId, { ...input, expectedTotal: 7000 }, k))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(ok(await client.create(buyer.userId, { ...input, expectedTotal: 6500 }, k)).createOrder.id).toBe(placed.id);
  });

  it('a negative expectedTotal is BAD_USER_INPUT', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 3000, stock: 10 }]);
    expect(codes(await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: buyer.addressId, expectedTotal: -1 }, key()))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('declining the best coupon', () => {
  it('couponId left out = the best coupon; explicit null = none; preview and createOrder agree; the fingerprints differ', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 2000, stock: 10 }]);
    const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 300, minSpend: 1000 });
    const base = { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: buyer.addressId };

    const best = ok(await client.preview(buyer.userId, base)).previewOrder;
    expect(best).toMatchObject({ discount: 300, total: 2700, coupon: { coupon: { id: couponId } } });
    const none = ok(await client.preview(buyer.userId, { ...base, couponId: null })).previewOrder;
    expect(none).toMatchObject({ discount: 0, total: 3000, coupon: null });

    const k = key();
    const declined = ok(await client.create(buyer.userId, { ...base, couponId: null, expectedTotal: none.total }, k)).createOrder;
    expect(declined).toMatchObject({ discount: 0, total: 3000 });
    expect((await orders('orders').where({ id: declined.id }).first()).coupon_id).toBeNull();
    expect(await couponStatus(promote, couponId)).toBe('AVAILABLE');
    // The same key with the coupon left out asks for the best coupon: another request.
    expect(reason(await client.create(buyer.userId, { ...base, expectedTotal: none.total }, k))).toBe('IDEMPOTENCY_KEY_REUSED');

    const withBest = ok(await client.create(buyer.userId, base, key())).createOrder;
    expect(withBest).toMatchObject({ discount: 300, total: 2700 });
    expect(await couponStatus(promote, couponId)).toBe('LOCKED');
  });
});

describe('finally', () => {
  it('keeps the stock invariant after all of the above', async () => {
    expect(await findStockViolations(product, skusTouched)).toEqual([]);
  });
});
