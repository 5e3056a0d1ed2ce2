/**
 * Switching a cart line to another SKU of the same product, on the cart subgraph (with product and promote):
 * moving, merging with the line of that SKU, the caps, refusals that change nothing, and concurrent switches.
 */
import type { RunningSupergraph } from '../../../app/launcher';
import { codes, gql, startSupergraph } from '../../../test/support/harness';
import { CART_FIELDS, createTestProduct, ok, setSku, shopper, viaSubgraphs, type CartView, type Endpoints, type Shopper } from './fixtures';

let supergraph: RunningSupergraph;
let endpoints: Endpoints;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['cart', 'product', 'promote'], router: false });
  endpoints = viaSubgraphs(supergraph);
});
afterAll(async () => {
  await supergraph?.stop();
});

const SWITCH = `mutation($id: ID!, $skuId: ID!) { switchCartItemSku(id: $id, skuId: $skuId) { ${CART_FIELDS} } }`;
const switchSku = (me: Shopper, id: string, skuId: string) => me.call<{ switchCartItemSku: CartView }>(SWITCH, { id, skuId });
const lineOf = async (me: Shopper, skuId: string) => ok(await me.cart()).cart.items.find((item) => item.sku.id === skuId);
const summary = async (me: Shopper) => ok(await me.cart()).cart.items.map((item) => [item.sku.id, item.quantity, item.selected]);

it('is UNAUTHENTICATED without a signed-in user', async () => {
  expect(codes(await gql(endpoints.cart, SWITCH, { id: '1', skuId: '1' }, endpoints.headersFor(undefined)))).toEqual(['UNAUTHENTICATED']);
});

it('moves the line to the other SKU, keeping its id, position and selection', async () => {
  const { skuIds } = await createTestProduct(endpoints, [{ price: 1000, stock: 50 }, { price: 1500, stock: 50 }]);
  const other = await createTestProduct(endpoints, [{ price: 700, stock: 50 }]);
  const me = shopper(endpoints);
  ok(await me.add(skuIds[0], 3));
  ok(await me.add(other.skuIds[0], 1));
  const line = (await lineOf(me, skuIds[0]))!;
  ok(await me.update(line.id, { selected: false }));
  const cart = ok(await switchSku(me, line.id, skuIds[1])).switchCartItemSku;
  expect(cart.items.map((item) => [item.id, item.sku.id, item.quantity, item.selected])).toEqual([
    [(await lineOf(me, other.skuIds[0]))!.id, other.skuIds[0], 1, true],
    [line.id, skuIds[1], 3, false],
  ]);
  // The same SKU again: nothing changes.
  ok(await switchSku(me, line.id, skuIds[1]));
  expect(await summary(me)).toEqual([[other.skuIds[0], 1, true], [skuIds[1], 3, false]]);
});

it('merges into the line of that SKU: quantities add up, selected when either was, the switched line goes', async () => {
  const { skuIds } = await createTestProduct(endpoints, [{ price: 1000, stock: 50 }, { price: 1500, stock: 50 }]);
  const me = shopper(endpoints);
  ok(await me.add(skuIds[1], 4));
  ok(await me.add(skuIds[0], 2));
  const target = (await lineOf(me, skuIds[1]))!;
  ok(await me.update(target.id, { selected: false }));
  const source = (await lineOf(me, skuIds[0]))!;
  const cart = ok(await switchSku(me, source.id, skuIds[1])).switchCartItemSku;
  expect(cart.items).toEqual([expect.objectContaining({ id: target.id, sku: { id: skuIds[1] }, quantity: 6, selected: true })]);
  expect(cart.totalQuantity).toBe(6);
  // The switched line is gone.
  expect(codes(await switchSku(me, source.id, skuIds[0]))).toEqual(['NOT_FOUND']);
});

it('caps the quantity at the new SKU’s stock and at 999', async () => {
  const { skuIds } = await createTestProduct(endpoints, [{ price: 10, stock: 5000 }, { price: 10, stock: 7 }, { price: 10, stock: 5000 }]);
  const me = shopper(endpoints);
  ok(await me.add(skuIds[0], 10));
  const line = (await lineOf(me, skuIds[0]))!;
  expect(ok(await switchSku(me, line.id, skuIds[1])).switchCartItemSku.items[0]).toMatchObject({ id: line.id, quantity: 7 });
  ok(await me.add(skuIds[2], 999));
  ok(await me.add(skuIds[0], 600));
  const big = (await lineOf(me, skuIds[0]))!;
  const merged = ok(await switchSku(me, big.id, skuIds[2])).switchCartItemSku;
  expect(merged.items.find((item) => item.sku.id === skuIds[2])!.quantity).toBe(999);
  expect(merged.items.map((item) => item.sku.id).sort()).toEqual([skuIds[1], skuIds[2]].sort());
});

it('refuses another product, unknown or unbuyable SKUs and other shoppers’ lines, changing nothing', async () => {
  const { skuIds } = await createTestProduct(endpoints, [{ price: 1000, stock: 50 }, { price: 1000, stock: 50 }]);
  const other = await createTestProduct(endpoints, [{ price: 1000, stock: 50 }]);
  const me = shopper(endpoints);
  ok(await me.add(skuIds[0], 2));
  const line = (await lineOf(me, skuIds[0]))!;
  const before = await summary(me);
  expect(codes(await switchSku(me, line.id, other.skuIds[0]))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await switchSku(me, line.id, '999999999999'))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await switchSku(me, line.id, 'x'))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await switchSku(me, '999999999999', skuIds[1]))).toEqual(['NOT_FOUND']);
  expect(codes(await switchSku(shopper(endpoints), line.id, skuIds[1]))).toEqual(['NOT_FOUND']);
  await setSku(endpoints, skuIds[1], { stock: 0 });
  expect(codes(await switchSku(me, line.id, skuIds[1]))).toEqual(['CONFLICT']);
  expect(await summary(me)).toEqual(before);
});

it('never loses or duplicates a line when switches run at once', async () => {
  const { skuIds } = await createTestProduct(endpoints, [
    { price: 100, stock: 500 },
    { price: 100, stock: 500 },
    { price: 100, stock: 500 },
  ]);
  for (let round = 0; round < 3; round++) {
    const me = shopper(endpoints);
    ok(await me.add(skuIds[0], 2));
    ok(await me.add(skuIds[1], 3));
    const a = (await lineOf(me, skuIds[0]))!;
    const b = (await lineOf(me, skuIds[1]))!;
    // Crossed switches, a third SKU and an add, all at once.
    const results = await Promise.all([
      switchSku(me, a.id, skuIds[1]),
      switchSku(me, b.id, skuIds[0]),
      switchSku(me, a.id, skuIds[2]),
      me.add(skuIds[2], 1),
    ]);
    for (const result of results) expect(codes(result).filter((code) => code !== 'NOT_FOUND')).toEqual([]);
    const cart = ok(await me.cart()).cart;
    expect(cart.totalQuantity).toBe(6);
    const skus = cart.items.map((item) => item.sku.id);
    expect(new Set(skus).size).toBe(skus.length);
  }
});
