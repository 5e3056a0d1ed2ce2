/**
 * Operation limits at the router (docs/limits.md): a deep, a wide, a costly, a long or a directive-heavy
 * operation is refused with HTTP 400, BAD_USER_INPUT and `extensions.limit` before anything is planned, and the
 * router keeps answering; every operation of the client contract passes, the explorer's introspection too.
 * A subgraph answer over SUBGRAPH_MAX_RESPONSE_BYTES is cut off with a clear error and the router keeps serving.
 */
import { buildSchema, getIntrospectionQuery, parse, validate, type OperationDefinitionNode } from 'graphql';
import type { RunningSupergraph } from '../app/launcher';
import { limitRules, operationCost } from '../router/limits';
import { catalogSkuIds, ok, shopper, viaRouter } from '../subgraphs/cart/test/fixtures';
import { codes, gql, startSupergraph, testConfig, type GraphQLResponse } from './support/harness';

const limits = testConfig().operationLimits;
let supergraph: RunningSupergraph;
let router: string;

beforeAll(async () => {
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});

/** `skus { product { skus { product … } } }`, `levels` pairs deep, under a page of 100 products. */
function deepProducts(levels: number, alias = ''): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `skus { product { ${inner} } }`;
  return `${alias}products(first: 100) { edges { node { ${inner} } } }`;
}

/** Sends the operation, checks the refusal and that the router answers an ordinary query right after. */
async function expectRefused(query: string, limit?: string): Promise<GraphQLResponse> {
  const response = await gql(router, query);
  expect(response.status).toBe(400);
  expect(codes(response)).toEqual(['BAD_USER_INPUT']);
  const extensions = response.errors![0].extensions!;
  expect(typeof extensions.limit).toBe('string');
  if (limit) expect([extensions.limit, ...((extensions.also as string[]) ?? [])]).toContain(limit);
  expect(response.data).toBeUndefined();
  // How fast a refusal is belongs to the benchmarks (a timed assertion failed on a loaded machine); here: the router
  // keeps answering.
  const after = ok(await gql(router, '{ categories { id } }'));
  expect(after.categories.length).toBeGreaterThan(0);
  return response;
}

describe('refused before planning', () => {
  it('refuses the 15-deep products/skus query', async () => {
    const response = await expectRefused(`{ ${deepProducts(15)} }`, 'depth');
    expect(response.errors![0].extensions).toMatchObject({ limit: 'depth', max: limits.maxDepth });
  });

  it('refuses the same document every time it is sent (what depends on the document alone is remembered per document)', async () => {
    const first = await expectRefused(`{ ${deepProducts(15)} }`, 'depth');
    const again = await expectRefused(`{ ${deepProducts(15)} }`, 'depth');
    expect(again.errors).toEqual(first.errors);
  });

  it('refuses 500 aliases of products(first: 100) { … skus }', async () => {
    const aliases = Array.from({ length: 500 }, (_, i) => `p${i}: products(first: 100) { edges { node { skus { id } } } }`);
    // So long that the parser already stops at the token limit.
    await expectRefused(`{ ${aliases.join(' ')} }`, 'tokens');
  });

  it('refuses too many aliases in a short document', async () => {
    const aliases = Array.from({ length: limits.maxAliases + 1 }, (_, i) => `c${i}: categories { id }`);
    await expectRefused(`{ ${aliases.join(' ')} }`, 'aliases');
  });

  it('refuses 12 aliases of products(first: 100) { … skus { product { skus } } } on cost alone', async () => {
    const aliases = Array.from({ length: 12 }, (_, i) => `p${i}: products(first: 100) { edges { node { skus { product { skus { id } } } } } }`);
    const response = await expectRefused(`{ ${aliases.join(' ')} }`, 'cost');
    // Within the depth, alias and root-field limits: only the cost speaks.
    expect(response.errors![0].extensions).toMatchObject({ limit: 'cost', max: limits.maxCost });
    expect(response.errors![0].extensions!.also).toBeUndefined();
  });

  it('counts `first` given as a variable', async () => {
    const query = 'query($n: Int) { products(first: $n) { edges { node { skus { product { skus { id } } } } } } }';
    const small = await gql(router, query, { n: 1 });
    expect(small.errors).toBeUndefined();
    const large = await gql(router, query, { n: 100 });
    expect(large.status).toBe(400);
    expect(large.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'cost' });
  });

  it('refuses too many root fields', async () => {
    const fields = Array.from({ length: limits.maxRootFields + 1 }, (_, i) => `c${i}: categories { id }`);
    await expectRefused(`{ ${fields.join(' ')} }`, 'rootFields');
  });

  it('refuses too many directives', async () => {
    const fields = Array.from({ length: limits.maxDirectives + 1 }, () => 'id @include(if: true)').join(' ');
    await expectRefused(`{ categories { ${fields} } }`, 'directives');
  });

  it('refuses a document past the token limit while parsing', async () => {
    const response = await expectRefused(`{ categories { ${'id '.repeat(limits.maxTokens)} } }`, 'tokens');
    expect(response.errors![0].extensions).toMatchObject({ limit: 'tokens', max: limits.maxTokens });
  });
});

describe('the client contract passes', () => {
  it('reads a product detail', async () => {
    const { products } = ok(await gql(router, '{ products(first: 1) { edges { node { id } } } }'));
    const id = products.edges[0].node.id;
    const data = ok(
      await gql(router, `query($id: ID!) { product(id: $id) { id title images minPrice onShelf category { id name }
        skus { id name price stock available product { id } } } }`, { id }),
    );
    expect(data.product.id).toBe(id);
  });

  it('reads a products list of 100 with SKUs and category', async () => {
    const data = ok(
      await gql(router, `{ products(first: 100) { edges { cursor node { id title images minPrice category { id name }
        skus { id name price stock available } } } pageInfo { hasNextPage endCursor } } }`),
    );
    expect(data.products.edges.length).toBeGreaterThan(0);
  });

  it('reads a cart of 99 lines with prices, products and the best coupon', async () => {
    const endpoints = viaRouter(router);
    const skuIds = await catalogSkuIds(endpoints, 99);
    const buyer = shopper(endpoints);
    // A few at a time: the cart lock serializes one shopper's writes, and a queue of 99 could outlast the timeout
    // on a loaded machine.
    for (let i = 0; i < skuIds.length; i += 5) {
      (await Promise.all(skuIds.slice(i, i + 5).map((skuId) => buyer.fill(skuId)))).forEach(ok);
    }
    const data = ok(await buyer.call('{ cart { items { sku { price product { title } } } price { total bestCoupon { id } } } }'));
    expect(data.cart.items).toHaveLength(99);
  });

  it('lets the explorer introspect the schema', async () => {
    const query = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true });
    const data = ok(await gql(router, query));
    expect(data.__schema.queryType.name).toBe('Query');
  });

  it('keeps an order list of 20 with items, SKUs, products and payment within every limit', () => {
    // `orders` is not in the supergraph yet: the contract's shape, checked against the contract's types.
    const schema = buildSchema(`
      type Query { orders(first: Int, after: String): OrderConnection! }
      type OrderConnection { edges: [OrderEdge!]! pageInfo: PageInfo! }
      type OrderEdge { cursor: String! node: Order! }
      type PageInfo { hasNextPage: Boolean! endCursor: String }
      type Order { id: ID! items: [OrderItem!]! payment: Payment }
      type OrderItem { sku: Sku! title: String! }
      type Sku { id: ID! product: Product! }
      type Product { id: ID! title: String! }
      type Payment { id: ID! status: String! }
    `);
    const document = parse('{ orders(first: 20) { edges { node { items { sku { product { title } } } payment { status } } } } }');
    expect(validate(schema, document, limitRules(limits, { maxPageSize: 100 }))).toEqual([]);
    const operation = document.definitions[0] as OperationDefinitionNode;
    // 1 connection + 20 edges + 20 orders + 20 payments + 20 × 20 × 3 (items, SKUs, products).
    expect(operationCost(schema, document, operation.selectionSet, schema.getQueryType()!, { max: limits.maxCost, defaultListSize: limits.defaultListSize, maxPageSize: 100 })).toBe(1 + 20 + 20 + 20 + 3 * 20 * limits.defaultListSize);
  });

  it('passes an order-list-shaped query on the real supergraph', async () => {
    // Same shape as the order list: a page of 20, a list per node, two levels of entities under it.
    ok(await gql(router, '{ products(first: 20) { edges { node { skus { product { title } } category { id } } } } }'));
  });
});

describe('subgraph response budget', () => {
  let small: RunningSupergraph;
  afterAll(async () => {
    await small?.stop();
  });

  it('cuts off a subgraph answer over SUBGRAPH_MAX_RESPONSE_BYTES and keeps serving', async () => {
    small = await startSupergraph({ subgraphs: ['product'], router: true, config: testConfig({ SUBGRAPH_MAX_RESPONSE_BYTES: '4000' }) });
    const url = small.routerUrl!;
    const big = await gql(url, '{ products(first: 100) { edges { node { id title images skus { id name price stock } } } } }');
    expect(codes(big)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(big.errors![0].message).toMatch(/product subgraph's response exceeded 4000 bytes/);
    expect(big.errors![0].extensions).toMatchObject({ reason: 'SUBGRAPH_RESPONSE_TOO_LARGE' });
    const after = ok(await gql(url, '{ categories { id } }'));
    expect(after.categories.length).toBeGreaterThan(0);
  });
});
