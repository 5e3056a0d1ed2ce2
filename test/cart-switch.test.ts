/** Switching a cart line's SKU through the router: the answer's SKU fields come from federation, merging included. */
import type { RunningSupergraph } from '../app/launcher';
import { createTestProduct, ok, shopper, viaRouter, type Endpoints } from '../subgraphs/cart/test/fixtures';
import { codes, gql, startSupergraph } from './support/harness';

let supergraph: RunningSupergraph;
let endpoints: Endpoints;

beforeAll(async () => {
  supergraph = await startSupergraph();
  endpoints = viaRouter(supergraph.routerUrl!);
});
afterAll(async () => {
  await supergraph?.stop();
});

const SWITCH = `mutation($id: ID!, $skuId: ID!) { switchCartItemSku(id: $id, skuId: $skuId) {
  totalQuantity items { id quantity selected sku { id name price product { id title } } } price { subtotal } } }`;

it('switches a line to another option of its product and merges with a line of that option', async () => {
  const { productId, skuIds } = await createTestProduct(endpoints, [{ price: 1000, stock: 20 }, { price: 1500, stock: 20 }, { price: 2500, stock: 20 }]);
  const me = shopper(endpoints);
  ok(await me.add(skuIds[2], 1));
  ok(await me.add(skuIds[0], 2));
  const [first] = ok(await me.cart()).cart.items;
  expect(first.sku.id).toBe(skuIds[0]);

  const moved = ok(await me.call(SWITCH, { id: first.id, skuId: skuIds[1] })).switchCartItemSku;
  expect(moved.items[0]).toMatchObject({ id: first.id, quantity: 2, sku: { id: skuIds[1], name: 'v1', price: 1500, product: { id: productId } } });
  expect(moved.price.subtotal).toBe(2 * 1500 + 2500);

  const merged = ok(await me.call(SWITCH, { id: first.id, skuId: skuIds[2] })).switchCartItemSku;
  expect(merged.items).toEqual([expect.objectContaining({ quantity: 3, sku: expect.objectContaining({ id: skuIds[2], name: 'v2', price: 2500 }) })]);
  expect(merged.totalQuantity).toBe(3);
  expect(merged.price.subtotal).toBe(3 * 2500);

  expect(codes(await gql(supergraph.routerUrl!, SWITCH, { id: first.id, skuId: skuIds[0] }))).toEqual(['UNAUTHENTICATED']);
});
