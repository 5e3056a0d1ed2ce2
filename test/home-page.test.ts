/**
 * The home page through the router (docs/home-page.md): the first screen is kept by the router's response cache and
 * shared by shoppers, yet every staff edit of its content (banners, groups and their ranking, hot words, help center,
 * tags) is visible on the very next read — invalidated by the catalog generation, not by waiting for the max-age;
 * "guess you like" for a signed-in shopper is never kept for anyone else; the first screen fits the cost limit.
 */
import { signAccessToken } from '../platform/access-token';
import { countStatements } from '../platform/db';
import type { RunningSupergraph } from '../app/launcher';
import { countHttpRequests, createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { bearer, codes, gql, startSupergraph, testConfig } from './support/harness';

// A long max-age: what makes an edit visible at once must be the invalidation, not the answer expiring. A namespace
// of its own: the catalog generation lives in Redis under it, so this file's many staff writes do not empty the
// caches other test files of the run measure, nor theirs ours (only product and the router run here).
const config = testConfig({
  CATALOG_RESPONSE_MAX_AGE_SECONDS: '60',
  ...(process.env.EVENTS_NAMESPACE ? { EVENTS_NAMESPACE: `${process.env.EVENTS_NAMESPACE}-home` } : {}),
});
let supergraph: RunningSupergraph;
let router: string;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['product'], router: true, config });
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});

const staff = bearer(signAccessToken({ userId: '999981', scopes: ['catalog:write'] }, config));
const shopperToken = (userId: string) => bearer(signAccessToken({ userId, scopes: [] }, config));
const asStaff = async (query: string, variables: Record<string, unknown> = {}) => ok(await gql(router, query, variables, staff));
const stats = () => supergraph.router!.responseCacheStats!;
const IMAGE = 'https://img.example.com/home.jpg';

const HOME = `query Home { homePage {
  banners { id title imageUrl linkType linkGroup { id name } linkProduct { id title } linkUrl }
  strips { id }
  groups { id name kind products(first: 6) { edges { rank node { id title minPrice images } } pageInfo { hasNextPage endCursor } } }
  hotSearchWords { word highlighted }
} }`;
const home = async (headers: Record<string, string> = {}) => ok(await gql(router, HOME, {}, headers)).homePage;

it('keeps the first screen at the router for every shopper, and shows each staff edit on the very next read', async () => {
  const alice = shopperToken('881');
  const first = await home();
  // Kept: another shopper's identical read costs product nothing.
  const calls = countHttpRequests(supergraph.subgraphs.product!.url);
  const hits = stats().hits;
  try {
    expect(await home(alice)).toEqual(first);
    expect(calls.count).toBe(0);
    expect(stats().hits).toBe(hits + 1);
  } finally {
    calls.stop();
  }
  // Another selection the router has not kept: product answers it from its catalog cache, without a statement.
  const counter = countStatements(supergraph.subgraphs.product!.db);
  const other = ok(await gql(router, '{ homePage { groups { name products(first: 6) { edges { node { id title } } } } hotSearchWords { word } banners { id } } }')).homePage;
  counter.stop();
  expect(counter.statements).toEqual([]);
  expect(other.groups.map((g: { name: string }) => g.name)).toEqual(first.groups.map((g: { name: string }) => g.name));

  // A new banner.
  const banner = (await asStaff('mutation($i: BannerInput!) { createBanner(input: $i) { id } }', { i: { title: '新横幅', imageUrl: IMAGE, position: 'HOME_CAROUSEL', sortOrder: -1000 } })).createBanner;
  expect((await home(alice)).banners[0]).toMatchObject({ id: banner.id, title: '新横幅', linkType: 'NONE' });

  // A new home group and its ranking, then a new ranking.
  // Products of this test only (other test files change the shelf state of theirs).
  const products: string[] = [];
  for (let n = 0; n < 3; n += 1) products.push((await createTestProduct(viaRouter(router), [{ price: 1000 + n, stock: 5 }])).productId);
  const group = (await asStaff('mutation($i: ProductGroupInput!) { createProductGroup(input: $i) { id } }', { i: { name: '首页新组', kind: 'RANKING', showOnHome: true, sortOrder: -1000 } })).createProductGroup;
  await asStaff('mutation($id: ID!, $ids: [ID!]!) { setProductGroupProducts(id: $id, productIds: $ids) { id } }', { id: group.id, ids: products });
  let shelf = (await home(alice)).groups[0];
  expect(shelf).toMatchObject({ id: group.id, name: '首页新组', kind: 'RANKING' });
  expect(shelf.products.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(products);
  await asStaff('mutation($id: ID!, $ids: [ID!]!) { setProductGroupProducts(id: $id, productIds: $ids) { id } }', { id: group.id, ids: [...products].reverse() });
  shelf = (await home()).groups[0];
  expect(shelf.products.edges.map((e: { rank: number; node: { id: string } }) => [e.rank, e.node.id])).toEqual([...products].reverse().map((id, n) => [n + 1, id]));

  // A product of the group taken off the shelf: gone from the first screen at once.
  await asStaff('mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: false) { id } }', { id: products[0] });
  expect((await home(alice)).groups[0].products.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(products[0]);
  await asStaff('mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: true) { id } }', { id: products[0] });

  // A hot word, then its removal.
  const word = (await asStaff('mutation { createHotSearchWord(input: { word: "路由热词", sortOrder: -1000 }) { id } }')).createHotSearchWord;
  expect((await home()).hotSearchWords[0]).toEqual({ word: '路由热词', highlighted: false });
  await asStaff('mutation($id: ID!) { deleteHotSearchWord(id: $id) }', { id: word.id });
  expect((await home()).hotSearchWords.map((w: { word: string }) => w.word)).not.toContain('路由热词');

  // The banner moved out of its schedule, then deleted.
  await asStaff('mutation($id: ID!, $i: BannerInput!) { updateBanner(id: $id, input: $i) { id } }', {
    id: banner.id,
    i: { title: '新横幅', imageUrl: IMAGE, position: 'HOME_CAROUSEL', startsAt: new Date(Date.now() + 3600_000).toISOString() },
  });
  expect((await home(alice)).banners.map((b: { id: string }) => b.id)).not.toContain(banner.id);
  await asStaff('mutation($id: ID!) { deleteBanner(id: $id) }', { id: banner.id });
  await asStaff('mutation($id: ID!) { deleteProductGroup(id: $id) }', { id: group.id });
  expect((await home()).groups.map((g: { id: string }) => g.id)).not.toContain(group.id);
});

it('shows help center, tag and barcode edits on the next read through the router', async () => {
  const TOPICS = '{ helpTopics { id title questions(featuredOnly: true) { question } } }';
  await gql(router, TOPICS); // kept
  const topic = (await asStaff('mutation { createHelpTopic(title: "路由帮助", sortOrder: -1000) { id } }')).createHelpTopic;
  await asStaff('mutation($t: ID!) { createHelpQuestion(input: { topicId: $t, question: "能开发票吗？", answer: "能。", featured: true }) { id } }', { t: topic.id });
  expect(ok(await gql(router, TOPICS)).helpTopics[0]).toEqual({ id: topic.id, title: '路由帮助', questions: [{ question: '能开发票吗？' }] });

  const created = await createTestProduct(viaRouter(router), [{ price: 1500, stock: 5 }]);
  const product = { id: created.productId, skus: [{ id: created.skuIds[0] }] };
  const TAGS = 'query($id: ID!) { product(id: $id) { tags { name } } }';
  const before = ok(await gql(router, TAGS, { id: product.id })).product.tags;
  const tag = (await asStaff('mutation { createProductTag(name: "路由标签") { id } }')).createProductTag;
  const current = (await asStaff('query($id: ID!) { product(id: $id) { tags { id } } }', { id: product.id })).product.tags.map((t: { id: string }) => t.id);
  await asStaff('mutation($p: ID!, $t: [ID!]!) { setProductTags(productId: $p, tagIds: $t) { id } }', { p: product.id, t: [...current, tag.id] });
  expect(ok(await gql(router, TAGS, { id: product.id })).product.tags).toEqual([...before, { name: '路由标签' }]);
  expect(ok(await gql(router, 'query($t: ID!) { productsByTag(tagId: $t, first: 5) { edges { node { id } } } }', { t: tag.id })).productsByTag.edges).toEqual([{ node: { id: product.id } }]);

  const BY_CODE = 'query($b: String!) { skuByBarcode(barcode: $b) { id } }';
  const barcode = `77${created.skuIds[0]}x${Date.now()}`;
  expect(ok(await gql(router, BY_CODE, { b: barcode })).skuByBarcode).toBeNull();
  await asStaff('mutation($s: ID!, $b: String) { setSkuBarcode(skuId: $s, barcode: $b) { id } }', { s: product.skus[0].id, b: barcode });
  expect(ok(await gql(router, BY_CODE, { b: barcode })).skuByBarcode).toEqual({ id: product.skus[0].id });
});

it('never keeps a signed-in shopper’s "guess you like" for another caller; the anonymous one is shared', async () => {
  const GUESS = 'query Guess { guessYouLike(first: 8) { id } }';
  const alice = shopperToken('882');
  const bob = shopperToken('883');
  const stored = stats().stored;
  const forAlice = ok(await gql(router, GUESS, {}, alice)).guessYouLike;
  const forBob = ok(await gql(router, GUESS, {}, bob)).guessYouLike;
  expect(forBob).not.toEqual(forAlice);
  expect(ok(await gql(router, GUESS, {}, alice)).guessYouLike).toEqual(forAlice);
  expect(stats().stored).toBe(stored);
  const anonymous = ok(await gql(router, GUESS)).guessYouLike;
  expect(stats().stored).toBe(stored + 1);
  expect(ok(await gql(router, GUESS)).guessYouLike).toEqual(anonymous);
});

it('keeps staff-only reads from shoppers, and refuses their edits', async () => {
  expect(codes(await gql(router, '{ banners(position: HOME_CAROUSEL, includeInactive: true) { id } }', {}, shopperToken('884')))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, 'mutation { createHotSearchWord(input: { word: "x" }) { id } }', {}, shopperToken('884')))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, 'mutation { createHotSearchWord(input: { word: "x" }) { id } }'))).toEqual(['UNAUTHENTICATED']);
});

it('fits the first screen with its groups’ products and their SKUs within the cost limit', async () => {
  const response = await gql(router, `{ homePage { banners { id linkProduct { id skus { id price } } } strips { id }
    groups { id products(first: 10) { edges { node { id minPrice skus { id price stock } related(first: 4) { id } tags { name } } } } }
    hotSearchWords { word } } }`);
  expect(response.errors).toBeUndefined();
});
