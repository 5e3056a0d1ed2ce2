/**
 * Checkout (previewOrder, createOrder) against the real user, product, cart, promote and order subgraphs: the saga's
 * happy path with snapshots, preview = cart price = order, idempotency (also concurrent), compensation (nothing
 * stays held), cancel / pay moving the holds, the flash sale and the coupon race, and the stock invariant.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { asIdentity, codes, gql, startSupergraph } from '../../../test/support/harness';
import { findStockViolations } from '../../product/data/stock';
import { countHttpRequests, createTestProduct, giveCoupon, ok, shopper, viaSubgraphs, type Endpoints } from '../../cart/test/fixtures';
import {
  checkoutClient,
  couponStatus,
  dbOf,
  eventually,
  newBuyer,
  reservationStatus,
  skuCounts,
  type Buyer,
} from './checkout-fixtures';

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

describe('happy path', () => {
  it('preview = cart price = created order for the same cart lines and coupon; snapshots; cart lines removed', async () => {
    const buyer = await newBuyer(userUrl);
    const cart = shopper(endpoints, buyer.userId);
    const { skuIds, productId } = await productWith([{ price: 1990, stock: 10 }, { price: 4500, stock: 10 }, { price: 700, stock: 10 }]);
    const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 800, minSpend: 5000 });
    ok(await cart.add(skuIds[0], 2));
    ok(await cart.add(skuIds[1], 1));
    const kept = ok(await cart.add(skuIds[2], 1)).addToCart.items.find((line) => line.sku.id === skuIds[2])!;
    ok(await cart.update(kept.id, { selected: false }));
    const lines = ok(await cart.cart()).cart.items.filter((line) => line.selected);
    const price = ok(await cart.price()).cart.price;

    const input = { cartItemIds: lines.map((line) => line.id), couponId, addressId: buyer.addressId };
    const preview = ok(await client.preview(buyer.userId, input)).previewOrder;
    expect(preview).toMatchObject({ subtotal: price.subtotal, discount: price.discount, shippingFee: price.shippingFee, total: price.total });
    expect(preview.coupon).toEqual({ coupon: { id: couponId }, discount: 800, shippingWaived: false });
    expect(price.bestCoupon).toEqual({ id: couponId });
    expect(preview.items).toEqual([
      { sku: { id: skuIds[0] }, product: { id: productId }, title: expect.any(String), skuName: 'v0', image: null, unitPrice: 1990, quantity: 2, lineTotal: 3980 },
      { sku: { id: skuIds[1] }, product: { id: productId }, title: expect.any(String), skuName: 'v1', image: null, unitPrice: 4500, quantity: 1, lineTotal: 4500 },
    ]);
    expect(preview.address).toEqual({ contactName: '李四', city: '深圳市', detail: '科技园 1 号' });

    const order = ok(await client.create(buyer.userId, input, key())).createOrder;
    expect(order).toMatchObject({ status: 'PENDING_PAYMENT', subtotal: preview.subtotal, discount: 800, shippingFee: preview.shippingFee, total: preview.total });
    expect(order.items.map((item: any) => [item.sku.id, item.unitPrice, item.quantity])).toEqual([
      [skuIds[0], 1990, 2],
      [skuIds[1], 4500, 1],
    ]);
    expect(order.shippingAddress).toEqual({ contactName: '李四', city: '深圳市', detail: '科技园 1 号' });
    expect(new Date(order.expiresAt).getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 8, reserved: 2, sold: 0 });
    expect(await reservationStatus(product, order.id)).toBe('RESERVED');
    expect(await couponStatus(promote, couponId)).toBe('LOCKED');
    // The cart lines bought are gone when createOrder answers (job order.removeCartLines, run right away).
    expect(ok(await cart.cart()).cart.items.map((line) => line.id)).toEqual([kept.id]);
    // The auto-cancel job waits at expiresAt; the recovery job is cancelled; the cart job is done.
    const jobs = await orders('jobs').where({ key: order.id }).orderBy('kind');
    expect(jobs.map((job) => [job.kind, !!job.cancelled_at, !!job.done_at])).toEqual([
      ['order.autoCancel', false, false],
      ['order.recoverSaga', true, false],
      ['order.removeCartLines', false, true],
    ]);
    const outbox = await orders('outbox').where({ aggregate_id: order.id, type: 'OrderPlaced' });
    expect(outbox.map((row) => row.payload)).toEqual([{ orderId: order.id, userId: buyer.userId, cartItemIds: [...input.cartItemIds].sort((a, b) => Number(a) - Number(b)), total: order.total }]);
  });

  it('direct items: merged per SKU, best coupon applied when none is chosen; cancel releases stock and coupon', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 3000, stock: 5 }]);
    const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 500, minSpend: 1000 });
    const order = ok(
      await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }, { skuId: skuIds[0], quantity: 2 }], addressId: buyer.addressId }, key()),
    ).createOrder;
    expect(order).toMatchObject({ subtotal: 9000, discount: 500, items: [{ quantity: 3 }] });
    expect(await couponStatus(promote, couponId)).toBe('LOCKED');
    expect(ok(await client.cancel(buyer.userId, order.id))).toEqual({ cancelOrder: { id: order.id, status: 'CANCELLED' } });
    // Durable jobs run at once; another instance (another test worker) holding one makes it land moments later.
    expect(await eventually(() => skuCounts(product, skuIds[0]), (counts) => counts.reserved === 0)).toEqual({ stock: 5, reserved: 0, sold: 0 });
    expect(await reservationStatus(product, order.id)).toBe('RELEASED');
    expect(await eventually(() => couponStatus(promote, couponId), (status) => status === 'AVAILABLE')).toBe('AVAILABLE');
  });

  it('paid: the reservation becomes sold and the coupon used; the payment timeout is cancelled', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 3000, stock: 5 }]);
    const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 500, minSpend: 1000 });
    const order = ok(await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 2 }], couponId, addressId: buyer.addressId }, key())).createOrder;
    expect(ok(await client.pay(order.id, order.total)).markOrderPaid.status).toBe('PAID');
    expect(await eventually(() => skuCounts(product, skuIds[0]), (counts) => counts.sold === 2)).toEqual({ stock: 3, reserved: 0, sold: 2 });
    expect(await eventually(() => couponStatus(promote, couponId), (status) => status === 'USED')).toBe('USED');
    expect((await orders('jobs').where({ kind: 'order.autoCancel', key: order.id }).first()).cancelled_at).not.toBeNull();
  });
});

describe('cart removal', () => {
  it("cart's removeOrderedCartItems is for the order service only", async () => {
    const buyer = await newBuyer(userUrl);
    const query = 'mutation { removeOrderedCartItems(userId: "1", orderId: "1", ids: ["1"]) }';
    for (const identity of [{ userId: buyer.userId }, { service: 'product' as const }]) {
      expect(codes(await gql(endpoints.cart, query, {}, asIdentity(identity, 'cart')))).toEqual(['FORBIDDEN']);
    }
    expect(ok(await gql(endpoints.cart, query, {}, asIdentity({ service: 'order' }, 'cart')))).toEqual({ removeOrderedCartItems: 0 });
  });
});

describe('batching', () => {
  it('1 or 40 lines cost the same calls: preview 1 product + 1 promote; create 3 + 3 (summary, reserve / lock, confirm)', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith(Array.from({ length: 40 }, () => ({ price: 100, stock: 50 })));
    const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 100, minSpend: 100 });
    const calls = { product: countHttpRequests(endpoints.product), promote: countHttpRequests(endpoints.promote) };
    const cost = async (run: () => Promise<unknown>) => {
      calls.product.reset();
      calls.promote.reset();
      await run();
      return { product: calls.product.count, promote: calls.promote.count };
    };
    try {
      for (const lines of [skuIds.slice(0, 1), skuIds]) {
        const input = { items: lines.map((skuId) => ({ skuId, quantity: 1 })), addressId: buyer.addressId };
        expect(await cost(async () => ok(await client.preview(buyer.userId, input)))).toEqual({ product: 1, promote: 1 });
        let orderId = '';
        // create: summary + reserve + confirm; promote: quote + lock + confirm.
        expect(await cost(async () => (orderId = ok(await client.create(buyer.userId, input, key())).createOrder.id))).toEqual({ product: 3, promote: 3 });
        // Give the coupon back for the next round. The release is a durable job, which another order instance (another
        // test worker's) may run: its calls do not reach these counters, so the cancel is not counted.
        ok(await client.cancel(buyer.userId, orderId));
        await eventually(() => couponStatus(promote, couponId), (status) => status === 'AVAILABLE');
      }
    } finally {
      calls.product.stop();
      calls.promote.stop();
    }
  });
});

describe('idempotency', () => {
  it('the same key and input → the same order, also when sent 10 times at once; stock reserved once', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 1000, stock: 20 }]);
    const input = { items: [{ skuId: skuIds[0], quantity: 2 }], addressId: buyer.addressId };
    const k = key();
    const results = await Promise.all(Array.from({ length: 10 }, () => client.create(buyer.userId, input, k)));
    const ids = new Set(results.map((result) => ok(result).createOrder.id));
    expect(ids.size).toBe(1);
    expect(ok(await client.create(buyer.userId, input, k)).createOrder.id).toBe([...ids][0]);
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 18, reserved: 2, sold: 0 });
    expect(await orders('orders').where({ user_id: buyer.userId }).count('* as n').first()).toEqual({ n: expect.anything() });
    expect(Number((await orders('orders').where({ user_id: buyer.userId }).count('* as n').first())!.n)).toBe(1);
  });

  it('the same key with another input → CONFLICT, nothing new held', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 1000, stock: 20 }]);
    const k = key();
    ok(await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: buyer.addressId }, k));
    const again = await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 3 }], addressId: buyer.addressId }, k);
    expect(codes(again)).toEqual(['CONFLICT']);
    expect(again.errors![0].extensions!.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 19, reserved: 1, sold: 0 });
  });
});

describe('refusals and compensation', () => {
  let buyer: Buyer;
  beforeAll(async () => {
    buyer = await newBuyer(userUrl);
  });

  it('input rules: exactly one source, 1..99 lines, quantities 1..999, own address', async () => {
    const { skuIds } = await productWith([{ price: 1000, stock: 20 }]);
    const other = await newBuyer(userUrl);
    const cases = [
      { addressId: buyer.addressId },
      { items: [{ skuId: skuIds[0], quantity: 1 }], cartItemIds: ['1'], addressId: buyer.addressId },
      { items: [], addressId: buyer.addressId },
      { items: [{ skuId: skuIds[0], quantity: 0 }], addressId: buyer.addressId },
      { items: [{ skuId: skuIds[0], quantity: 600 }, { skuId: skuIds[0], quantity: 600 }], addressId: buyer.addressId },
      { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: other.addressId },
    ];
    for (const input of cases) {
      expect(codes(await client.create(buyer.userId, input, key()))).toEqual(['BAD_USER_INPUT']);
    }
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 20, reserved: 0, sold: 0 });
  });

  it('lines that cannot be bought and cart lines that are not selected → CONFLICT before anything is written', async () => {
    const { skuIds } = await productWith([{ price: 1000, stock: 2 }]);
    const before = Number((await orders('orders').where({ user_id: buyer.userId }).count('* as n').first())!.n);
    const short = await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 3 }], addressId: buyer.addressId }, key());
    expect(codes(short)).toEqual(['CONFLICT']);
    expect(short.errors![0].extensions).toMatchObject({ reason: 'LINES_UNAVAILABLE', skuIds: [skuIds[0]] });
    const unknown = await client.create(buyer.userId, { items: [{ skuId: '999999999', quantity: 1 }], addressId: buyer.addressId }, key());
    expect(unknown.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'LINES_UNAVAILABLE' });
    const notMine = await client.create(buyer.userId, { cartItemIds: ['999999999'], addressId: buyer.addressId }, key());
    expect(notMine.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'CART_CHANGED' });
    const coupon = await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }], couponId: '999999999', addressId: buyer.addressId }, key());
    expect(coupon.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'COUPON_NOT_APPLICABLE' });
    expect(Number((await orders('orders').where({ user_id: buyer.userId }).count('* as n').first())!.n)).toBe(before);
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 2, reserved: 0, sold: 0 });
  });

  it('a coupon held by another order of the shopper → CONFLICT, nothing more held; cancelling the holder frees it', async () => {
    const { skuIds } = await productWith([{ price: 2000, stock: 10 }]);
    const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 100, minSpend: 100 });
    // Another order (of this shopper) holds the coupon, as a concurrent checkout would.
    const holder = ok(await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }], couponId, addressId: buyer.addressId }, key())).createOrder;
    // The quote sees the coupon as LOCKED already: COUPON_NOT_APPLICABLE before anything is written.
    const k = key();
    const refused = await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 2 }], couponId, addressId: buyer.addressId }, k);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 9, reserved: 1, sold: 0 });
    expect(await couponStatus(promote, couponId)).toBe('LOCKED');
    ok(await client.cancel(buyer.userId, holder.id));
    expect(await couponStatus(promote, couponId)).toBe('AVAILABLE');
  });
});

describe('races', () => {
  it('flash sale: 200 concurrent orders (20 shoppers × 10) for one SKU with stock 50 → exactly 50 orders, stock 0', async () => {
    const { skuIds } = await productWith([{ price: 990, stock: 50 }]);
    const buyers = await Promise.all(Array.from({ length: 20 }, () => newBuyer(userUrl)));
    const results = await Promise.all(
      buyers.flatMap((buyer) =>
        Array.from({ length: 10 }, () => client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: buyer.addressId }, key())),
      ),
    );
    const won = results.filter((result) => result.data?.createOrder);
    const lost = results.filter((result) => !result.data?.createOrder);
    expect(won).toHaveLength(50);
    expect(lost.map((result) => codes(result)[0])).toEqual(Array(150).fill('CONFLICT'));
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 0, reserved: 50, sold: 0 });
    const placed = await orders('orders').whereIn('user_id', buyers.map((buyer) => buyer.userId)).where({ status: 'PENDING_PAYMENT' }).count('* as n').first();
    expect(Number(placed!.n)).toBe(50);
  }, 120_000);

  it('one coupon in 20 concurrent orders → used by exactly one; the others CONFLICT and hold nothing', async () => {
    const buyer = await newBuyer(userUrl);
    const { skuIds } = await productWith([{ price: 2000, stock: 100 }]);
    const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 300, minSpend: 300 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }], couponId, addressId: buyer.addressId }, key())),
    );
    const won = results.filter((result) => result.data?.createOrder);
    expect(won).toHaveLength(1);
    expect(results.filter((result) => !result.data).map((result) => codes(result)[0])).toEqual(Array(19).fill('CONFLICT'));
    expect(await couponStatus(promote, couponId)).toBe('LOCKED');
    expect((await promote('coupons').where({ id: couponId }).first()).order_id).toBe(won[0].data!.createOrder.id);
    // Losers that reserved before the coupon refused them have released: only the winner's unit is held.
    const counts = await eventually(() => skuCounts(product, skuIds[0]), (value) => value.reserved === 1);
    expect(counts).toEqual({ stock: 99, reserved: 1, sold: 0 });
    const failed = await orders('orders').where({ user_id: buyer.userId, saga_step: 'FAILED' });
    for (const order of failed) {
      expect(order).toMatchObject({ status: 'CANCELLED', deleted_at: expect.any(Date) });
      expect(await reservationStatus(product, order.id)).toBe('RELEASED');
    }
    // A failed checkout's key answers the failure again (a retry must use a new key).
    if (failed.length) {
      const replay = await client.create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 1 }], couponId, addressId: buyer.addressId }, failed[0].idempotency_key);
      expect(replay.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'CHECKOUT_FAILED' });
    }
  }, 60_000);
});

describe('finally', () => {
  it('keeps the stock invariant after all of the above', async () => {
    expect(await findStockViolations(product, skusTouched)).toEqual([]);
  });
});
