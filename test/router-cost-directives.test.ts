/**
 * Cost directives (docs/limits.md): a subgraph's `@cost(weight)` and `@listSize(assumedSize, slicingArguments,
 * sizedFields, requireOneSlicingArgument)` — declared the two ways a Federation 2 subgraph can (imported from
 * federation v2.9, or from the cost spec's own link) — survive composition, are read from the supergraph, change the
 * router's estimate as the spec says, and a refusal reports `extensions.cost { estimated, max }`. The shop's own
 * declarations keep every client-contract operation within the limit and the hostile examples refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { composeServices } from '@apollo/composition';
import { parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { loadConfig } from '../platform/config';
import { costDirectivesFromSupergraph, type CostDirectives } from '../router/cost-directives';
import { estimateCost } from '../router/limits';
import { startRouter, type RunningRouter } from '../router/server';
import { startFakeSubgraph, writeSupergraph, type FakeSubgraph } from './support/fake-subgraph';

const booksTypeDefs = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
type Query {
  shelves: [Shelf!]! @listSize(assumedSize: 5)
  search(first: Int, last: Int, filter: SearchFilter): [Book!]! @listSize(slicingArguments: ["first", "last"])
  recent(first: Int = 10): [Book!]! @listSize(slicingArguments: ["first"])
  browse(first: Int, after: String): BookConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false, assumedSize: 30)
  report(detailed: Boolean @cost(weight: 40)): Int @cost(weight: 25)
  plain: [Book!]!
}
input SearchFilter { text: String fullText: Boolean @cost(weight: 15) }
type Shelf { id: ID! books: [Book!]! @listSize(assumedSize: 40) }
type Book @key(fields: "id") @cost(weight: 2) { id: ID! title: String! cover: Image rating: Score }
type Image @cost(weight: 10) { url: String! }
scalar Score @cost(weight: 3)
type BookConnection { edges: [BookEdge!]! }
type BookEdge { node: Book! }`;

/** The other way to declare them: the cost spec linked on its own, next to an older federation version. */
const reviewsTypeDefs = `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"])
type Book @key(fields: "id") { id: ID! reviews: [String!]! @listSize(assumedSize: 7) @cost(weight: 1) }
type Query { reviewCount: Int! }`;

const defaults = { defaultListSize: 20, maxPageSize: 100, max: 10_000 };

function composed(subgraphs: { name: string; typeDefs: string }[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: `http://${s.name}/graphql`, typeDefs: parse(s.typeDefs) })));
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

function estimator(supergraphSdl: string) {
  const schema: GraphQLSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  const directives: CostDirectives = costDirectivesFromSupergraph(supergraphSdl);
  return (query: string, variables?: Record<string, unknown>, withDirectives = true) => {
    const document = parse(query);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
    return estimateCost(schema, document, operation.selectionSet, schema.getRootType(operation.operation)!, {
      ...defaults,
      variables,
      directives: withDirectives ? directives : undefined,
    });
  };
}

describe('the directives, composed and read from the supergraph', () => {
  const sdl = composed([
    { name: 'books', typeDefs: booksTypeDefs },
    { name: 'reviews', typeDefs: reviewsTypeDefs },
  ]);
  const cost = estimator(sdl);

  it('keeps both ways of declaring them in the supergraph, under the cost spec link', () => {
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1"');
    const directives = costDirectivesFromSupergraph(sdl);
    expect(directives.fields.get('Query.shelves')?.listSize).toMatchObject({ assumedSize: 5, requireOneSlicingArgument: true });
    expect(directives.fields.get('Book.reviews')).toMatchObject({ weight: 1, listSize: { assumedSize: 7 } });
    expect(directives.types.get('Book')).toBe(2);
    expect(directives.types.get('Score')).toBe(3);
    expect(directives.inputFields.get('SearchFilter.fullText')).toBe(15);
  });

  it('sizes lists by assumedSize and multiplies by the types’ weights', () => {
    // 5 shelves × (1 + 40 books × weight 2)
    expect(cost('{ shelves { id books { id title } } }').cost).toBe(5 * (1 + 40 * 2));
    // Without the directives: 20 × (1 + 20 × 1)
    expect(cost('{ shelves { id books { id title } } }', undefined, false).cost).toBe(20 * (1 + 20));
  });

  it('sizes lists by their slicing argument: a literal, a variable, the argument’s default; no cap of its own', () => {
    expect(cost('{ search(first: 7) { id } }').cost).toBe(7 * 2);
    expect(cost('query($n: Int) { search(last: $n) { id } }', { n: 300 })).toMatchObject({ cost: 300 * 2, variablesRead: true });
    expect(cost('{ recent { id } }').cost).toBe(10 * 2);
    expect(cost('{ recent(first: 3) { id } }').slicingProblems).toEqual([]);
  });

  it('requires exactly one slicing argument unless requireOneSlicingArgument is false', () => {
    expect(cost('{ search { id } }').slicingProblems).toEqual(['Query.search needs exactly one of first, last']);
    expect(cost('{ search(first: 2, last: 5) { id } }')).toEqual({ cost: 5 * 2, slicingProblems: ['Query.search needs exactly one of first, last'], variablesRead: false });
    // browse: not required; without `first` its assumedSize sizes the edges.
    expect(cost('{ browse { edges { node { id } } } }')).toEqual({ cost: 1 + 30 * (1 + 2), slicingProblems: [], variablesRead: false });
  });

  it('gives sizedFields the slicing argument: a connection’s edges', () => {
    expect(cost('{ browse(first: 12) { edges { node { id } } } }').cost).toBe(1 + 12 * (1 + 2));
  });

  it('counts @cost on fields, arguments given, input fields given, scalars and objects', () => {
    expect(cost('{ report }').cost).toBe(25);
    expect(cost('{ report(detailed: true) }').cost).toBe(25 + 40);
    expect(cost('{ report(detailed: null) }').cost).toBe(25);
    expect(cost('query($d: Boolean) { report(detailed: $d) }', {}).cost).toBe(25);
    expect(cost('query($d: Boolean) { report(detailed: $d) }', { d: false })).toEqual({ cost: 25 + 40, slicingProblems: [], variablesRead: true });
    expect(cost('{ search(first: 2, filter: { text: "x", fullText: true }) { id } }').cost).toBe(2 * 2 + 15);
    expect(cost('query($f: SearchFilter) { search(first: 2, filter: $f) { id } }', { f: { fullText: false } }).cost).toBe(2 * 2 + 15);
    expect(cost('query($f: SearchFilter) { search(first: 2, filter: $f) { id } }', { f: { text: 'a' } }).cost).toBe(2 * 2);
    expect(cost('query($t: Boolean) { search(first: 2, filter: { fullText: $t }) { id } }', { t: true }).cost).toBe(2 * 2 + 15);
    expect(cost('query($t: Boolean) { search(first: 2, filter: { fullText: $t }) { id } }', {}).cost).toBe(2 * 2);
    expect(cost('{ recent(first: 1) { cover { url } rating } }').cost).toBe(1 * (2 + 10 + 3));
    // A leaf list with a weight: 7 reviews × 1 per book.
    expect(cost('{ recent(first: 2) { reviews } }').cost).toBe(2 * (2 + 7));
  });

  it('changes nothing for a supergraph without the cost spec', () => {
    const plain = composed([{ name: 'books', typeDefs: 'type Query { books: [B!]! } type B { id: ID! }' }]);
    const directives = costDirectivesFromSupergraph(plain);
    expect(directives.fields.size + directives.types.size + directives.inputFields.size).toBe(0);
  });
});

describe('the router', () => {
  let books: FakeSubgraph;
  let reviews: FakeSubgraph;
  let router: RunningRouter;
  const book = (id: string) => ({ id, title: `Book ${id}`, cover: null, rating: 4 });

  beforeAll(async () => {
    books = await startFakeSubgraph({
      typeDefs: booksTypeDefs,
      resolvers: {
        Query: {
          shelves: () => [{ id: 's1', books: [book('1')] }],
          browse: () => ({ edges: [{ node: book('1') }, { node: book('2') }] }),
          search: () => [book('3')],
          report: () => 7,
        },
        Book: { __resolveReference: (ref: { id: string }) => book(ref.id) },
      },
    });
    reviews = await startFakeSubgraph({
      typeDefs: reviewsTypeDefs,
      resolvers: { Query: { reviewCount: () => 1 }, Book: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, reviews: ['Good'] }) } },
    });
    const supergraph = writeSupergraph([
      { name: 'books', url: books.url, typeDefs: booksTypeDefs },
      { name: 'reviews', url: reviews.url, typeDefs: reviewsTypeDefs },
    ]);
    router = await startRouter({
      config: loadConfig({ ...process.env, NODE_ENV: 'test', EXPLORER: 'false', SUPERGRAPH_PATH: supergraph, MAX_QUERY_COST: '100' }),
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(async () => {
    await router?.close();
    await Promise.all([books, reviews].map((subgraph) => subgraph?.close()));
  });

  const send = async (query: string) => {
    const response = await fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
  };

  it('answers what the directives put within the limit (@apollo/gateway loads the supergraph)', async () => {
    const { status, body } = await send('{ browse(first: 2) { edges { node { id title reviews } } } report }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ browse: { edges: [{ node: { id: '1', title: 'Book 1', reviews: ['Good'] } }, { node: { id: '2', title: 'Book 2', reviews: ['Good'] } }] }, report: 7 });
  });

  it('refuses what they put over it, reporting extensions.cost { estimated, max } besides limit/max/found', async () => {
    const { status, body } = await send('{ shelves { id books { id title } } }');
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'cost', max: 100, found: 405, cost: { estimated: 405, max: 100 } });
  });

  it('estimates a document whose size is a variable for each request (only variable-free estimates are remembered)', async () => {
    const query = 'query($n: Int) { search(first: $n) { id } }';
    const sendWith = async (n: number) => {
      const response = await fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { n } }) });
      return { status: response.status, body: (await response.json()) as { errors?: any[] } };
    };
    expect((await sendWith(3)).status).toBe(200);
    const refused = await sendWith(60);
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].extensions.cost).toEqual({ estimated: 120, max: 100 });
    expect((await sendWith(3)).status).toBe(200);
  });

  it('remembers a variable-free verdict per document and still refuses it every time', async () => {
    for (let i = 0; i < 3; i++) expect((await send('{ shelves { id books { id title } } }')).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await send('{ browse(first: 2) { edges { node { id } } } }')).status).toBe(200);
  });

  it('refuses a list that needs exactly one slicing argument and has none', async () => {
    const { status, body } = await send('{ search { id } }');
    expect(status).toBe(400);
    expect(body.errors![0].message).toMatch(/Query\.search needs exactly one of first, last/);
    expect(body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'cost', max: 100, reason: 'SLICING_ARGUMENT', cost: { estimated: 2 * 20, max: 100 } });
    expect((await send('{ search(first: 1) { id } }')).body.data).toEqual({ search: [{ id: '3' }] });
  });
});

describe("the shop's supergraph", () => {
  const sdl = fs.readFileSync(path.join(__dirname, '../schema/supergraph.graphql'), 'utf8');
  const cost = estimator(sdl);
  const contract: [string, string, number][] = [
    ['product detail', 'query($id: ID!) { product(id: $id) { id title images minPrice onShelf category { id name } skus { id name price stock available product { id } } } }', 42],
    ['99-line cart', '{ cart { items { sku { price product { title } } } price { total bestCoupon { id } } } }', 1 + 99 * 3 + 2],
    ['order list of 20', '{ orders(first: 20) { edges { node { items { sku { product { title } } } payment { status } } } } }', 1 + 20 * (1 + 1 + 99 * 3 + 1)],
    ['products list of 100', '{ products(first: 100) { edges { cursor node { id title images minPrice category { id name } skus { id name price stock available } } } pageInfo { hasNextPage endCursor } } }', 2302],
    ['checkout preview', 'query($input: CheckoutInput!) { previewOrder(input: $input) { items { sku { id price } quantity } total } }', 1 + 99 * 2],
  ];

  it.each(contract)('keeps the %s within the limit (%s)', (_name, query, expected) => {
    expect(cost(query)).toEqual({ cost: expected, slicingProblems: [], variablesRead: false });
    expect(expected).toBeLessThanOrEqual(defaults.max);
  });

  it('still refuses the hostile examples', () => {
    const cycle = '{ products(first: 100) { edges { node { skus { product { skus { id } } } } } } }';
    expect(cost(cycle).cost).toBe(44_201);
    const aliases = Array.from({ length: 12 }, (_, i) => `a${i}: products(first: 100) { edges { node { skus { product { skus { id } } } } } }`);
    expect(cost(`{ ${aliases.join(' ')} }`).cost).toBe(530_412);
  });
});
