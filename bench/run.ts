/**
 * `npm run bench`: throughput and latency of the whole supergraph through the router, on this machine.
 * Starts the supergraph in-process on ephemeral ports (DATABASE_URL → real PostgreSQL, else embedded PGlite),
 * then drives a fixed number of requests per scenario at a fixed concurrency from this process over loopback.
 * Prints requests/s, p50/p95/p99 latency and the process RSS. Bounded: stops by itself.
 *
 *   BENCH_REQUESTS=2000 BENCH_CONCURRENCY=32 npm run bench
 */
import { Agent, fetch } from 'undici';
import { signAccessToken } from '../platform/access-token';
import { loadConfig } from '../platform/config';
import { launch } from '../app/launcher';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

interface Scenario {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  token?: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(url: string, scenario: Scenario, dispatcher: Agent, count = REQUESTS) {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const body = JSON.stringify({ query: scenario.query, variables: scenario.variables ?? {} });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (scenario.token) headers.authorization = `Bearer ${scenario.token}`;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next += 1;
        const t0 = performance.now();
        const response = await fetch(url, { method: 'POST', headers, body, dispatcher });
        const json = (await response.json()) as { errors?: unknown[] };
        latencies.push(performance.now() - t0);
        if (!response.ok || json.errors) errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    scenario: scenario.name,
    requests: latencies.length,
    errors,
    'req/s': Math.round(latencies.length / seconds),
    'p50 ms': +percentile(latencies, 50).toFixed(1),
    'p95 ms': +percentile(latencies, 95).toFixed(1),
    'p99 ms': +percentile(latencies, 99).toFixed(1),
  };
}

async function main() {
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', DATA_DIR: process.env.DATA_DIR ?? '.data/bench' });
  const supergraph = await launch({ config, ephemeralPorts: true });
  const url = supergraph.routerUrl!;
  const dispatcher = new Agent({ connections: CONCURRENCY });
  try {
    const first = (await (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ products(first: 1) { edges { node { id skus { id } } } } }' }),
        dispatcher,
      })
    ).json()) as { data: { products: { edges: { node: { id: string; skus: { id: string }[] } }[] } } };
    const productId = first.data.products.edges[0].node.id;
    const shopper = signAccessToken({ userId: '424242', scopes: [] }, config);

    const scenarios: Scenario[] = [
      { name: 'product by id (1 subgraph)', query: 'query($id: ID!) { product(id: $id) { id title minPrice skus { id price stock } } }', variables: { id: productId } },
      {
        name: 'product list, 20 with skus + category',
        query: '{ products(first: 20) { edges { node { id title minPrice category { name } skus { id price available } } } pageInfo { hasNextPage endCursor } } }',
      },
      { name: 'cart (signed in; cart→product, promote)', query: '{ cart { totalQuantity items { quantity sku { price product { title } } } price { total } } }', token: shopper },
    ];
    console.log(`router ${url}; ${REQUESTS} requests per scenario at concurrency ${CONCURRENCY}; database: ${supergraph.databases.embedded.length ? 'embedded PGlite' : 'PostgreSQL'}`);
    const rows = [];
    for (const scenario of scenarios) {
      await run(url, scenario, dispatcher, Math.ceil(REQUESTS / 10)); // warm-up (JIT, pools, plans), not reported
      rows.push(await run(url, scenario, dispatcher));
    }
    console.table(rows);
    console.log(`RSS after run: ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB (router + ${Object.keys(supergraph.subgraphs).length} subgraphs${supergraph.databases.embedded.length ? ` + ${supergraph.databases.embedded.length} PGlite instances` : ''} in one process)`);
  } finally {
    await dispatcher.close();
    await supergraph.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
