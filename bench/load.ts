/**
 * The benchmark's load generator, a process of its own (so its CPU is not the router's): sends `count` requests
 * at `concurrency` to `url`, cycling through the given request bodies, and prints one JSON line with the result.
 * It shares the cores with what it measures, so it uses undici's Dispatcher API (no fetch, no web streams): about
 * half the CPU per request, which is left to the services.
 *
 *   node --import tsx bench/load.ts <spec.json>
 *   spec: { url, count, concurrency, requests: [{ body, token? }] }
 */
import fs from 'node:fs';
import { Agent } from 'undici';

export interface LoadRequest {
  /** The JSON body, already serialised. */
  body: string;
  /** Access token sent as `Authorization: Bearer`. */
  token?: string;
}

export interface LoadSpec {
  url: string;
  count: number;
  concurrency: number;
  requests: LoadRequest[];
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  latencies: { p50: number; p95: number; p99: number };
  /** CPU ms (user + system) the load generator itself used during the run. */
  cpuMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as LoadSpec;
  const dispatcher = new Agent({ connections: spec.concurrency, keepAliveTimeout: 30_000 });
  const url = new URL(spec.url);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (next < spec.count) {
        const request = spec.requests[next % spec.requests.length];
        next += 1;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (request.token) headers.authorization = `Bearer ${request.token}`;
        const t0 = performance.now();
        const response = await dispatcher.request({ origin: url.origin, path: url.pathname, method: 'POST', headers, body: request.body });
        const text = await response.body.text();
        latencies.push(performance.now() - t0);
        if (response.statusCode !== 200 || text.includes('"errors"')) {
          errors += 1;
          firstError ??= `${response.statusCode} ${text.slice(0, 300)} for ${request.body.slice(0, 200)}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    requests: latencies.length,
    errors,
    firstError,
    seconds,
    latencies: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
