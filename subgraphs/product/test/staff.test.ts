/**
 * Staff catalog mutations on the product subgraph: what they change, and that refused calls (no token, no scope,
 * bad input, unknown ids) change nothing at all.
 */
import type { RunningSupergraph } from '../../../app/launcher';
import { anonymousTo, asIdentity, codes, gql, startSupergraph } from '../../../test/support/harness';
import { CREATE_PRODUCT, createProduct, productSnapshot, seededTree, shopper, staff, uniqueToken, type SeededTree } from './helpers';

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

const UPDATE_PRODUCT = `mutation($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) { id title description images category { id } brand { id } updatedAt } }`;
const SET_ON_SHELF = `mutation($id: ID!, $onShelf: Boolean!) { setProductOnShelf(id: $id, onShelf: $onShelf) { id onShelf } }`;
const UPDATE_SKU = `mutation($id: ID!, $input: UpdateSkuInput!) { updateSku(id: $id, input: $input) { id name price stock available product { id minPrice } } }`;
const ADD_SKU = `mutation($productId: ID!, $input: SkuInput!) { addSku(productId: $productId, input: $input) { id name price stock available product { id minPrice skus { name } } } }`;
const DELETE_SKU = `mutation($id: ID!) { deleteSku(id: $id) { id deleted available product { skus { id } } } }`;

/** A fresh product for one test: two SKUs, on the shelf, with a brand. */
async function freshProduct() {
  return createProduct(url, {
    title: uniqueToken('staff'),
    description: '描述',
    categoryId: tree.leafA,
    brandId: tree.brandA,
    images: ['/images/a.jpg'],
    skus: [
      { name: '红 / M', price: 5900, stock: 10 },
      { name: '红 / L', price: 6900, stock: 0 },
    ],
    onShelf: true,
  });
}

/** Runs `call`, expects exactly the given error code and no change to the product's rows. */
async function expectRefused(productId: string, code: string, call: () => Promise<{ errors?: unknown[] }>) {
  const before = await productSnapshot(db(), productId);
  const response = await call();
  expect(codes(response as never)).toEqual([code]);
  expect(await productSnapshot(db(), productId)).toEqual(before);
}

describe('createProduct', () => {
  it('creates a product with its SKUs, off the shelf by default', async () => {
    const title = uniqueToken('new');
    const response = await gql(
      url,
      CREATE_PRODUCT,
      {
        input: {
          title: `  ${title}  `,
          categoryId: tree.leafB,
          brandId: tree.brandB,
          images: ['/images/x1.jpg', '/images/x2.jpg'],
          skus: [
            { name: '白色 / 39', price: 29900, stock: 3 },
            { name: '白色 / 40', price: 25900, stock: 0 },
          ],
        },
      },
      staff(),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.createProduct).toMatchObject({
      title,
      description: '',
      images: ['/images/x1.jpg', '/images/x2.jpg'],
      onShelf: false,
      minPrice: 25900,
      category: { id: tree.leafB, parentId: tree.top.id },
      brand: { id: tree.brandB },
      skus: [
        { name: '白色 / 39', price: 29900, stock: 3, available: false, deleted: false },
        { name: '白色 / 40', price: 25900, stock: 0, available: false, deleted: false },
      ],
    });
    const rows = await db()('skus').where('product_id', response.data.createProduct.id);
    expect(rows).toHaveLength(2);
  });

  it('refuses bad input and writes nothing', async () => {
    const marker = uniqueToken('bad');
    const good = { title: 'ok', description: marker, categoryId: tree.leafA, skus: [{ name: 'a', price: 100, stock: 1 }] };
    const cases: Record<string, unknown>[] = [
      { title: '   ' },
      { title: 'x'.repeat(201) },
      { skus: [] },
      { skus: Array.from({ length: 101 }, (_, n) => ({ name: `s${n}`, price: 100, stock: 1 })) },
      { skus: [{ name: 'a', price: 0, stock: 1 }] },
      { skus: [{ name: 'a', price: -5, stock: 1 }] },
      { skus: [{ name: 'a', price: 100, stock: -1 }] },
      { skus: [{ name: ' ', price: 100, stock: 1 }] },
      { skus: [{ name: 'a', price: 100, stock: 1 }, { name: 'a', price: 200, stock: 1 }] },
      { categoryId: tree.top.id },
      { categoryId: '999999999' },
      { categoryId: 'abc' },
      { brandId: '999999999' },
      { images: [''] },
      { images: Array.from({ length: 21 }, (_, n) => `/images/${n}.jpg`) },
    ];
    for (const change of cases) {
      const response = await gql(url, CREATE_PRODUCT, { input: { ...good, ...change } }, staff());
      expect({ change, codes: codes(response) }).toEqual({ change, codes: ['BAD_USER_INPUT'] });
    }
    expect(await db()('products').where('description', marker)).toEqual([]);
    // And the same input without the fault goes through.
    expect((await gql(url, CREATE_PRODUCT, { input: good }, staff())).errors).toBeUndefined();
    expect(await db()('products').where('description', marker)).toHaveLength(1);
  });
});

describe('authorization', () => {
  it('refuses every staff mutation without a user (UNAUTHENTICATED) or without catalog:write (FORBIDDEN)', async () => {
    const product = await freshProduct();
    const [first, second] = product.skus;
    const calls: [string, Record<string, unknown>][] = [
      [CREATE_PRODUCT, { input: { title: 'x', categoryId: tree.leafA, skus: [{ name: 'a', price: 1, stock: 1 }] } }],
      [UPDATE_PRODUCT, { id: product.id, input: { title: 'hacked' } }],
      [SET_ON_SHELF, { id: product.id, onShelf: false }],
      [UPDATE_SKU, { id: first.id, input: { price: 1 } }],
      [ADD_SKU, { productId: product.id, input: { name: 'new', price: 1, stock: 1 } }],
      [DELETE_SKU, { id: second.id }],
    ];
    const productCount = async () => Number((await db()('products').count({ n: '*' }).where('title', 'x'))[0].n);
    const createdBefore = await productCount();
    for (const [headers, code] of [
      [anonymousTo('product'), 'UNAUTHENTICATED'],
      [shopper(), 'FORBIDDEN'],
      [asIdentity({ userId: '7', scopes: ['promote:write', 'order:write'] }, 'product'), 'FORBIDDEN'],
      // A service call carries no user and no scope.
      [asIdentity({ service: 'cart' }, 'product'), 'UNAUTHENTICATED'],
    ] as const) {
      for (const [query, variables] of calls) {
        await expectRefused(product.id, code, () => gql(url, query, variables, headers));
      }
    }
    expect(await productCount()).toBe(createdBefore);
  });
});

describe('updateProduct and setProductOnShelf', () => {
  it('changes only the given fields; null brandId removes the brand', async () => {
    const product = await freshProduct();
    const before = await productSnapshot(db(), product.id);
    const renamed = await gql(url, UPDATE_PRODUCT, { id: product.id, input: { title: '新标题', categoryId: tree.leafB } }, staff());
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data.updateProduct).toMatchObject({
      title: '新标题',
      description: '描述',
      images: ['/images/a.jpg'],
      category: { id: tree.leafB },
      brand: { id: tree.brandA },
    });
    expect(new Date(renamed.data.updateProduct.updatedAt).getTime()).toBeGreaterThanOrEqual(before.product.updated_at.getTime());

    const cleared = await gql(url, UPDATE_PRODUCT, { id: product.id, input: { brandId: null, images: [], description: '' } }, staff());
    expect(cleared.data.updateProduct).toMatchObject({ title: '新标题', brand: null, images: [], description: '' });
    const unchanged = await gql(url, UPDATE_PRODUCT, { id: product.id, input: {} }, staff());
    expect(unchanged.data.updateProduct).toMatchObject({ title: '新标题', brand: null });
  });

  it('refuses bad input and unknown ids, changing nothing', async () => {
    const product = await freshProduct();
    for (const input of [
      { title: '' },
      { title: null },
      { title: 'ok', categoryId: tree.top.id },
      { title: 'ok', categoryId: '999999999' },
      { categoryId: null },
      { title: 'ok', brandId: '999999999' },
      { images: null },
      { description: 'x'.repeat(5001) },
    ]) {
      await expectRefused(product.id, 'BAD_USER_INPUT', () => gql(url, UPDATE_PRODUCT, { id: product.id, input }, staff()));
    }
    for (const id of ['999999999', 'abc']) {
      expect(codes(await gql(url, UPDATE_PRODUCT, { id, input: { title: 'x' } }, staff()))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(url, SET_ON_SHELF, { id, onShelf: true }, staff()))).toEqual(['NOT_FOUND']);
    }
  });

  it('takes a product off the shelf and back', async () => {
    const product = await freshProduct();
    const off = await gql(url, SET_ON_SHELF, { id: product.id, onShelf: false }, staff());
    expect(off.data.setProductOnShelf).toEqual({ id: product.id, onShelf: false });
    expect((await db()('products').where('id', product.id).first()).on_shelf).toBe(false);
    const on = await gql(url, SET_ON_SHELF, { id: product.id, onShelf: true }, staff());
    expect(on.data.setProductOnShelf).toEqual({ id: product.id, onShelf: true });
  });
});

describe('SKU mutations', () => {
  it('updates price, stock and name (stock absolutely)', async () => {
    const product = await freshProduct();
    const [cheap, dear] = product.skus;
    const response = await gql(url, UPDATE_SKU, { id: dear.id, input: { price: 4900, stock: 7, name: '红 / XL' } }, staff());
    expect(response.errors).toBeUndefined();
    expect(response.data.updateSku).toEqual({ id: dear.id, name: '红 / XL', price: 4900, stock: 7, available: true, product: { id: product.id, minPrice: 4900 } });
    const stockOnly = await gql(url, UPDATE_SKU, { id: cheap.id, input: { stock: 0 } }, staff());
    expect(stockOnly.data.updateSku).toMatchObject({ name: '红 / M', price: 5900, stock: 0, available: false });
  });

  it('refuses bad SKU changes and unknown SKUs, changing nothing', async () => {
    const product = await freshProduct();
    const [first, second] = product.skus;
    for (const input of [{ price: 0 }, { price: -1 }, { stock: -1 }, { price: null }, { stock: null }, { name: '' }, { name: second.name }, { price: 100, name: 'y'.repeat(65) }]) {
      await expectRefused(product.id, 'BAD_USER_INPUT', () => gql(url, UPDATE_SKU, { id: first.id, input }, staff()));
    }
    for (const id of ['999999999', 'abc']) {
      expect(codes(await gql(url, UPDATE_SKU, { id, input: { price: 100 } }, staff()))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(url, DELETE_SKU, { id }, staff()))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(url, ADD_SKU, { productId: id, input: { name: 'n', price: 1, stock: 1 } }, staff()))).toEqual(['NOT_FOUND']);
    }
    for (const input of [{ name: first.name, price: 100, stock: 1 }, { name: 'n', price: 0, stock: 1 }, { name: 'n', price: 1, stock: -1 }, { name: ' ', price: 1, stock: 1 }]) {
      await expectRefused(product.id, 'BAD_USER_INPUT', () => gql(url, ADD_SKU, { productId: product.id, input }, staff()));
    }
  });

  it('adds a SKU after the others', async () => {
    const product = await freshProduct();
    const response = await gql(url, ADD_SKU, { productId: product.id, input: { name: '蓝 / S', price: 3900, stock: 4 } }, staff());
    expect(response.errors).toBeUndefined();
    expect(response.data.addSku).toMatchObject({
      name: '蓝 / S',
      price: 3900,
      stock: 4,
      available: true,
      product: { id: product.id, minPrice: 3900, skus: [{ name: '红 / M' }, { name: '红 / L' }, { name: '蓝 / S' }] },
    });
  });

  it('soft-deletes a SKU: gone from the product, still an (unavailable) entity, no longer editable; the last one stays', async () => {
    const product = await freshProduct();
    const [first, second] = product.skus;
    const deleted = await gql(url, DELETE_SKU, { id: first.id }, staff());
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data.deleteSku).toEqual({ id: first.id, deleted: true, available: false, product: { skus: [{ id: second.id }] } });
    expect((await db()('skus').where('id', first.id).first()).deleted_at).toBeInstanceOf(Date);
    // Deleting again changes nothing.
    expect((await gql(url, DELETE_SKU, { id: first.id }, staff())).data.deleteSku).toMatchObject({ id: first.id, deleted: true });

    const entity = await gql(url, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Sku { id deleted available } } }', {
      r: [{ __typename: 'Sku', id: first.id }],
    }, anonymousTo('product'));
    expect(entity.data._entities).toEqual([{ id: first.id, deleted: true, available: false }]);
    expect((await gql(url, 'query($id: ID!) { sku(id: $id) { id } }', { id: first.id }, shopper())).data.sku).toBeNull();
    expect((await gql(url, 'query($id: ID!) { product(id: $id) { minPrice } }', { id: product.id }, anonymousTo('product'))).data.product).toEqual({ minPrice: 6900 });

    await expectRefused(product.id, 'NOT_FOUND', () => gql(url, UPDATE_SKU, { id: first.id, input: { price: 1 } }, staff()));
    await expectRefused(product.id, 'CONFLICT', () => gql(url, DELETE_SKU, { id: second.id }, staff()));

    // The deleted name can be used again.
    const again = await gql(url, ADD_SKU, { productId: product.id, input: { name: first.name, price: 100, stock: 1 } }, staff());
    expect(again.errors).toBeUndefined();
  });
});
