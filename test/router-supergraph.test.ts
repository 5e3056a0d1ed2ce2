/**
 * The router serves whatever supergraph SUPERGRAPH_PATH names, reaching each subgraph at the routing_url composed
 * into it: here a supergraph of one stand-in subgraph, composed in the test.
 */
import { loadConfig } from '../platform/config';
import { startRouter, type RunningRouter } from '../router/server';
import { FEDERATION_LINK, startFakeSubgraph, writeSupergraph, type FakeSubgraph } from './support/fake-subgraph';
import { codes, gql } from './support/harness';

const typeDefs = `${FEDERATION_LINK}
"A thing kept by the inventory subgraph." type Thing @key(fields: "id") { "Id." id: ID!  "Name." name: String! }
"Root" type Query { "Things by id." things(ids: [ID!]!): [Thing!]! }`;

let subgraph: FakeSubgraph;
let router: RunningRouter;

beforeAll(async () => {
  subgraph = await startFakeSubgraph({
    typeDefs,
    resolvers: { Query: { things: (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => ({ id, name: `thing ${id}` })) } },
  });
  const supergraphPath = writeSupergraph([{ name: 'inventory', url: subgraph.url, typeDefs }]);
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', SUPERGRAPH_PATH: supergraphPath, EXPLORER: 'false' });
  router = await startRouter({ config, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await router?.close();
  await subgraph?.close();
});

it('answers from the subgraph at its composed routing_url', async () => {
  const response = await gql(router.url, 'query ($ids: [ID!]!) { things(ids: $ids) { id name } }', { ids: ['1', '2'] });
  expect(response).toEqual({ status: 200, data: { things: [{ id: '1', name: 'thing 1' }, { id: '2', name: 'thing 2' }] } });
  expect(subgraph.requests.length).toBeGreaterThan(0);
});

it('exposes that supergraph’s API and nothing of the shop’s', async () => {
  const introspection = await gql(router.url, '{ __schema { queryType { fields { name } } } }');
  expect(introspection.data.__schema.queryType.fields.map((f: { name: string }) => f.name)).toEqual(['things']);
  expect(codes(await gql(router.url, '{ products(first: 1) { edges { cursor } } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
});

it('checks the health of that supergraph’s subgraphs only', async () => {
  const response = await fetch(new URL('/health', router.url));
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    status: 'ok',
    subgraphs: { inventory: { status: 'ok', url: subgraph.url, latencyMs: expect.any(Number) } },
  });
});
