/**
 * Member prices on the product subgraph against real PostgreSQL: setSkuMemberPrice's rules (scope, 1..price, live
 * SKUs only, refused calls change nothing), Sku.memberPrice never above the price, the memberPriced list (on-shelf
 * products with a live priced SKU, keyset pages without repeats), and the SKU facts other subgraphs read.
 */
import type { RunningSupergraph } from '../../../app/launcher';
import { asIdentity, codes, gql, startSupergraph } from '../../../test/support/harness';
import { createProduct, productSnapshot, seededTree, shopper, staff, uniqueToken, type SeededTree } from './helpers';

let supergraph: RunningSupergraph;
let url: string;
let tree: SeededTree;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['product'], router: false });
  url = supergraph.subgraphs.product!.url;
  tree = await seededTree(supergraph.subgraphs.product!.db);
});
afterAll(async () => {
  await supergraph?.stop();
});

const db = () => supergraph.subgraphs.product!.db;
const SET = 'mutation($s: ID!, $p: Int) { setSkuMemberPrice(skuId: $s, memberPrice: $p) { id price memberPrice } }';
const LIST = `query($after: String) { products(filter: { memberPriced: true }, first: 2, after: $after) {
  edges { node { id } } pageInfo { hasNextPage endCursor } } }`;

const fresh = (onShelf = true) =>
  createProduct(url, {
    title: uniqueToken('member'),
    categoryId: tree.leafA,
    images: [],
    skus: [
      { name: 'A', price: 3000, stock: 5 },
      { name: 'B', price: 900, stock: 5 },
    ],
    onShelf,
  });

/** Every product id of the member-price list, paging two at a time. */
async function listAll(): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const response: { data?: any; errors?: unknown[] } = await gql(url, LIST, { after }, shopper());
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    const page: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = response.data.products;
    ids.push(...page.edges.map((edge: { node: { id: string } }) => edge.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

describe('setSkuMemberPrice', () => {
  it('refuses without catalog:write, outside 1..price, for unknown or deleted SKUs, and changes nothing', async () => {
    const product = await fresh();
    const [a, b] = product.skus;
    const before = await productSnapshot(db(), product.id);
    const refused = async (variables: Record<string, unknown>, identity: Record<string, string>) => codes(await gql(url, SET, variables, identity));
    expect(await refused({ s: a.id, p: 100 }, shopper())).toEqual(['FORBIDDEN']);
    expect(await refused({ s: a.id, p: 100 }, asIdentity({ userId: '3', scopes: ['order:write'] }, 'product'))).toEqual(['FORBIDDEN']);
    expect(await refused({ s: a.id, p: 3001 }, staff())).toEqual(['BAD_USER_INPUT']);
    expect(await refused({ s: a.id, p: 0 }, staff())).toEqual(['BAD_USER_INPUT']);
    expect(await refused({ s: a.id, p: -5 }, staff())).toEqual(['BAD_USER_INPUT']);
    expect(await refused({ s: 'x1', p: 5 }, staff())).toEqual(['BAD_USER_INPUT']);
    expect(await refused({ s: '99999999', p: 5 }, staff())).toEqual(['NOT_FOUND']);
    expect(await productSnapshot(db(), product.id)).toEqual(before);

    // A deleted SKU takes no member price.
    const deleted = await gql(url, 'mutation($s: ID!) { deleteSku(id: $s) { id } }', { s: b.id }, staff());
    expect(deleted.errors).toBeUndefined();
    expect(await refused({ s: b.id, p: 5 }, staff())).toEqual(['NOT_FOUND']);
    expect(await db()('skus').where('id', b.id).first('member_price')).toEqual({ member_price: null });
  });

  it('sets and clears; members never pay above the price after a price cut', async () => {
    const product = await fresh();
    const [a] = product.skus;
    expect((await gql(url, SET, { s: a.id, p: 2500 }, staff())).data.setSkuMemberPrice).toEqual({ id: a.id, price: 3000, memberPrice: 2500 });
    expect(await db()('skus').where('id', a.id).first('member_price')).toEqual({ member_price: 2500 });
    // The SKU facts cart and order read over _entities.
    const facts = await gql(
      url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Sku { id price memberPrice } } }',
      { r: [{ __typename: 'Sku', id: a.id }] },
      asIdentity({ service: 'cart' }, 'product'),
    );
    expect(facts.data?._entities ?? facts.errors).toEqual([{ id: a.id, price: 3000, memberPrice: 2500 }]);

    expect((await gql(url, 'mutation($s: ID!) { updateSku(id: $s, input: { price: 2000 }) { memberPrice } }', { s: a.id }, staff())).data.updateSku).toEqual({
      memberPrice: 2000,
    });
    expect((await gql(url, SET, { s: a.id, p: null }, staff())).data.setSkuMemberPrice.memberPrice).toBeNull();
    expect(await db()('skus').where('id', a.id).first('member_price')).toEqual({ member_price: null });
  });
});

describe('products(filter: { memberPriced: true })', () => {
  it('lists on-shelf products with a live member-priced SKU, newest first, in keyset pages without repeats', async () => {
    const [p1, p2, p3, offShelf, unpriced] = [await fresh(), await fresh(), await fresh(), await fresh(false), await fresh()];
    for (const product of [p1, p2, p3, offShelf]) expect((await gql(url, SET, { s: product.skus[0].id, p: 100 }, staff())).errors).toBeUndefined();

    const ids = await listAll();
    expect(new Set(ids).size).toBe(ids.length);
    const ours = ids.filter((id) => [p1.id, p2.id, p3.id, offShelf.id, unpriced.id].includes(id));
    expect(ours).toEqual([p3.id, p2.id, p1.id]);
    const sorted = [...ids].sort((x, y) => Number(y) - Number(x));
    expect(ids).toEqual(sorted);

    // A product whose only priced SKU is deleted leaves the list.
    expect((await gql(url, 'mutation($s: ID!) { deleteSku(id: $s) { id } }', { s: p2.skus[0].id }, staff())).errors).toBeUndefined();
    expect(await listAll()).not.toContain(p2.id);
  });
});
