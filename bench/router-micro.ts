/**
 * A short, focused micro-benchmark of the router's own path (limits, cost estimate, pass-through decision and
 * forwarding, Apollo Server's pipeline): the router runs in this process over one stub subgraph that answers canned
 * data (the two bench operations, 20 products with SKUs and category, and a 99-line cart), and a child process sends
 * the load and serves the stub, so this process's CPU is the router's alone. No PostgreSQL, no Redis, no response
 * cache or dedup (each request does the router's full work). Prints router CPU ms per request per scenario.
 *
 *   npx tsx bench/router-micro.ts            # 3000 warm-up + 5000 measured requests per scenario, 10 in flight
 *   MICRO_REQUESTS=2000 MICRO_WARMUP=1000 npx tsx bench/router-micro.ts
 *
 * Not `npm run bench` (the production-like bench of docs/performance.md); a minute of one core.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const LIST = 'query List20 { products(first: 20) { edges { node { id title minPrice category { name } skus { id price available } } } pageInfo { hasNextPage endCursor } } }';
const CART = 'query Cart { cart { totalQuantity items { id quantity selected valid sku { id name price stock product { id title } } } price { subtotal discount total } } }';

function cannedList() {
  const edges = Array.from({ length: 20 }, (_, i) => ({
    node: {
      id: `p${i}`,
      title: `Product ${i} with a longer title as catalogs have`,
      minPrice: 1999 + i,
      category: { name: 'Kitchen' },
      skus: Array.from({ length: 3 }, (_, j) => ({ id: `s${i}-${j}`, price: 1999 + i + j, available: true })),
    },
  }));
  return { data: { products: { edges, pageInfo: { hasNextPage: true, endCursor: 'cursor-20' } } } };
}

function cannedCart() {
  const items = Array.from({ length: 99 }, (_, i) => ({
    id: `c${i}`,
    quantity: 1 + (i % 3),
    selected: true,
    valid: true,
    sku: { id: `s${i}`, name: `Colour ${i % 7} / size ${i % 5}`, price: 1000 + i, stock: 50, product: { id: `p${i}`, title: `Product ${i}` } },
  }));
  return { data: { cart: { totalQuantity: 198, items, price: { subtotal: 123456, discount: 0, total: 123456 } } } };
}

async function child() {
  const list = JSON.stringify(cannedList());
  const cart = JSON.stringify(cannedCart());
  const stub = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(200, { 'content-type': 'application/json' }).end(body.includes('cart') ? cart : list);
    });
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  process.send!({ stub: `http://127.0.0.1:${(stub.address() as AddressInfo).port}/graphql` });
  process.on('message', async (message: { router: string; query: string; count: number; concurrency: number }) => {
    let sent = 0;
    let failed = 0;
    const worker = async () => {
      while (sent < message.count) {
        sent += 1;
        const response = await fetch(message.router, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
          body: JSON.stringify({ query: message.query }),
        });
        const text = await response.text();
        if (response.status !== 200 || text.includes('"errors"')) failed += 1;
      }
    };
    await Promise.all(Array.from({ length: message.concurrency }, worker));
    process.send!({ done: true, failed });
  });
}

async function main() {
  const requests = Number(process.env.MICRO_REQUESTS ?? 5000);
  const warmup = Number(process.env.MICRO_WARMUP ?? 3000);
  const concurrency = 10;
  const load: ChildProcess = fork(__filename, ['child'], { execArgv: ['--import', 'tsx'] });
  const stub = await new Promise<string>((resolve) => load.once('message', (m: { stub: string }) => resolve(m.stub)));
  // Imported after the env is set: config is read once.
  const root = path.resolve(__dirname, '..');
  const { loadConfig, SUBGRAPH_NAMES } = await import(path.join(root, 'platform/config'));
  const { startRouter } = await import(path.join(root, 'router/server'));
  const names: readonly string[] = SUBGRAPH_NAMES;
  const router = await startRouter({
    config: loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      EXPLORER: 'false',
      ROUTER_RESPONSE_CACHE: 'false',
      ROUTER_DEDUP: 'false',
      SUPERGRAPH_PATH: path.join(root, 'schema/supergraph.graphql'),
    }),
    host: '127.0.0.1',
    port: 0,
    subgraphUrls: Object.fromEntries(names.map((name) => [name, stub])),
  });
  const run = (query: string, count: number) =>
    new Promise<number>((resolve) => {
      load.once('message', (m: { failed: number }) => resolve(m.failed));
      load.send({ router: router.url, query, count, concurrency });
    });
  for (const [name, query] of [['20 products', LIST], ['99-line cart', CART]] as const) {
    await run(query, warmup);
    const before = process.cpuUsage();
    const started = process.hrtime.bigint();
    const failed = await run(query, requests);
    const cpu = process.cpuUsage(before);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `${name}: router CPU ${((cpu.user + cpu.system) / 1000 / requests).toFixed(3)} ms/req, ${(requests / seconds).toFixed(0)} req/s, ${failed} failed, passed through ${router.passThroughStats?.passed ?? 0}`,
    );
  }
  await router.close();
  load.kill();
}

if (process.argv[2] === 'child') void child();
else void main();
