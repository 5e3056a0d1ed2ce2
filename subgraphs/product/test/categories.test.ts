/**
 * Staff category management on the product subgraph (docs/categories.md): create, rename, move, reorder, hide and
 * delete behind catalog:write, the two-level rules (no cycles, no third level, products on sub-categories only),
 * CONFLICT for deleting what is in use, nothing written on a refusal, parent/siblings/children, and concurrent moves.
 */
import crypto from 'node:crypto';
import { countStatements } from '../../../platform/db';
import type { RunningSupergraph } from '../../../app/launcher';
import { anonymousTo, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { createProduct, seededTree, shopper, staff, type SeededTree } from './helpers';

let supergraph: RunningSupergraph;
let url: string;
let tree: SeededTree;
const created: string[] = [];

beforeAll(async () => {
  // Statement counts prove the PostgreSQL path batches (the caches are covered through the router in
  // test/search-categories.test.ts).
  supergraph = await startSupergraph({ subgraphs: ['product'], router: false, config: testConfig({ CATALOG_CACHE: 'false' }) });
  url = supergraph.subgraphs.product!.url;
  tree = await seededTree(supergraph.subgraphs.product!.db);
});
afterAll(async () => {
  // What is left of this file's categories is hidden, so other files' shoppers see the demo tree only.
  if (supergraph) await db()('categories').whereIn('id', created).update({ hidden: true });
  await supergraph?.stop();
});

const db = () => supergraph.subgraphs.product!.db;
const name = (label: string) => `${label}-${crypto.randomBytes(4).toString('hex')}`;
const FIELDS = 'id name parentId sortOrder hidden';

async function run(query: string, variables: Record<string, unknown>, headers = staff()): Promise<GraphQLResponse> {
  return gql(url, query, variables, headers);
}
const CREATE = `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { ${FIELDS} } }`;
/** Top-level categories start hidden (unless told): other files' shoppers, running meanwhile, see the demo tree only. */
async function create(input: Record<string, unknown>) {
  const response = await run(CREATE, { input: input.parentId ? input : { hidden: true, ...input } });
  expect(response.errors).toBeUndefined();
  created.push(response.data.createCategory.id);
  return response.data.createCategory as { id: string; name: string; parentId: string | null; sortOrder: number; hidden: boolean };
}
const MOVE = `mutation($id: ID!, $parentId: ID) { moveCategory(id: $id, parentId: $parentId) { ${FIELDS} } }`;
const RENAME = `mutation($id: ID!, $name: String!) { renameCategory(id: $id, name: $name) { ${FIELDS} } }`;
const REORDER = `mutation($parentId: ID, $ids: [ID!]!) { reorderCategories(parentId: $parentId, ids: $ids) { ${FIELDS} } }`;
const HIDE = `mutation($id: ID!, $hidden: Boolean!) { setCategoryHidden(id: $id, hidden: $hidden) { ${FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteCategory(id: $id) { id name } }`;
const CHILDREN = `query($p: ID) { categories(parentId: $p) { id name sortOrder hidden } }`;
const childIds = async (parentId: string | null, headers: Record<string, string> = staff()) =>
  (await run(CHILDREN, { p: parentId }, headers)).data.categories.map((c: { id: string }) => c.id) as string[];
const snapshot = () => db()('categories').orderBy('id').select('id', 'parent_id', 'name', 'sort_order', 'hidden');

describe('creating', () => {
  it('creates top-level and sub-categories, appended after their siblings unless placed', async () => {
    const top = await create({ name: name('服装') });
    expect(top).toMatchObject({ parentId: null, hidden: true });
    expect((await create({ name: name('默认'), parentId: top.id })).hidden).toBe(false);
    const a = await create({ name: name('上衣'), parentId: top.id });
    const b = await create({ name: name('裤装'), parentId: top.id });
    const c = await create({ name: name('配饰'), parentId: top.id, sortOrder: 0 });
    expect([a.sortOrder, b.sortOrder]).toEqual([1, 2]);
    const [defaulted] = await childIds(top.id);
    await run(DELETE, { id: defaulted });
    expect(await childIds(top.id)).toEqual([c.id, a.id, b.id]);
    const detail = await run(`query($p: ID) { categories(parentId: $p) { id parent { id name } siblings { id } children { id } } }`, { p: top.id }, anonymousTo('product'));
    const first = detail.data.categories[1];
    expect(first.id).toBe(a.id);
    expect(first.parent).toEqual({ id: top.id, name: top.name });
    expect(first.siblings.map((s: { id: string }) => s.id)).toEqual([c.id, b.id]);
    expect(first.children).toEqual([]);
  });

  it('reads parents, siblings and children of a whole tree level in a constant number of statements', async () => {
    const query = `{ categories { id parent { id } siblings { id } children { id name parent { id name } siblings { id } children { id } } } }`;
    const counter = countStatements(db());
    const response = await run(query, {}, anonymousTo('product'));
    counter.stop();
    expect(response.errors).toBeUndefined();
    const tops = response.data.categories as { id: string; parent: null; siblings: { id: string }[]; children: { parent: { id: string }; siblings: { id: string }[] }[] }[];
    expect(tops.length).toBeGreaterThanOrEqual(4);
    for (const top of tops) {
      expect(top.parent).toBeNull();
      expect(top.siblings.map((s) => s.id)).toEqual(tops.map((t) => t.id).filter((id) => id !== top.id));
      for (const child of top.children) {
        expect(child.parent.id).toBe(top.id);
        expect(child.siblings).toHaveLength(top.children.length - 1);
      }
    }
    // Top level; children of every top (also the children's siblings); the children's parents by id; grandchildren.
    expect(counter.count).toBe(4);
  });

  it('refuses bad names, unknown or second-level parents and a sibling of the same name, writing nothing', async () => {
    const top = await create({ name: name('家居') });
    const leaf = await create({ name: name('收纳'), parentId: top.id });
    const before = await snapshot();
    const refusals: [Record<string, unknown>, string][] = [
      [{ name: '   ' }, 'BAD_USER_INPUT'],
      [{ name: '类'.repeat(65) }, 'BAD_USER_INPUT'],
      [{ name: 'a\u0000b' }, 'BAD_USER_INPUT'],
      [{ name: name('x'), parentId: '999999999' }, 'BAD_USER_INPUT'],
      [{ name: name('x'), parentId: 'abc' }, 'BAD_USER_INPUT'],
      [{ name: name('x'), parentId: leaf.id }, 'BAD_USER_INPUT'],
      [{ name: name('x'), sortOrder: -1 }, 'BAD_USER_INPUT'],
      [{ name: leaf.name, parentId: top.id }, 'CONFLICT'],
    ];
    for (const [input, code] of refusals) expect(codes(await run(CREATE, { input }))).toEqual([code]);
    expect(codes(await run(CREATE, { input: { name: name('x') } }, shopper()))).toEqual(['FORBIDDEN']);
    expect(codes(await run(CREATE, { input: { name: name('x') } }, anonymousTo('product')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await run(RENAME, { id: leaf.id, name: 'y' }, shopper()))).toEqual(['FORBIDDEN']);
    expect(codes(await run(DELETE, { id: leaf.id }, shopper()))).toEqual(['FORBIDDEN']);
    expect(await snapshot()).toEqual(before);
    // 64 Chinese characters fit.
    expect((await create({ name: '类'.repeat(60) + crypto.randomBytes(2).toString('hex') })).name).toHaveLength(64);
  });
});

describe('changing', () => {
  it('renames, refusing an empty name or a sibling’s name', async () => {
    const top = await create({ name: name('数码') });
    const a = await create({ name: name('手机'), parentId: top.id });
    const b = await create({ name: name('平板'), parentId: top.id });
    expect((await run(RENAME, { id: a.id, name: '  手机壳  ' })).data.renameCategory.name).toBe('手机壳');
    expect(codes(await run(RENAME, { id: b.id, name: '手机壳' }))).toEqual(['CONFLICT']);
    expect(codes(await run(RENAME, { id: b.id, name: '' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await run(RENAME, { id: '999999999', name: 'z' }))).toEqual(['NOT_FOUND']);
  });

  it('moves within two levels: no cycles, no third level, no top-level category with products', async () => {
    const topA = await create({ name: name('A') });
    const topB = await create({ name: name('B') });
    const leaf = await create({ name: name('叶'), parentId: topA.id });
    await create({ name: name('叶2'), parentId: topA.id });
    const lonely = await create({ name: name('孤') });
    await createProduct(url, { title: name('移动'), categoryId: leaf.id, skus: [{ name: 'x', price: 100, stock: 1 }] });

    const moved = (await run(MOVE, { id: leaf.id, parentId: topB.id })).data.moveCategory;
    expect(moved).toMatchObject({ parentId: topB.id, sortOrder: 0 });
    expect(await childIds(topB.id)).toEqual([leaf.id]);
    expect(await childIds(topA.id)).not.toContain(leaf.id);

    const before = await snapshot();
    expect(codes(await run(MOVE, { id: topA.id, parentId: topA.id }))).toEqual(['BAD_USER_INPUT']);
    // topB under its own sub-category: a cycle.
    expect(codes(await run(MOVE, { id: topB.id, parentId: leaf.id }))).toEqual(['BAD_USER_INPUT']);
    // topA has sub-categories: under topB it would make a third level.
    expect(codes(await run(MOVE, { id: topA.id, parentId: topB.id }))).toEqual(['CONFLICT']);
    // Under a second-level category: a third level.
    expect(codes(await run(MOVE, { id: lonely.id, parentId: leaf.id }))).toEqual(['BAD_USER_INPUT']);
    // The leaf holds a product (off the shelf): products hang on sub-categories only.
    expect(codes(await run(MOVE, { id: leaf.id, parentId: null }))).toEqual(['CONFLICT']);
    expect(codes(await run(MOVE, { id: leaf.id, parentId: '999999999' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await run(MOVE, { id: '999999999', parentId: null }))).toEqual(['NOT_FOUND']);
    expect(await snapshot()).toEqual(before);

    // An empty top-level category may become a sub-category, and back.
    expect((await run(MOVE, { id: lonely.id, parentId: topB.id })).data.moveCategory).toMatchObject({ parentId: topB.id, sortOrder: 1 });
    expect((await run(MOVE, { id: lonely.id, parentId: null })).data.moveCategory.parentId).toBeNull();
  });

  it('lets exactly one of two opposite concurrent moves through: never a cycle', async () => {
    for (let round = 0; round < 3; round += 1) {
      const a = await create({ name: name('并发A') });
      const b = await create({ name: name('并发B') });
      const [ab, ba] = await Promise.all([run(MOVE, { id: a.id, parentId: b.id }), run(MOVE, { id: b.id, parentId: a.id })]);
      const outcomes = [ab, ba].map((response) => (response.errors ? codes(response)[0] : 'OK')).sort();
      expect(outcomes).toEqual(['BAD_USER_INPUT', 'OK']);
      const rows = await db()('categories').whereIn('id', [a.id, b.id]);
      expect(rows.filter((row: { parent_id: string | null }) => row.parent_id === null)).toHaveLength(1);
    }
  });

  it('reorders the children of a parent, refusing a list that is not exactly them', async () => {
    const top = await create({ name: name('排序') });
    const [x, y, z] = [await create({ name: name('x'), parentId: top.id }), await create({ name: name('y'), parentId: top.id }), await create({ name: name('z'), parentId: top.id })];
    const ordered = (await run(REORDER, { parentId: top.id, ids: [z.id, x.id, y.id] })).data.reorderCategories;
    expect(ordered.map((c: { id: string; sortOrder: number }) => [c.id, c.sortOrder])).toEqual([[z.id, 0], [x.id, 1], [y.id, 2]]);
    expect(await childIds(top.id)).toEqual([z.id, x.id, y.id]);
    const before = await snapshot();
    for (const ids of [[z.id, x.id], [z.id, x.id, y.id, y.id], [z.id, x.id, tree.leafA]]) {
      expect(codes(await run(REORDER, { parentId: top.id, ids }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await run(REORDER, { parentId: '999999999', ids: [] }))).toEqual(['NOT_FOUND']);
    expect(await snapshot()).toEqual(before);
  });

  it('hides a category from shoppers (lists, children, siblings) but not from staff', async () => {
    const top = await create({ name: name('隐藏') });
    const shown = await create({ name: name('显示'), parentId: top.id });
    const hidden = await create({ name: name('藏'), parentId: top.id });
    expect((await run(HIDE, { id: hidden.id, hidden: true })).data.setCategoryHidden.hidden).toBe(true);
    expect(await childIds(top.id, shopper())).toEqual([shown.id]);
    expect(await childIds(top.id)).toEqual([shown.id, hidden.id]);
    const nested = `query($p: ID) { categories(parentId: $p) { id siblings { id } } }`;
    expect((await run(nested, { p: top.id }, shopper())).data.categories).toEqual([{ id: shown.id, siblings: [] }]);
    expect((await run(HIDE, { id: top.id, hidden: true })).data.setCategoryHidden.hidden).toBe(true);
    expect(await childIds(null, shopper())).not.toContain(top.id);
    expect(await childIds(null)).toContain(top.id);
    expect((await run(HIDE, { id: hidden.id, hidden: false })).data.setCategoryHidden.hidden).toBe(false);
    expect(await childIds(top.id, shopper())).toEqual([shown.id, hidden.id]);
  });

  it('deletes an empty category only: CONFLICT with sub-categories or products (even off the shelf)', async () => {
    const top = await create({ name: name('删除') });
    const withProduct = await create({ name: name('有货'), parentId: top.id });
    const empty = await create({ name: name('空'), parentId: top.id });
    await createProduct(url, { title: name('下架品'), categoryId: withProduct.id, skus: [{ name: 'x', price: 100, stock: 1 }] });
    const before = await snapshot();
    expect(codes(await run(DELETE, { id: top.id }))).toEqual(['CONFLICT']);
    expect(codes(await run(DELETE, { id: withProduct.id }))).toEqual(['CONFLICT']);
    expect(await snapshot()).toEqual(before);
    expect((await run(DELETE, { id: empty.id })).data.deleteCategory).toEqual({ id: empty.id, name: empty.name });
    expect(codes(await run(DELETE, { id: empty.id }))).toEqual(['NOT_FOUND']);
    expect(await childIds(top.id)).toEqual([withProduct.id]);
  });
});
