/**
 * Member prices through the router (real PostgreSQL and Redis): staff set a SKU's member price (catalog:write,
 * validated, visible on the next public read despite the catalog cache, listed by `memberPriced`); a member's cart
 * price, preview and created order use it, a non-member's do not; a membership that ran out reverts to the normal
 * price while the order keeps the price it was created at; a 99-line cart costs one user call like a 1-line one.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../app/launcher';
import { countStatements } from '../platform/db';
import { countHttpRequests, createTestProduct, ok, shopper, viaRouter, type Endpoints } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT } from '../subgraphs/order/test/checkout-fixtures';
import { bearer, gql, startSupergraph, uniquePhone } from './support/harness';

let supergraph: RunningSupergraph;
let router: string;
let endpoints: Endpoints;
let staff: Record<string, string>;

beforeAll(async () => {
  supergraph = await startSupergraph({ router: true });
  router = supergraph.routerUrl!;
  endpoints = viaRouter(router);
  staff = endpoints.headersFor('999981', ['catalog:write']);
});
afterAll(async () => {
  await supergraph?.stop();
});

const SET = 'mutation($s: ID!, $p: Int) { setSkuMemberPrice(skuId: $s, memberPrice: $p) { id price memberPrice } }';
const SKU = 'query($s: ID!) { sku(id: $s) { id price memberPrice } }';
const MEMBER_LIST = 'query($after: String) { products(filter: { memberPriced: true }, first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }';
const CART = '{ cart { items { sku { id } quantity unitPrice memberPriceApplied } price { subtotal discount shippingFee total } } }';
const codeOf = (response: { errors?: { extensions?: { code?: string; field?: unknown } }[] }) => response.errors?.map((e) => [e.extensions?.code, e.extensions?.field]);

async function memberPricedIds(): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = ok(await gql(router, MEMBER_LIST, { after })).products;
    ids.push(...page.edges.map((edge: { node: { id: string } }) => edge.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

async function signUp() {
  const data = ok(
    await gql<any>(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', {
      input: { phone: uniquePhone(), password: 'member123' },
    }),
  ).register;
  const headers = bearer(data.accessToken);
  const call = (query: string, variables: Record<string, unknown> = {}) => gql<any>(router, query, variables, headers);
  return { id: data.user.id as string, headers, call };
}

/** A shopper with a running free trial (TRIAL counts for member prices); returns the family id too. */
async function signUpMember() {
  const user = await signUp();
  const family = ok(
    await user.call('mutation($input: FamilyInput!) { createFamily(input: $input) { id } }', {
      input: { name: '我家', contactName: '张三', phone: '13800138000', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园1号' },
    }),
  ).createFamily;
  const trial = ok(await user.call('mutation($f: ID!) { startMemberTrial(familyId: $f) { membership { level } } }', { f: family.id }));
  expect(trial.startMemberTrial.membership.level).toBe('TRIAL');
  return { ...user, familyId: family.id as string };
}

describe('staff set member prices', () => {
  it('validates, needs catalog:write, and shows on the next public read and in the member-price list', async () => {
    const { productId, skuIds } = await createTestProduct(endpoints, [{ price: 3000, stock: 5 }, { price: 800, stock: 5 }]);
    // Read (and so cache) first: the write must still show on the next read.
    expect(ok(await gql(router, SKU, { s: skuIds[0] })).sku).toEqual({ id: skuIds[0], price: 3000, memberPrice: null });
    expect(await memberPricedIds()).not.toContain(productId);

    expect(codeOf(await gql(router, SET, { s: skuIds[0], p: 2500 }, endpoints.headersFor('12345')))).toEqual([['FORBIDDEN', undefined]]);
    expect(codeOf(await gql(router, SET, { s: skuIds[0], p: 3001 }, staff))).toEqual([['BAD_USER_INPUT', 'memberPrice']]);
    expect(codeOf(await gql(router, SET, { s: skuIds[0], p: 0 }, staff))).toEqual([['BAD_USER_INPUT', 'memberPrice']]);
    expect(codeOf(await gql(router, SET, { s: '987654321', p: 10 }, staff))).toEqual([['NOT_FOUND', undefined]]);
    expect(ok(await gql(router, SKU, { s: skuIds[0] })).sku.memberPrice).toBeNull();

    expect(ok(await gql(router, SET, { s: skuIds[0], p: 2500 }, staff)).setSkuMemberPrice).toEqual({ id: skuIds[0], price: 3000, memberPrice: 2500 });
    expect(ok(await gql(router, SKU, { s: skuIds[0] })).sku.memberPrice).toBe(2500);
    expect(await memberPricedIds()).toContain(productId);
    // Equal to the price is allowed (1..price).
    expect(ok(await gql(router, SET, { s: skuIds[1], p: 800 }, staff)).setSkuMemberPrice.memberPrice).toBe(800);

    // A price cut below the member price: members never pay more than the price.
    ok(await gql(router, 'mutation($s: ID!) { updateSku(id: $s, input: { price: 2000 }) { id } }', { s: skuIds[0] }, staff));
    expect(ok(await gql(router, SKU, { s: skuIds[0] })).sku).toEqual({ id: skuIds[0], price: 2000, memberPrice: 2000 });

    // Cleared: gone from the SKU and, with no other SKU priced, from the list.
    ok(await gql(router, SET, { s: skuIds[0], p: null }, staff));
    ok(await gql(router, SET, { s: skuIds[1], p: null }, staff));
    expect(ok(await gql(router, SKU, { s: skuIds[0] })).sku.memberPrice).toBeNull();
    expect(await memberPricedIds()).not.toContain(productId);
    expect(codeOf(await gql(router, '{ products(filter: { memberPriced: true, keyword: "x" }) { edges { node { id } } } }'))).toEqual([
      ['BAD_USER_INPUT', 'memberPriced'],
    ]);
  });
});

describe('members pay member prices', () => {
  it("in the cart, the preview and the created order; a non-member does not; an expired membership reverts", async () => {
    const { skuIds } = await createTestProduct(endpoints, [{ price: 3000, stock: 20 }, { price: 1000, stock: 20 }]);
    ok(await gql(router, SET, { s: skuIds[0], p: 2500 }, staff));
    const member = await signUpMember();
    const other = await signUp();
    for (const who of [member, other]) {
      ok(await who.call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 2) { id } }', { s: skuIds[0] }));
      ok(await who.call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 1) { id } }', { s: skuIds[1] }));
    }
    const lineView = (cart: any) => cart.items.map((item: any) => [item.sku.id, item.unitPrice, item.memberPriceApplied]);

    const memberCart = ok(await member.call(CART)).cart;
    expect(lineView(memberCart)).toEqual(expect.arrayContaining([[skuIds[0], 2500, true], [skuIds[1], 1000, false]]));
    expect(memberCart.price.subtotal).toBe(2 * 2500 + 1000);
    const otherCart = ok(await other.call(CART)).cart;
    expect(lineView(otherCart)).toEqual(expect.arrayContaining([[skuIds[0], 3000, false], [skuIds[1], 1000, false]]));
    expect(otherCart.price.subtotal).toBe(2 * 3000 + 1000);

    // Checkout prices the same way; the client never sends a price.
    const addressId = ok(await member.call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
    const input = { items: [{ skuId: skuIds[0], quantity: 2 }, { skuId: skuIds[1], quantity: 1 }], addressId, couponId: null };
    const preview = ok(await member.call('query($input: CheckoutInput!) { previewOrder(input: $input) { items { sku { price } unitPrice memberPriceApplied } subtotal total } }', { input })).previewOrder;
    // The SKU's own price stays its price; the line shows what the member pays.
    expect(preview.items.map((item: any) => [item.sku.price, item.unitPrice, item.memberPriceApplied])).toEqual([[3000, 2500, true], [1000, 1000, false]]);
    expect(preview.subtotal).toBe(6000);
    const created = ok(
      await member.call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id subtotal total items { unitPrice memberPriceApplied } } }', {
        input,
        key: crypto.randomUUID(),
      }),
    ).createOrder;
    expect(created.subtotal).toBe(6000);
    expect(created.total).toBe(preview.total);
    expect(created.items.map((item: any) => [item.unitPrice, item.memberPriceApplied])).toEqual([[2500, true], [1000, false]]);

    // The membership runs out (expiry is read-time in user): the normal price again, at once.
    await supergraph.subgraphs.user!.db('families').where({ id: member.familyId }).update({ vip_expires_at: new Date(Date.now() - 1000) });
    const after = ok(await member.call(CART)).cart;
    expect(lineView(after)).toEqual(expect.arrayContaining([[skuIds[0], 3000, false]]));
    expect(after.price.subtotal).toBe(2 * 3000 + 1000);
    const again = ok(await member.call('query($input: CheckoutInput!) { previewOrder(input: $input) { subtotal items { memberPriceApplied } } }', { input })).previewOrder;
    expect(again).toEqual({ subtotal: 7000, items: [{ memberPriceApplied: false }, { memberPriceApplied: false }] });
    // A non-member's order is at the normal price.
    const otherAddress = ok(await other.call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
    const otherOrder = ok(
      await other.call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { subtotal items { unitPrice memberPriceApplied } } }', {
        input: { ...input, addressId: otherAddress },
        key: crypto.randomUUID(),
      }),
    ).createOrder;
    expect(otherOrder).toEqual({ subtotal: 7000, items: [{ unitPrice: 3000, memberPriceApplied: false }, { unitPrice: 1000, memberPriceApplied: false }] });
    // The order keeps the price it was created at.
    const kept = ok(await member.call('query($id: ID!) { order(id: $id) { subtotal items { unitPrice memberPriceApplied } } }', { id: created.id })).order;
    expect(kept).toEqual({ subtotal: 6000, items: [{ unitPrice: 2500, memberPriceApplied: true }, { unitPrice: 1000, memberPriceApplied: false }] });
  });
});

describe('what membership costs a cart read', () => {
  it('one user call and the same statements for 99 member-priced lines as for 1', async () => {
    const { skuIds } = await createTestProduct(
      endpoints,
      Array.from({ length: 99 }, () => ({ price: 2000, stock: 50 })),
    );
    await supergraph.subgraphs.product!.db('skus').whereIn('id', skuIds).update({ member_price: 1500 });
    const one = await signUpMember();
    const full = await signUpMember();
    const cartOf = (id: string) => shopper(endpoints, id);
    ok(await cartOf(one.id).add(skuIds[0], 1));
    (await Promise.all(skuIds.map((skuId) => cartOf(full.id).fill(skuId)))).forEach(ok);

    const cost = async (who: { call: (q: string) => Promise<any> }) => {
      const { subgraphs } = supergraph;
      const sql = { cart: countStatements(subgraphs.cart!.db), user: countStatements(subgraphs.user!.db) };
      const calls = countHttpRequests(subgraphs.user!.url);
      try {
        const cart = ok<any>(await who.call(CART)).cart;
        expect(cart.items.every((item: any) => item.unitPrice === 1500 && item.memberPriceApplied)).toBe(true);
        return { items: cart.items.length, cartStatements: sql.cart.count, userStatements: sql.user.count, userCalls: calls.count };
      } finally {
        sql.cart.stop();
        sql.user.stop();
        calls.stop();
      }
    };
    const small = await cost(one);
    const large = await cost(full);
    expect(small.items).toBe(1);
    expect(large.items).toBe(99);
    expect(small.userCalls).toBe(1);
    expect({ ...large, items: 1 }).toEqual(small);
  });
});
