/**
 * The pass-through never changes an answer: for each fixture supergraph (test/support/pass-through-fixtures.ts —
 * the shapes federation routers get wrong: @inaccessible enum values, interfaces implemented differently per
 * subgraph, @requires with arguments, @interfaceObject, nested @provides, shared value types that differ, @override,
 * unions spread across subgraphs, the gateway's own shaping), fake subgraphs over real HTTP, and two routers over the
 * same supergraph, one with ROUTER_PASS_THROUGH on and one off. Every operation's HTTP status and body must be the
 * same bytes (data, errors, extensions, key order); the operations marked `passes` must still be passed through.
 */
import fs from 'node:fs';
import path from 'node:path';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse, type OperationDefinitionNode } from 'graphql';
import { loadConfig } from '../platform/config';
import { passThroughDisqualification } from '../router/pass-through-qualify';
import { startRouter, type RunningRouter } from '../router/server';
import { startFakeSubgraph, writeSupergraph, type FakeSubgraph } from './support/fake-subgraph';
import { fixtures, type Fixture, type FixtureOperation } from './support/pass-through-fixtures';

interface Running {
  subgraphs: FakeSubgraph[];
  passing: RunningRouter;
  planning: RunningRouter;
}

const running = new Map<string, Running>();

const routerOver = (supergraphPath: string, passThrough: boolean) =>
  startRouter({
    config: loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      EXPLORER: 'false',
      SUPERGRAPH_PATH: supergraphPath,
      ROUTER_PASS_THROUGH: String(passThrough),
      SUBGRAPH_TIMEOUT_MS: '5000',
    }),
    host: '127.0.0.1',
    port: 0,
  });

async function start(fixture: Fixture): Promise<Running> {
  const subgraphs = await Promise.all(fixture.subgraphs.map((s) => startFakeSubgraph({ typeDefs: s.typeDefs, resolvers: s.resolvers as never })));
  const supergraph = writeSupergraph(fixture.subgraphs.map((s, i) => ({ name: s.name, url: subgraphs[i].url, typeDefs: s.typeDefs })));
  const [passing, planning] = await Promise.all([routerOver(supergraph, true), routerOver(supergraph, false)]);
  return { subgraphs, passing, planning };
}

beforeAll(async () => {
  for (const fixture of fixtures) running.set(fixture.name, await start(fixture));
}, 60_000);

afterAll(async () => {
  for (const { subgraphs, passing, planning } of running.values()) {
    await Promise.all([passing.close(), planning.close()]);
    await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
  }
});

async function send(router: RunningRouter, operation: FixtureOperation): Promise<string> {
  const response = await fetch(router.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: operation.query, variables: operation.variables ?? {} }),
  });
  return `${response.status} ${await response.text()}`;
}

describe.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
  it.each(fixture.operations.map((operation) => [operation.query, operation] as const))('%s', async (_query, operation) => {
    const { passing, planning } = running.get(fixture.name)!;
    const passedBefore = passing.passThroughStats!.passed;
    // Twice each: the first request of an operation is the one that decides whether it is passed through.
    const expected = await send(planning, operation);
    expect(await send(planning, operation)).toBe(expected);
    expect(await send(passing, operation)).toBe(expected);
    expect(await send(passing, operation)).toBe(expected);
    if (operation.passes) expect(passing.passThroughStats!.passed - passedBefore).toBe(2);
  });
});

describe("the shop's own operations", () => {
  // The pass-through is what makes the cart and catalog cheap (docs/performance.md): the qualification must not
  // send them back through the gateway. Same planner and check as router/pass-through.ts, on the committed supergraph.
  const supergraph = Supergraph.build(fs.readFileSync(path.join(__dirname, '../schema/supergraph.graphql'), 'utf8'));
  const api = supergraph.apiSchema();
  const apiSchema = api.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const operations = [
    'query List20 { products(first: 20) { edges { node { id title minPrice category { name } skus { id price available } } } pageInfo { hasNextPage endCursor } } }',
    'query Cart { cart { totalQuantity items { id quantity selected valid sku { id name price stock product { id title } } } price { subtotal discount total } } }',
    'query($id: ID!) { product(id: $id) { id title images minPrice onShelf category { id name } skus { id name price stock available product { id } } } }',
    'query($input: CheckoutInput!) { previewOrder(input: $input) { items { sku { id price } quantity } total } }',
    '{ categories { id name children { id name } } }',
    '{ me { id nickname addresses { id city isDefault } } }',
    '{ orders(first: 20) { edges { node { id status items { title quantity unitPrice } } } } }',
    '{ myCoupons(status: AVAILABLE) { id name type status } }',
  ];
  it.each(operations)('%s is still passed through', (query) => {
    const document = parse(query);
    const node = planner.buildQueryPlan(operationFromDocument(api, document)).node;
    expect(node?.kind).toBe('Fetch');
    const subgraph = supergraph.subgraphs().get((node as { serviceName: string }).serviceName)!.schema.toGraphQLJSSchema();
    expect(passThroughDisqualification(apiSchema, subgraph, document, document.definitions[0] as OperationDefinitionNode)).toBeUndefined();
  });
});
