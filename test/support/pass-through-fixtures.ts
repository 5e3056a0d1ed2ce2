/**
 * Fixture supergraphs for the pass-through comparison (test/router-pass-through-fixtures.test.ts): small subgraphs
 * with the shapes federation routers get wrong, each with resolvers and the operations to run through the gateway
 * with and without the pass-through. `passes` lists the operations that must still be passed through (one fetch,
 * nothing the gateway's reshaping changes), so the qualification is not merely "never".
 */
import { GraphQLError } from 'graphql';

export const LINK = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [${imports.map((name) => `"@${name}"`).join(', ')}])`;

export interface FixtureSubgraph {
  name: string;
  typeDefs: string;
  resolvers: Record<string, Record<string, unknown>>;
}

export interface FixtureOperation {
  query: string;
  variables?: Record<string, unknown>;
  /** The answer must come from the pass-through (it qualifies). */
  passes?: boolean;
}

export interface Fixture {
  name: string;
  subgraphs: FixtureSubgraph[];
  operations: FixtureOperation[];
}

/** The known leak: a subgraph returns an enum value the supergraph hides from clients. */
const inaccessibleEnum: Fixture = {
  name: '@inaccessible enum values',
  subgraphs: [
    {
      name: 'users',
      typeDefs: `${LINK(['key', 'inaccessible'])}
        type Query { users: [User!]! user(id: ID!): User account(id: ID!): Account }
        type User @key(fields: "id") { id: ID! name: String! kind: UserKind! previous: UserKind }
        type Account { id: ID! kinds: [UserKind] }
        enum UserKind { REGULAR STAFF ANONYMOUS @inaccessible }`,
      resolvers: {
        Query: {
          users: () => [
            { id: 'u1', name: 'Ann', kind: 'REGULAR', previous: 'ANONYMOUS' },
            { id: 'u2', name: 'Guest', kind: 'ANONYMOUS', previous: null },
          ],
          user: (_: unknown, { id }: { id: string }) => ({ id, name: 'Bob', kind: id === 'u9' ? 'ANONYMOUS' : 'STAFF', previous: 'ANONYMOUS' }),
          account: (_: unknown, { id }: { id: string }) => ({ id, kinds: ['STAFF', 'ANONYMOUS', 'REGULAR'] }),
        },
        User: { __resolveReference: (ref: { id: string }) => ({ ...ref, name: 'Ref', kind: 'REGULAR' }) },
      },
    },
  ],
  operations: [
    { query: '{ users { id kind } }' },
    { query: '{ users { id name previous } }' },
    { query: '{ user(id: "u9") { id kind } }' },
    { query: '{ user(id: "u1") { name previous } }' },
    { query: '{ account(id: "a") { id kinds } }' },
    { query: '{ users { id name } }', passes: true },
  ],
};

/** The known `{}`: `Oven` implements `Node` only in the inventory subgraph. */
const interfacePerSubgraph: Fixture = {
  name: 'interfaces implemented differently per subgraph',
  subgraphs: [
    {
      name: 'catalog',
      typeDefs: `${LINK(['key', 'shareable'])}
        type Query { products: [Product!]! node(id: ID!): Node }
        interface Node { id: ID! }
        interface Product { id: ID! title: String! }
        type Toaster implements Product & Node @key(fields: "id") { id: ID! title: String! slots: Int! }
        type Oven implements Product @key(fields: "id") { id: ID! title: String! }`,
      resolvers: {
        Query: {
          products: () => [
            { __typename: 'Toaster', id: 't1', title: 'Two-slot', slots: 2 },
            { __typename: 'Oven', id: 'o1', title: 'Big oven' },
          ],
          node: (_: unknown, { id }: { id: string }) => ({ __typename: 'Toaster', id, title: 'T', slots: 4 }),
        },
        Toaster: { __resolveReference: (ref: { id: string }) => ({ ...ref, title: 'Ref toaster', slots: 1 }) },
        Oven: { __resolveReference: (ref: { id: string }) => ({ ...ref, title: 'Ref oven' }) },
      },
    },
    {
      name: 'inventory',
      typeDefs: `${LINK(['key', 'shareable'])}
        type Query { stocked: [Node!]! }
        interface Node { id: ID! }
        type Oven implements Node @key(fields: "id") { id: ID! stock: Int! }`,
      resolvers: {
        Query: { stocked: () => [{ __typename: 'Oven', id: 'o1', stock: 3 }] },
        Oven: { __resolveReference: (ref: { id: string }) => ({ ...ref, stock: 7 }) },
      },
    },
  ],
  operations: [
    { query: '{ products { ... on Node { id } } }' },
    { query: '{ products { __typename title ...N } } fragment N on Node { id }' },
    { query: '{ products { id title __typename } }', passes: true },
    { query: '{ products { id ... on Toaster { slots } ... on Oven { title } } }', passes: true },
    { query: '{ node(id: "t9") { id ... on Toaster { slots } } }' },
    { query: '{ stocked { id ... on Oven { stock } } }', passes: true },
  ],
};

/** `@requires` whose required selection passes arguments. */
const requiresWithArguments: Fixture = {
  name: '@requires with arguments',
  subgraphs: [
    {
      name: 'products',
      typeDefs: `${LINK(['key'])}
        type Query { products: [Product!]! }
        type Product @key(fields: "id") { id: ID! weight(unit: String! = "kg"): Int! }`,
      resolvers: {
        Query: { products: () => [{ id: 'p1' }, { id: 'p2' }] },
        Product: {
          __resolveReference: (ref: { id: string }) => ref,
          weight: (product: { id: string }, { unit }: { unit: string }) => (product.id === 'p1' ? 2 : 5) * (unit === 'g' ? 1000 : 1),
        },
      },
    },
    {
      name: 'shipping',
      typeDefs: `${LINK(['key', 'external', 'requires'])}
        type Query { shippable: [Product!]! }
        type Product @key(fields: "id") {
          id: ID!
          weight(unit: String! = "kg"): Int! @external
          shippingEstimate(zone: String! = "home"): Int! @requires(fields: "weight(unit: \\"g\\")")
        }`,
      resolvers: {
        Query: { shippable: () => [{ id: 'p2' }, { id: 'p1' }] },
        Product: {
          __resolveReference: (ref: { id: string; weight?: number }) => ref,
          shippingEstimate: (product: { weight?: number }, { zone }: { zone: string }) =>
            product.weight === undefined ? -1 : Math.ceil(product.weight / 100) + (zone === 'home' ? 0 : 10),
        },
      },
    },
  ],
  operations: [
    { query: '{ products { id shippingEstimate(zone: "north") } }' },
    { query: '{ shippable { id shippingEstimate } }' },
    { query: 'query($z: String!) { shippable { id w: weight(unit: "g") shippingEstimate(zone: $z) } }', variables: { z: 'far' } },
    { query: '{ shippable { id } }', passes: true },
  ],
};

/** An `@interfaceObject`: `Media` is an object in reviews, an interface in the supergraph. */
const interfaceObject: Fixture = {
  name: '@interfaceObject',
  subgraphs: [
    {
      name: 'media',
      typeDefs: `${LINK(['key'])}
        type Query { media: [Media!]! }
        interface Media @key(fields: "id") { id: ID! title: String! }
        type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
        type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int! }`,
      resolvers: {
        Query: { media: () => [{ __typename: 'Book', id: 'b1', title: 'Dune', author: 'Herbert' }] },
        Media: {
          __resolveReference: (ref: { id: string }) =>
            ref.id.startsWith('b')
              ? { __typename: 'Book', id: ref.id, title: 'Dune', author: 'Herbert' }
              : { __typename: 'Movie', id: ref.id, title: 'Alien', minutes: 117 },
        },
      },
    },
    {
      name: 'reviews',
      typeDefs: `${LINK(['key', 'interfaceObject'])}
        type Query { topMedia: [Media!]! }
        type Media @key(fields: "id") @interfaceObject { id: ID! reviews: [String!]! }`,
      resolvers: {
        Query: { topMedia: () => [{ id: 'b1', reviews: ['Great'] }, { id: 'm1', reviews: ['Scary'] }] },
        Media: { __resolveReference: (ref: { id: string }) => ({ ...ref, reviews: [`About ${ref.id}`] }) },
      },
    },
  ],
  operations: [
    { query: '{ topMedia { id reviews } }' },
    { query: '{ topMedia { __typename id } }' },
    { query: '{ topMedia { id ... on Book { author } ... on Media { reviews } } }' },
    { query: '{ topMedia { id ...M } } fragment M on Media { reviews }' },
    { query: '{ media { id title reviews } }' },
  ],
};

/** `@provides` of a nested selection: reviews already has the product's name and its vendor's name. */
const providesNested: Fixture = {
  name: '@provides on nested fields',
  subgraphs: [
    {
      name: 'products',
      typeDefs: `${LINK(['key', 'shareable'])}
        type Query { products: [Product!]! }
        type Product @key(fields: "id") { id: ID! name: String! @shareable vendor: Vendor @shareable }
        type Vendor @key(fields: "id") { id: ID! name: String! @shareable country: String! }`,
      resolvers: {
        Query: { products: () => [{ id: 'p1', name: 'Kettle', vendor: { id: 'v1', name: 'Acme', country: 'CN' } }] },
        Product: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `Owner ${ref.id}`, vendor: { id: 'v1' } }) },
        Vendor: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `Owner vendor ${ref.id}`, country: 'CN' }) },
      },
    },
    {
      name: 'reviews',
      typeDefs: `${LINK(['key', 'external', 'provides'])}
        type Query { reviews: [Review!]! }
        type Review { id: ID! body: String! product: Product! @provides(fields: "name vendor { name }") }
        type Product @key(fields: "id") { id: ID! name: String! @external vendor: Vendor @external }
        type Vendor @key(fields: "id") { id: ID! name: String! @external }`,
      resolvers: {
        Query: {
          reviews: () => [
            { id: 'r1', body: 'Fine', product: { id: 'p1', name: 'Kettle (as reviewed)', vendor: { id: 'v1', name: 'Acme (as reviewed)' } } },
            { id: 'r2', body: 'Meh', product: { id: 'p2', name: 'Toaster (as reviewed)', vendor: null } },
          ],
        },
      },
    },
  ],
  operations: [
    { query: '{ reviews { id product { id name vendor { name } } } }', passes: true },
    { query: '{ reviews { body product { ...P } } } fragment P on Product { name vendor { id name } }', passes: true },
    { query: '{ reviews { id product { vendor { country } } } }' },
    { query: '{ reviews { product { name vendor { name country } } } }' },
  ],
};

/** A value type both subgraphs resolve, declared differently: `amount` nullable in one, extra `note` in one. */
const sharedValueTypes: Fixture = {
  name: 'shared value types with differing fields',
  subgraphs: [
    {
      name: 'pricing',
      typeDefs: `${LINK(['shareable', 'inaccessible'])}
        type Query { listPrice: Money! }
        type Money @shareable { amount: Int! currency: String! note: String @inaccessible }`,
      resolvers: { Query: { listPrice: () => ({ amount: 100, currency: 'CNY', note: 'internal' }) } },
    },
    {
      name: 'sales',
      typeDefs: `${LINK(['shareable'])}
        type Query { salePrice: Money salePrices: [Money]! }
        type Money @shareable { amount: Int currency: String! }`,
      resolvers: {
        Query: {
          salePrice: () => ({ amount: null, currency: 'CNY' }),
          salePrices: () => [
            { amount: 80, currency: 'CNY' },
            {
              amount: () => {
                throw new GraphQLError('no amount', { extensions: { code: 'NOT_FOUND' } });
              },
              currency: 'USD',
            },
          ],
        },
      },
    },
  ],
  operations: [
    { query: '{ listPrice { amount currency } }', passes: true },
    { query: '{ salePrice { amount currency } }', passes: true },
    { query: '{ salePrices { currency amount } }', passes: true },
    { query: '{ listPrice { amount } salePrice { amount } }' },
  ],
};

/** `Product.price` moved from legacy to pricing with `@override`; legacy still answers its stale price. */
const override: Fixture = {
  name: '@override',
  subgraphs: [
    {
      name: 'legacy',
      typeDefs: `${LINK(['key'])}
        type Query { products: [Product!]! }
        type Product @key(fields: "id") { id: ID! title: String! price: Int! stock: Int! }`,
      resolvers: {
        Query: { products: () => [{ id: 'p1', title: 'Kettle', price: 1, stock: 5 }] },
        Product: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, title: 'Kettle', price: 1, stock: 5 }) },
      },
    },
    {
      name: 'pricing',
      typeDefs: `${LINK(['key', 'override'])}
        type Query { cheapest: Product }
        type Product @key(fields: "id") { id: ID! price: Int! @override(from: "legacy") stock: Int! @override(from: "legacy", label: "percent(0)") }`,
      resolvers: {
        Query: { cheapest: () => ({ id: 'p1', price: 999, stock: 70 }) },
        Product: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, price: 999, stock: 70 }) },
      },
    },
  ],
  operations: [
    { query: '{ products { id title price } }' },
    { query: '{ products { id stock } }' },
    { query: '{ cheapest { id price } }', passes: true },
    { query: '{ cheapest { id stock } }' },
    { query: '{ cheapest { price title } }' },
  ],
};

/** A union whose members differ per subgraph: search has Book | Movie, feed has Book | Song. */
const unionAcrossSubgraphs: Fixture = {
  name: 'unions spread across subgraphs',
  subgraphs: [
    {
      name: 'search',
      typeDefs: `${LINK(['key', 'shareable'])}
        type Query { search: [Result!]! }
        union Result = Book | Movie
        type Book @key(fields: "id") { id: ID! title: String! }
        type Movie { id: ID! title: String! }`,
      resolvers: {
        Query: { search: () => [{ __typename: 'Book', id: 'b1', title: 'Dune' }, { __typename: 'Movie', id: 'm1', title: 'Alien' }] },
        Result: { __resolveType: (value: { __typename: string }) => value.__typename },
        Book: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, title: 'Dune' }) },
      },
    },
    {
      name: 'feed',
      typeDefs: `${LINK(['key', 'shareable'])}
        type Query { feed: [Result!]! }
        union Result = Book | Song
        type Book @key(fields: "id") { id: ID! pages: Int! }
        type Song { id: ID! seconds: Int! }`,
      resolvers: {
        Query: { feed: () => [{ __typename: 'Song', id: 's1', seconds: 200 }, { __typename: 'Book', id: 'b1', pages: 412 }] },
        Result: { __resolveType: (value: { __typename: string }) => value.__typename },
        Book: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, pages: 412 }) },
      },
    },
  ],
  operations: [
    { query: '{ search { __typename ... on Book { id title } ... on Movie { title } } }', passes: true },
    { query: '{ search { ... on Book { title } ... on Song { seconds } } }' },
    { query: '{ feed { __typename ... on Song { seconds } ... on Book { id } } }', passes: true },
    { query: '{ feed { ... on Book { title pages } } }' },
    { query: '{ search { __typename } feed { __typename } }' },
  ],
};

/**
 * What the gateway's reshaping does that a plain subgraph answer might not: @skip/@include with variables and
 * defaults, argument and variable defaults, error paths in lists, nulls bubbling, `@inaccessible` fields and
 * arguments next to visible ones, and a root type the subgraph names `RootQuery`.
 */
const gatewayShaping: Fixture = {
  name: 'directives, defaults, errors, hidden fields, renamed roots',
  subgraphs: [
    {
      name: 'shop',
      typeDefs: `${LINK(['key', 'inaccessible'])}
        schema { query: RootQuery }
        type RootQuery { items(limit: Int = 2, internal: Boolean @inaccessible): [Item!]! secret: String @inaccessible item(id: ID!): Item }
        type Item @key(fields: "id") { id: ID! name: String! broken: String strict: Int! tags(upper: Boolean = false): [String!]! }`,
      resolvers: {
        RootQuery: {
          items: (_: unknown, { limit, internal }: { limit: number; internal?: boolean }) =>
            ['i1', 'i2', 'i3', 'i4'].slice(0, internal ? 4 : limit).map((id) => ({ id })),
          item: (_: unknown, { id }: { id: string }) => ({ id }),
        },
        Item: {
          __resolveReference: (ref: { id: string }) => ref,
          name: ({ id }: { id: string }) => `Item ${id}`,
          broken: ({ id }: { id: string }) => {
            if (id === 'i2') throw new GraphQLError('broken item', { extensions: { code: 'CONFLICT', reason: 'BROKEN' } });
            return 'ok';
          },
          strict: ({ id }: { id: string }) => {
            if (id === 'i3') throw new Error('strict failed');
            return 1;
          },
          tags: (_: unknown, { upper }: { upper: boolean }) => (upper ? ['A', 'B'] : ['a', 'b']),
        },
      },
    },
  ],
  operations: [
    { query: '{ items { id name } }', passes: true },
    { query: 'query($n: Int = 3) { items(limit: $n) { id broken } }', passes: true },
    { query: 'query($n: Int = 3) { items(limit: $n) { id broken } }', variables: { n: 4 }, passes: true },
    { query: '{ items(limit: 4) { id strict } }', passes: true },
    { query: 'query($n: Int) { items(limit: $n) { id } }', passes: true },
    { query: 'query($n: Int) { items(limit: $n) { id } }', variables: { n: null }, passes: true },
    { query: '{ all: items(limit: 4) { id x: broken } one: item(id: "i3") { name strict } }', passes: true },
    { query: 'query($s: Boolean!, $u: Boolean = true) { items { id tags(upper: $u) @skip(if: $s) n: name @include(if: $s) } }', variables: { s: false }, passes: true },
    { query: 'query($s: Boolean!, $u: Boolean = true) { items { id tags(upper: $u) @skip(if: $s) n: name @include(if: $s) } }', variables: { s: true }, passes: true },
    { query: '{ __typename items { id } }' },
    { query: '{ secret items { id } }' },
    { query: '{ items(internal: true) { id } }' },
    { query: '{ q: __typename }' },
    { query: '{ items { __typename id tags } }', passes: true },
  ],
};

export const fixtures: Fixture[] = [
  inaccessibleEnum,
  interfacePerSubgraph,
  requiresWithArguments,
  interfaceObject,
  providesNested,
  sharedValueTypes,
  override,
  unionAcrossSubgraphs,
  gatewayShaping,
];
