/**
 * The pass-through never changes an answer: for each fixture supergraph (test/support/pass-through-fixtures.ts —
 * the shapes federation routers get wrong: @inaccessible enum values, interfaces implemented differently per
 * subgraph, @requires with arguments, @interfaceObject, nested @provides, shared value types that differ, @override,
 * unions spread across subgraphs, the gateway's own shaping), fake subgraphs over real HTTP, and two routers over the
 * same supergraph, one with ROUTER_PASS_THROUGH on and one off. Every operation's HTTP status and body must be the
 * same bytes (data, errors, extensions, key order); the operations marked `passes` must still be passed through.
 */
import { loadConfig } from '../platform/config';
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
