/**
 * The cart through the router: SKU fields resolved by federation, validity as the catalog changes,
 * clearing invalid lines, and the price check with the shipping rule and the shopper's best coupon.
 */
import type { RunningSupergraph } from '../app/launcher';
import {
  catalogSkuIds,
  createTestProduct,
  deleteSku,
  giveCoupon,
  ok,
  setOnShelf,
  setSku,
  shopper,
  viaRouter,
  type Endpoints,
} from '../subgraphs/cart/test/fixtures';
import { codes, gql, startSupergraph, testConfig } from './support/harness';

let supergraph: RunningSupergraph;
let endpoints: Endpoints;
const { feeFen, freeThresholdFen } = testConfig().shipping;

beforeAll(async () => {
  supergraph = await startSupergraph();
  endpoints = viaRouter(supergraph.routerUrl!);
});
afterAll(async () => {
  await supergraph?.stop();
});

it('needs a signed-in shopper', async () => {
  expect(codes(await gql(supergraph.routerUrl!, '{ cart { id } }'))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await gql(supergraph.routerUrl!, 'mutation { clearInvalidCartItems { id } }'))).toEqual(['UNAUTHENTICATED']);
});

it('shows each line with its SKU and product from the product subgraph', async () => {
  const me = shopper(endpoints);
  const [skuId] = await catalogSkuIds(endpoints, 1);
  ok(await me.add(skuId, 2));
  const data = ok(
    await me.call(`{ cart { items { quantity sku { id name price stock available product { id title onShelf } } } } }`),
  );
  const [item] = data.cart.items;
  expect(item.quantity).toBe(2);
  expect(item.sku).toMatchObject({ id: skuId, available: true, product: { onShelf: true } });
  expect(typeof item.sku.price).toBe('number');
  expect(item.sku.product.title).toEqual(expect.any(String));
});

it('marks lines invalid when the SKU goes off shelf, sells out or is deleted, and clears exactly those', async () => {
  const me = shopper(endpoints);
  const shelf = await createTestProduct(endpoints, [{ price: 1000, stock: 10 }]);
  const stock = await createTestProduct(endpoints, [{ price: 1000, stock: 10 }, { price: 2000, stock: 10 }, { price: 3000, stock: 10 }]);
  const [offShelfSku] = shelf.skuIds;
  const [soldOutSku, deletedSku, keptSku] = stock.skuIds;
  for (const skuId of [offShelfSku, soldOutSku, deletedSku]) ok(await me.add(skuId, 1));
  ok(await me.add(keptSku, 8));

  await setOnShelf(endpoints, shelf.productId, false);
  await setSku(endpoints, soldOutSku, { stock: 0 });
  await deleteSku(endpoints, deletedSku);
  await setSku(endpoints, keptSku, { stock: 3 });

  const cart = ok(await me.cart()).cart;
  const bySku = new Map(cart.items.map((item) => [item.sku.id, item]));
  expect(bySku.get(offShelfSku)).toMatchObject({ valid: false, invalidReason: 'OFF_SHELF' });
  expect(bySku.get(soldOutSku)).toMatchObject({ valid: false, invalidReason: 'OUT_OF_STOCK' });
  expect(bySku.get(deletedSku)).toMatchObject({ valid: false, invalidReason: 'UNAVAILABLE' });
  // Asking for more than is left keeps the line (the shopper lowers the quantity) but flags it.
  expect(bySku.get(keptSku)).toMatchObject({ valid: true, invalidReason: null, exceedsStock: true, quantity: 8 });
  expect(cart.totalQuantity).toBe(11);
  expect(cart.selectedQuantity).toBe(8);

  // Invalid SKUs cannot be added or raised any more.
  expect(codes(await me.add(offShelfSku, 1))).toEqual(['CONFLICT']);
  expect(codes(await me.add(soldOutSku, 1))).toEqual(['CONFLICT']);
  expect(codes(await me.add(deletedSku, 1))).toEqual(['CONFLICT']);
  // Lowering towards the stock left is fine.
  const lowered = ok(await me.update(bySku.get(keptSku)!.id, { quantity: 3 })).updateCartItem;
  expect(lowered.items.find((item) => item.sku.id === keptSku)).toMatchObject({ quantity: 3, exceedsStock: false });

  const cleared = ok(await me.clearInvalid()).clearInvalidCartItems;
  expect(cleared.items.map((item) => item.sku.id)).toEqual([keptSku]);
  expect(ok(await me.clearInvalid()).clearInvalidCartItems.items).toHaveLength(1);
});

describe('price', () => {
  it('is zero for an empty cart', async () => {
    const me = shopper(endpoints);
    expect(ok(await me.price()).cart.price).toEqual({ subtotal: 0, discount: 0, shippingFee: 0, total: 0, bestCoupon: null });
  });

  it('counts the selected valid lines at current prices, with the shipping fee below the threshold', async () => {
    const me = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: 1200, stock: 50 }, { price: 700, stock: 50 }, { price: 900, stock: 50 }]);
    ok(await me.add(skuIds[0], 2));
    const second = ok(await me.add(skuIds[1], 1)).addToCart.items.find((item) => item.sku.id === skuIds[1])!;
    ok(await me.add(skuIds[2], 1));
    ok(await me.update(second.id, { selected: false }));
    await setSku(endpoints, skuIds[2], { stock: 0 });
    // 2 × 1200; the unselected and the sold-out lines do not count.
    expect(ok(await me.price()).cart.price).toEqual({
      subtotal: 2400,
      discount: 0,
      shippingFee: feeFen,
      total: 2400 + feeFen,
      bestCoupon: null,
    });
    // The server's current price, never a stored one.
    await setSku(endpoints, skuIds[0], { price: 1500 });
    expect(ok(await me.price()).cart.price.subtotal).toBe(3000);
  });

  it('ships free from the threshold on', async () => {
    const me = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: freeThresholdFen, stock: 5 }, { price: freeThresholdFen - 1, stock: 5 }]);
    const line = ok(await me.add(skuIds[0], 1)).addToCart.items[0];
    expect(ok(await me.price()).cart.price).toMatchObject({ subtotal: freeThresholdFen, shippingFee: 0, total: freeThresholdFen });
    ok(await me.remove([line.id]));
    ok(await me.add(skuIds[1], 1));
    expect(ok(await me.price()).cart.price).toMatchObject({ shippingFee: feeFen, total: freeThresholdFen - 1 + feeFen });
  });

  it('takes off the best cash coupon the shopper holds once its minimum spend is reached', async () => {
    const me = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: 3000, stock: 50 }]);
    const small = await giveCoupon(endpoints, me.userId, { type: 'CASH', amount: 300, minSpend: 5000 });
    const large = await giveCoupon(endpoints, me.userId, { type: 'CASH', amount: 800, minSpend: 8000 });

    const line = ok(await me.add(skuIds[0], 1)).addToCart.items[0];
    expect(ok(await me.price()).cart.price).toEqual({ subtotal: 3000, discount: 0, shippingFee: feeFen, total: 3000 + feeFen, bestCoupon: null });

    ok(await me.update(line.id, { quantity: 2 }));
    expect(ok(await me.price()).cart.price).toEqual({
      subtotal: 6000,
      discount: 300,
      shippingFee: feeFen,
      total: 6000 - 300 + feeFen,
      bestCoupon: { id: small },
    });

    ok(await me.update(line.id, { quantity: 3 }));
    const threshold = 9000 >= freeThresholdFen ? 0 : feeFen;
    expect(ok(await me.price()).cart.price).toEqual({
      subtotal: 9000,
      discount: 800,
      shippingFee: threshold,
      total: 9000 - 800 + threshold,
      bestCoupon: { id: large },
    });
  });

  it('waives the shipping fee with a free-shipping coupon', async () => {
    const me = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: 2500, stock: 50 }]);
    const coupon = await giveCoupon(endpoints, me.userId, { type: 'FREE_SHIPPING', amount: 0, minSpend: 0 });
    ok(await me.add(skuIds[0], 1));
    const data = ok(await me.call('{ cart { price { subtotal discount shippingFee total bestCoupon { id name type } } } }'));
    expect(data.cart.price).toEqual({
      subtotal: 2500,
      discount: 0,
      shippingFee: 0,
      total: 2500,
      bestCoupon: { id: coupon, name: expect.any(String), type: 'FREE_SHIPPING' },
    });
  });
});
