/**
 * The shared price summary against the real product and promote subgraphs, called the way checkout calls it (a
 * signed service client of the order subgraph): the cart's price is the summary of the same lines, a chosen coupon
 * is applied or refused, and 1 or 50 lines cost one product call and one promote call.
 */
import { createServiceClient, type ServiceClient } from '../platform/service-client';
import { priceSummary } from '../platform/price-summary-services';
import type { RunningSupergraph } from '../app/launcher';
import type { SubgraphName } from '../platform/config';
import {
  countHttpRequests,
  createTestProduct,
  giveCoupon,
  newShopperId,
  ok,
  setOnShelf,
  shopper,
  viaSubgraphs,
  type Endpoints,
} from '../subgraphs/cart/test/fixtures';
import { startSupergraph, testConfig } from './support/harness';

let supergraph: RunningSupergraph;
let endpoints: Endpoints;
let services: ServiceClient;
const config = testConfig();

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['product', 'cart', 'promote'], router: false });
  endpoints = viaSubgraphs(supergraph);
  services = createServiceClient(config, 'order', { urlOf: (name: SubgraphName) => supergraph.subgraphs[name]!.url });
});
afterAll(async () => {
  await services?.close();
  await supergraph?.stop();
});

it("equals the cart's price for the same lines: selected, valid, current prices, the best coupon", async () => {
  const me = shopper(endpoints);
  const product = await createTestProduct(endpoints, [
    { price: 1990, stock: 10 },
    { price: 4500, stock: 10 },
    { price: 700, stock: 10 },
  ]);
  const gone = await createTestProduct(endpoints, [{ price: 100, stock: 10 }]);
  await giveCoupon(endpoints, me.userId, { type: 'CASH', amount: 300, minSpend: 1000 });
  const best = await giveCoupon(endpoints, me.userId, { type: 'CASH', amount: 800, minSpend: 5000 });
  const [a, b, c] = product.skuIds;
  ok(await me.add(a, 2));
  ok(await me.add(b, 1));
  ok(await me.add(c, 3));
  ok(await me.add(gone.skuIds[0], 1));
  await setOnShelf(endpoints, gone.productId, false);
  const lines = ok(await me.cart()).cart.items;
  ok(await me.update(lines.find((line) => line.sku.id === c)!.id, { selected: false }));

  const { cart } = ok(await me.price());
  const summary = await priceSummary({ services, config }, me.userId, {
    lines: [
      { skuId: a, quantity: 2 },
      { skuId: b, quantity: 1 },
      { skuId: gone.skuIds[0], quantity: 1 },
    ],
  });
  expect(cart.price).toEqual({
    subtotal: summary.subtotal,
    discount: summary.discount,
    shippingFee: summary.shippingFee,
    total: summary.total,
    bestCoupon: { id: summary.coupon!.couponId },
  });
  expect(summary).toMatchObject({ subtotal: 2 * 1990 + 4500, discount: 800, shippingFee: 1000, coupon: { couponId: best, discount: 800, shippingWaived: false } });
  expect(summary.lines.map((line) => [line.skuId, line.valid, line.lineTotal])).toEqual([
    [a, true, 3980],
    [b, true, 4500],
    [gone.skuIds[0], false, 0],
  ]);
  expect(summary.lines[0]).toMatchObject({ productId: product.productId, skuName: 'v0', unitPrice: 1990, image: null, title: expect.any(String) });
});

it('applies a chosen coupon that applies, and refuses one that does not with CONFLICT', async () => {
  const userId = newShopperId();
  const { skuIds } = await createTestProduct(endpoints, [{ price: 3000, stock: 10 }]);
  const small = await giveCoupon(endpoints, userId, { type: 'CASH', amount: 200, minSpend: 1000 });
  await giveCoupon(endpoints, userId, { type: 'CASH', amount: 900, minSpend: 2000 });
  const unreachable = await giveCoupon(endpoints, userId, { type: 'CASH', amount: 5000, minSpend: 100000 });
  const lines = [{ skuId: skuIds[0], quantity: 1 }];

  expect((await priceSummary({ services, config }, userId, { lines })).discount).toBe(900);
  expect(await priceSummary({ services, config }, userId, { lines, couponId: small })).toMatchObject({ discount: 200, total: 3000 - 200 + 1000, coupon: { couponId: small } });
  for (const couponId of [unreachable, '123456789012', 'nonsense']) {
    await expect(priceSummary({ services, config }, userId, { lines, couponId })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', reason: 'COUPON_NOT_APPLICABLE', field: 'couponId' },
    });
  }
  // Someone else's coupon does not apply either.
  await expect(priceSummary({ services, config }, newShopperId(), { lines, couponId: small })).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
});

it('costs one product call and one promote call for 1 line as for 50', async () => {
  const userId = newShopperId();
  const product = await createTestProduct(endpoints, Array.from({ length: 50 }, (_, n) => ({ price: 100 + n, stock: 5 })));
  async function cost(count: number) {
    const product$ = countHttpRequests(supergraph.subgraphs.product!.url);
    const promote$ = countHttpRequests(supergraph.subgraphs.promote!.url);
    try {
      const summary = await priceSummary({ services, config }, userId, { lines: product.skuIds.slice(0, count).map((skuId) => ({ skuId, quantity: 1 })) });
      expect(summary.lines).toHaveLength(count);
      return { product: product$.count, promote: promote$.count };
    } finally {
      product$.stop();
      promote$.stop();
    }
  }
  expect(await cost(1)).toEqual({ product: 1, promote: 1 });
  expect(await cost(50)).toEqual({ product: 1, promote: 1 });
});
