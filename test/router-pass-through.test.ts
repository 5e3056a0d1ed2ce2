/**
 * The single-subgraph pass-through (router/pass-through.ts) answers exactly what the gateway's plan execution answers:
 * two routers over the same fake subgraphs, one with ROUTER_PASS_THROUGH on and one with it off, get the same
 * operations and must give the same status and body — data, aliases, fragments, directives, nulls, mutations, errors
 * of every kind, bad variables, a subgraph that is down. What one subgraph cannot answer alone (a second subgraph's
 * field, introspection) still goes through the gateway.
 */
import { GraphQLError } from 'graphql';
import { loadConfig } from '../platform/config';
import { startRouter, type RunningRouter } from '../router/server';
import { FEDERATION_LINK, startFakeSubgraph, unusedUrl, writeSupergraph, type FakeSubgraph } from './support/fake-subgraph';

const productTypeDefs = `${FEDERATION_LINK}
"Root" type Query {
  "Products." products(first: Int!): [Product!]!
  "One product." product(id: ID!): Product
  "Fails with a code." refused: String!
  "Fails without a code." flaky: String
}
"Root" type Mutation { "Renames." rename(id: ID!, title: String!): Product! }
"A product." type Product @key(fields: "id") { "Id." id: ID! "Title." title: String! "Price." price: Int! "Kind." kind: Kind! "Maybe." note: String }
"Kinds." enum Kind { BOOK TOY }`;

const reviewTypeDefs = `${FEDERATION_LINK}
"A product." type Product @key(fields: "id") { "Id." id: ID! "Reviews." reviews: [String!]! }
"Root" type Query { "Nothing." reviewCount: Int! }`;

const titles = new Map([
  ['1', 'Book one'],
  ['2', 'Toy two'],
  ['3', 'Book three'],
]);
const productOf = (id: string) => ({ id, title: titles.get(id)!, price: Number(id) * 100, kind: id === '2' ? 'TOY' : 'BOOK', note: null });

let product: FakeSubgraph;
let review: FakeSubgraph;
let passing: RunningRouter;
let planning: RunningRouter;
let passingDown: RunningRouter;
let planningDown: RunningRouter;

const routerOver = (supergraphPath: string, passThrough: boolean) =>
  startRouter({
    config: loadConfig({ ...process.env, NODE_ENV: 'test', EXPLORER: 'false', SUPERGRAPH_PATH: supergraphPath, ROUTER_PASS_THROUGH: String(passThrough), SUBGRAPH_TIMEOUT_MS: '2000' }),
    host: '127.0.0.1',
    port: 0,
  });

beforeAll(async () => {
  product = await startFakeSubgraph({
    typeDefs: productTypeDefs,
    resolvers: {
      Query: {
        products: (_p: unknown, { first }: { first: number }) => [...titles.keys()].slice(0, first).map(productOf),
        product: (_p: unknown, { id }: { id: string }) => (titles.has(id) ? productOf(id) : null),
        refused: () => {
          throw new GraphQLError('No, thank you', { extensions: { code: 'BAD_USER_INPUT', field: 'x' } });
        },
        flaky: () => {
          throw new Error('Something broke');
        },
      },
      Mutation: { rename: (_p: unknown, { id, title }: { id: string; title: string }) => ({ ...productOf(id), title }) },
      Product: { __resolveReference: ({ id }: { id: string }) => productOf(id) },
    },
  });
  review = await startFakeSubgraph({
    typeDefs: reviewTypeDefs,
    resolvers: {
      Query: { reviewCount: () => 2 },
      Product: { __resolveReference: ({ id }: { id: string }) => ({ id, reviews: [`Nice ${id}`] }) },
    },
  });
  const supergraph = writeSupergraph([
    { name: 'product', url: product.url, typeDefs: productTypeDefs },
    { name: 'review', url: review.url, typeDefs: reviewTypeDefs },
  ]);
  const down = writeSupergraph([
    { name: 'product', url: await unusedUrl(), typeDefs: productTypeDefs },
    { name: 'review', url: review.url, typeDefs: reviewTypeDefs },
  ]);
  [passing, planning, passingDown, planningDown] = await Promise.all([
    routerOver(supergraph, true),
    routerOver(supergraph, false),
    routerOver(down, true),
    routerOver(down, false),
  ]);
});
afterAll(async () => {
  await Promise.all([passing, planning, passingDown, planningDown].map((router) => router?.close()));
  await Promise.all([product, review].map((subgraph) => subgraph?.close()));
});

/** Sends the operation to both routers, twice each (the first request of an operation is the one that decides), and compares. */
async function same(routers: [RunningRouter, RunningRouter], query: string, variables: Record<string, unknown> = {}, operationName?: string) {
  type Answer = { status: number; data?: any; errors?: any };
  const send = async (router: RunningRouter): Promise<Answer> => {
    const response = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
    });
    return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
  };
  const [first, second] = [await send(routers[0]), await send(routers[0])];
  const [expected] = [await send(routers[1]), await send(routers[1])];
  expect(first).toEqual(expected);
  expect(second).toEqual(expected);
  return expected;
}

const counts = (router: RunningRouter) => ({ ...router.passThroughStats! });

it('passes a one-subgraph query through, with the answer the gateway gives', async () => {
  const before = counts(passing);
  const sent = product.queries.length;
  const query = 'query Shelf { products(first: 2) { id title kind note } }';
  const answer = await same([passing, planning], query);
  expect(answer).toMatchObject({ status: 200, data: { products: [productOf('1'), productOf('2')].map(({ price: _price, ...rest }) => rest) } });
  expect(counts(passing)).toEqual({ passed: before.passed + 2, planned: before.planned });
  // The client's document itself reached the subgraph (the gateway sends one of its own making).
  expect(product.queries.slice(sent)).toContain(query);
});

it('keeps aliases, fragments, __typename and @include as the gateway shapes them', async () => {
  const query = `query Q($withPrice: Boolean!, $n: Int!) {
    a: products(first: $n) { ...F cost: price @include(if: $withPrice) }
    b: product(id: "404") { id }
    __typename
  }
  fragment F on Product { __typename t: title id kind }`;
  const withPrice = await same([passing, planning], query, { withPrice: true, n: 3 });
  expect(withPrice.data.a[1]).toEqual({ __typename: 'Product', t: 'Toy two', id: '2', kind: 'TOY', cost: 200 });
  expect(withPrice.data.b).toBeNull();
  const without = await same([passing, planning], query, { withPrice: false, n: 1 });
  expect(without.data.a).toEqual([{ __typename: 'Product', t: 'Book one', id: '1', kind: 'BOOK' }]);
});

it('runs the named operation of a document of several, and mutations', async () => {
  const document = 'query One { product(id: "1") { title } } query Two { product(id: "2") { title } }';
  expect((await same([passing, planning], document, {}, 'Two')).data).toEqual({ product: { title: 'Toy two' } });
  const renamed = await same([passing, planning], 'mutation { rename(id: "3", title: "New") { id title } }');
  expect(renamed.data).toEqual({ rename: { id: '3', title: 'New' } });
});

it("relays a subgraph's errors as the gateway does: message, code, path, serviceName; nulls where it nulls", async () => {
  const refused = await same([passing, planning], '{ refused }');
  expect(refused.status).toBe(200);
  expect(refused.errors[0]).toMatchObject({ message: 'No, thank you', path: ['refused'], extensions: { code: 'BAD_USER_INPUT', field: 'x', serviceName: 'product' } });
  expect(refused.data).toBeNull();
  const flaky = await same([passing, planning], '{ flaky products(first: 1) { id } }');
  expect(flaky.data).toEqual({ flaky: null, products: [{ id: '1' }] });
  expect(flaky.errors).toHaveLength(1);
});

it('refuses variables that do not fit at the router, before any subgraph is asked', async () => {
  const sent = product.queries.length;
  const answer = await same([passing, planning], 'query($n: Int!) { products(first: $n) { id } }', { n: 'three' });
  expect(answer.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  expect(product.queries.length).toBe(sent);
});

it('leaves what needs a second subgraph, or introspection, to the gateway', async () => {
  const before = counts(passing);
  const joined = await same([passing, planning], '{ products(first: 2) { id title reviews } }');
  expect(joined.data.products[1]).toEqual({ id: '2', title: 'Toy two', reviews: ['Nice 2'] });
  const introspection = await same([passing, planning], '{ __schema { queryType { name } } products(first: 1) { id } }');
  expect(introspection.data.__schema.queryType.name).toBe('Query');
  expect(counts(passing)).toEqual({ passed: before.passed, planned: before.planned + 4 });
});

it('answers as the gateway when the subgraph is down: the error, and nulls shaped from nothing', async () => {
  const nonNull = await same([passingDown, planningDown], '{ products(first: 1) { id } }');
  expect(nonNull.data).toBeNull();
  expect(nonNull.errors[0].message).toMatch(/product subgraph is unreachable/);
  const nullable = await same([passingDown, planningDown], '{ flaky __typename }');
  expect(nullable.data).toEqual({ flaky: null, __typename: 'Query' });
  expect(passingDown.passThroughStats!.passed).toBeGreaterThan(0);
});
