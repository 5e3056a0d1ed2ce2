/**
 * Test helpers for the cart: shoppers, products of the test's own (so parallel tests never disturb each other),
 * demo-catalog SKUs, coupons, and a counter of HTTP requests a subgraph server receives.
 * Works through the router (bearer tokens) or against the subgraphs directly (signed identity headers).
 */
import crypto from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signAccessToken } from '../../../platform/access-token';
import type { RunningSupergraph } from '../../../app/launcher';
import { asIdentity, bearer, gql, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { DEMO_TREE } from '../../product/data/demo-catalog';

const STAFF_USER_ID = '999999';

type Target = 'cart' | 'product' | 'promote';

/** Where each kind of operation goes, and how a caller proves who they are. */
export interface Endpoints {
  cart: string;
  product: string;
  promote: string;
  /** Headers for a call to `target` (default cart); anonymous without `userId` (still signed, for a subgraph). */
  headersFor(userId: string | undefined, scopes?: string[], target?: Target): Record<string, string>;
}

export function viaRouter(routerUrl: string): Endpoints {
  const config = testConfig();
  return {
    cart: routerUrl,
    product: routerUrl,
    promote: routerUrl,
    headersFor: (userId, scopes = []) => (userId ? bearer(signAccessToken({ userId, scopes }, config)) : {}),
  };
}

export function viaSubgraphs(supergraph: RunningSupergraph): Endpoints {
  const config = testConfig();
  return {
    cart: supergraph.subgraphs.cart!.url,
    product: supergraph.subgraphs.product!.url,
    promote: supergraph.subgraphs.promote!.url,
    headersFor: (userId, scopes = [], target = 'cart') => asIdentity(userId ? { userId, scopes } : {}, target, config),
  };
}

/** A user id no other test uses (numeric, as bigint ids are). */
export function newShopperId(): string {
  return String(crypto.randomInt(1_000_000, 2 ** 47));
}

/** What the cart tests usually read back. */
export const CART_FIELDS = `id totalQuantity selectedQuantity
  items { id quantity selected valid invalidReason exceedsStock sku { id } }`;

export interface CartItemView {
  id: string;
  quantity: number;
  selected: boolean;
  valid: boolean;
  invalidReason: string | null;
  exceedsStock: boolean;
  sku: { id: string };
}
export interface CartView {
  id: string;
  totalQuantity: number;
  selectedQuantity: number;
  items: CartItemView[];
}

/** A client for one shopper's cart. */
export function shopper(endpoints: Endpoints, userId = newShopperId()) {
  const call = <T = any>(query: string, variables: Record<string, unknown> = {}) =>
    gql<T>(endpoints.cart, query, variables, endpoints.headersFor(userId));
  return {
    userId,
    call,
    cart: () => call<{ cart: CartView }>(`{ cart { ${CART_FIELDS} } }`),
    /** addToCart reading back only the badge number: for filling carts fast. */
    fill: (skuId: string, quantity = 1) =>
      call<{ addToCart: { totalQuantity: number } }>(
        'mutation($skuId: ID!, $quantity: Int!) { addToCart(skuId: $skuId, quantity: $quantity) { totalQuantity } }',
        { skuId, quantity },
      ),
    add: (skuId: string, quantity: number) =>
      call<{ addToCart: CartView }>(
        `mutation($skuId: ID!, $quantity: Int!) { addToCart(skuId: $skuId, quantity: $quantity) { ${CART_FIELDS} } }`,
        { skuId, quantity },
      ),
    update: (id: string, changes: { quantity?: number; selected?: boolean }) =>
      call<{ updateCartItem: CartView }>(
        `mutation($id: ID!, $quantity: Int, $selected: Boolean) {
          updateCartItem(id: $id, quantity: $quantity, selected: $selected) { ${CART_FIELDS} } }`,
        { id, ...changes },
      ),
    remove: (ids: string[]) =>
      call<{ removeCartItems: CartView }>(`mutation($ids: [ID!]!) { removeCartItems(ids: $ids) { ${CART_FIELDS} } }`, { ids }),
    clearInvalid: () => call<{ clearInvalidCartItems: CartView }>(`mutation { clearInvalidCartItems { ${CART_FIELDS} } }`),
    price: () =>
      call<{ cart: { price: { subtotal: number; discount: number; shippingFee: number; total: number; bestCoupon: { id: string } | null } } }>(
        '{ cart { price { subtotal discount shippingFee total bestCoupon { id } } } }',
      ),
  };
}
export type Shopper = ReturnType<typeof shopper>;

/** The data of a response, or a failure that shows the errors. */
export function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(response.errors ?? response)}`);
  }
  return response.data;
}

function staff(endpoints: Endpoints, target: 'product' | 'promote', scope: string) {
  return <T = any>(query: string, variables: Record<string, unknown> = {}) =>
    gql<T>(endpoints[target], query, variables, endpoints.headersFor(STAFF_USER_ID, [scope], target)).then(ok);
}

let categoryId: Promise<string> | undefined;
/** A second-level category of the demo catalog. */
function secondLevelCategory(endpoints: Endpoints): Promise<string> {
  categoryId ??= gql<{ categories: { id: string; children: { id: string }[] }[] }>(endpoints.product, '{ categories { id children { id } } }', {}, endpoints.headersFor(undefined, [], 'product'))
    .then(ok)
    .then(({ categories }) => {
      const child = categories.flatMap((category) => category.children)[0];
      if (!child) throw new Error('The demo catalog has no second-level category');
      return child.id;
    });
  return categoryId;
}

export interface TestProduct {
  productId: string;
  skuIds: string[];
}

/** An on-shelf product of the test's own with SKUs of the given prices and stock. */
export async function createTestProduct(endpoints: Endpoints, skus: { price: number; stock: number }[]): Promise<TestProduct> {
  const data = await staff(endpoints, 'product', 'catalog:write')<{ createProduct: { id: string; skus: { id: string; name: string }[] } }>(
    `mutation($input: CreateProductInput!) { createProduct(input: $input) { id skus { id name } } }`,
    {
      input: {
        title: `Cart test ${crypto.randomUUID().slice(0, 8)}`,
        categoryId: await secondLevelCategory(endpoints),
        images: [],
        onShelf: true,
        skus: skus.map((sku, index) => ({ name: `v${index}`, ...sku })),
      },
    },
  );
  // Keep the caller's order (v0, v1, ...) whatever order product lists SKUs in.
  const byName = new Map(data.createProduct.skus.map((sku) => [sku.name, sku.id]));
  return { productId: data.createProduct.id, skuIds: skus.map((_sku, index) => byName.get(`v${index}`)!) };
}

export const setOnShelf = (endpoints: Endpoints, productId: string, onShelf: boolean) =>
  staff(endpoints, 'product', 'catalog:write')(`mutation($id: ID!, $onShelf: Boolean!) { setProductOnShelf(id: $id, onShelf: $onShelf) { id } }`, {
    id: productId,
    onShelf,
  });

export const setSku = (endpoints: Endpoints, skuId: string, input: { stock?: number; price?: number }) =>
  staff(endpoints, 'product', 'catalog:write')(`mutation($id: ID!, $input: UpdateSkuInput!) { updateSku(id: $id, input: $input) { id } }`, {
    id: skuId,
    input,
  });

export const deleteSku = (endpoints: Endpoints, skuId: string) =>
  staff(endpoints, 'product', 'catalog:write')(`mutation($id: ID!) { deleteSku(id: $id) { id } }`, { id: skuId });

const DEMO_TITLES = new Set(DEMO_TREE.flatMap((top) => top.children.flatMap((child) => child.products.map((product) => product.title))));

/** `count` on-shelf demo-catalog SKUs with plenty of stock (the demo seed has 200+). */
export async function catalogSkuIds(endpoints: Endpoints, count: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  while (ids.length < count) {
    const page: { products: { edges: { node: { title: string; skus: { id: string; stock: number; available: boolean }[] } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      ok(
        await gql(
          endpoints.product,
          `query($after: String) { products(first: 100, after: $after) {
            edges { node { title skus { id stock available } } } pageInfo { hasNextPage endCursor } } }`,
          { after },
          endpoints.headersFor(undefined, [], 'product'),
        ),
      );
    for (const edge of page.products.edges) {
      // Demo products only: tests running in other workers sell out or shelve products they created themselves.
      if (!DEMO_TITLES.has(edge.node.title)) continue;
      for (const sku of edge.node.skus) if (sku.available && sku.stock >= 20) ids.push(sku.id);
    }
    if (!page.products.pageInfo.hasNextPage) break;
    after = page.products.pageInfo.endCursor;
  }
  if (ids.length < count) throw new Error(`The demo catalog has only ${ids.length} SKUs in stock, ${count} wanted`);
  return ids.slice(0, count);
}

/** A coupon template created by staff and claimed by the shopper; returns the coupon id. */
export async function giveCoupon(
  endpoints: Endpoints,
  userId: string,
  input: { type: 'CASH' | 'FREE_SHIPPING'; amount: number; minSpend: number },
): Promise<string> {
  const template = await staff(endpoints, 'promote', 'promote:write')<{ createCouponTemplate: { id: string } }>(
    `mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }`,
    { input: { name: `Cart test ${input.type}`, perUserLimit: 1, validDays: 7, ...input } },
  );
  const claimed = ok(
    await gql<{ claimCoupon: { id: string } }>(
      endpoints.promote,
      'mutation($templateId: ID!) { claimCoupon(templateId: $templateId) { id } }',
      { templateId: template.createCouponTemplate.id },
      endpoints.headersFor(userId, [], 'promote'),
    ),
  );
  return claimed.claimCoupon.id;
}

/**
 * Counts the HTTP requests a server started in this process receives (Node's `http.server.request.start`
 * diagnostics channel), e.g. how often the product subgraph is called. No hook in the servers needed.
 */
export function countHttpRequests(url: string) {
  const port = Number(new URL(url).port);
  const seen: string[] = [];
  const listener = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    if ((server.address() as AddressInfo | null)?.port === port && request.method === 'POST') seen.push(request.url ?? '');
  };
  diagnostics.subscribe('http.server.request.start', listener);
  return {
    get count() {
      return seen.length;
    },
    reset() {
      seen.length = 0;
    },
    stop() {
      diagnostics.unsubscribe('http.server.request.start', listener);
    },
  };
}
