/** The whole supergraph starts in-process on ephemeral ports and answers through the router. */
import type { RunningSupergraph } from '../app/launcher';
import { SUBGRAPH_NAMES } from '../platform/config';
import { gql, startSupergraph } from './support/harness';

let supergraph: RunningSupergraph;
beforeAll(async () => {
  supergraph = await startSupergraph();
});
afterAll(async () => {
  await supergraph?.stop();
});

it('reports every subgraph reachable on /health', async () => {
  const response = await fetch(new URL('/health', supergraph.routerUrl));
  const body = (await response.json()) as { status: string; subgraphs: Record<string, { status: string }> };
  expect(response.status).toBe(200);
  expect(Object.keys(body.subgraphs).sort()).toEqual([...SUBGRAPH_NAMES].sort());
  expect(body.status).toBe('ok');
});

it('serves anonymous queries through the router', async () => {
  const response = await gql(supergraph.routerUrl!, '{ order(id: "1") { id } }');
  expect(response.errors).toBeUndefined();
  expect(response.data).toEqual({ order: null });
});
