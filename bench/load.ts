/**
 * The benchmark's load generator, a process of its own (so its CPU is not the router's): sends `count` requests
 * at `concurrency` to `url`, cycling through the given request bodies, and prints one JSON line with the result.
 * It shares the cores with what it measures, so it is as cheap per request as undici allows: the Dispatcher's
 * callback API (no fetch, no streams, no promise per chunk), bodies and headers prepared once, and an answer judged
 * by its status and a byte search for `"errors"`. Every CPU millisecond it saves is left to the services.
 *
 *   node --import tsx bench/load.ts <spec.json>
 *   spec: { url, count, concurrency, requests: [{ body, token? }], warmup? }
 *
 * With `warmup`, it first sends that many requests unmeasured (warming the services and itself: a cold load
 * generator costs several times its warm CPU per request), prints `warm`, and waits for a line on stdin before the
 * measured run, so the caller can read the services' counters exactly between the two.
 */
import fs from 'node:fs';
import { Agent, type Dispatcher } from 'undici';
import { OpenClient } from '../clients/open-client';

export interface LoadRequest {
  /** The JSON body, already serialised. */
  body: string;
  /** Access token sent as `Authorization: Bearer`. */
  token?: string;
  /**
   * A signed open-platform call instead (docs/open-platform.md): POSTed to /open/v1/{method} on the spec's origin with
   * `body` as the business parameters, signed by clients/open-client.ts with a fresh nonce and timestamp per request
   * (the gateway accepts a nonce once), so its headers cannot be prepared once.
   */
  open?: { method: string; appKey: string; appSecret: string; session: string };
}

export interface LoadSpec {
  url: string;
  count: number;
  concurrency: number;
  requests: LoadRequest[];
  /** Unmeasured requests sent first (see above). */
  warmup?: number;
  /**
   * Open loop: the measured run sends at this many requests per second whatever the answers take (at most
   * `concurrency` sockets; requests beyond them wait in line, and that wait counts), and each latency is measured from
   * the moment its request was due, so a slow answer cannot hide the ones it held up. The warm-up stays closed-loop.
   */
  rate?: number;
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

/** A request ready to send: its body and headers as undici takes them, built once. */
interface Prepared {
  body: Buffer;
  headers: string[];
  text: string;
  /** Path to POST to instead of the spec's (open calls). */
  path?: string;
  /** Fresh signed headers for each send (open calls). */
  sign?: () => string[];
}

const ERRORS = Buffer.from('"errors"');

/** One POST through the Dispatcher's callback API; resolves with the status and the whole answer. */
function send(dispatcher: Agent, origin: string, path: string, request: Prepared): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    const handler: Dispatcher.DispatchHandlers = {
      onConnect() {},
      onError: reject,
      onHeaders(statusCode) {
        status = statusCode;
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        resolve({ status, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
      },
    };
    dispatcher.dispatch({ origin, path: request.path ?? path, method: 'POST', headers: request.sign ? request.sign() : request.headers, body: request.body }, handler);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Open loop: `count` requests due at `rate` per second from now, cycling through the prepared requests; each
 * latency counts from when its request was due.
 */
async function runAtRate(spec: LoadSpec, dispatcher: Agent, prepared: Prepared[], count: number, rate: number) {
  const url = new URL(spec.url);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let next = 0;
  while (next < count) {
    // Everything due by now goes out; then wait about a millisecond (timers are coarse, so send in small bursts).
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; next < due; next += 1) {
      const request = prepared[next % prepared.length];
      const dueAt = started + (next / rate) * 1000;
      pending.push(
        send(dispatcher, url.origin, url.pathname, request).then((response) => {
          latencies.push(performance.now() - dueAt);
          if (response.status !== 200 || response.body.includes(ERRORS)) {
            errors += 1;
            firstError ??= `${response.status} ${response.body.subarray(0, 300).toString()} for ${request.text.slice(0, 200)}`;
          }
        }),
      );
    }
    if (next < count) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { latencies, errors, firstError, seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Sends `count` requests at the spec's concurrency, cycling through the prepared requests from the first. */
async function run(spec: LoadSpec, dispatcher: Agent, prepared: Prepared[], count: number) {
  const url = new URL(spec.url);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (next < count) {
        const request = prepared[next % prepared.length];
        next += 1;
        const t0 = performance.now();
        const response = await send(dispatcher, url.origin, url.pathname, request);
        latencies.push(performance.now() - t0);
        if (response.status !== 200 || response.body.includes(ERRORS)) {
          errors += 1;
          firstError ??= `${response.status} ${response.body.subarray(0, 300).toString()} for ${request.text.slice(0, 200)}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { latencies, errors, firstError, seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The next line on stdin (the caller's go-ahead). */
function nextLine(): Promise<void> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      if (!chunk.includes('\n')) return;
      process.stdin.off('data', onData);
      // Nothing more to read: an open stdin would keep this process alive after the measured run.
      process.stdin.destroy();
      resolve();
    };
    process.stdin.on('data', onData);
  });
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as LoadSpec;
  const dispatcher = new Agent({ connections: spec.concurrency, keepAliveTimeout: 30_000 });
  const prepared: Prepared[] = spec.requests.map((request) => {
    const open = request.open;
    const client = open && new OpenClient({ baseUrl: new URL(spec.url).origin, appKey: open.appKey, appSecret: open.appSecret, session: open.session });
    return {
      body: Buffer.from(request.body),
      headers: ['content-type', 'application/json', ...(request.token ? ['authorization', `Bearer ${request.token}`] : [])],
      text: request.body,
      ...(open && client
        ? { path: `/open/v1/${open.method}`, sign: () => Object.entries(client.prepare(open.method, {}, { rawBody: request.body }).headers).flat() }
        : {}),
    };
  });
  if (spec.warmup) {
    await run(spec, dispatcher, prepared, spec.warmup);
    process.stdout.write('warm\n');
    await nextLine();
  }
  const { latencies, errors, firstError, seconds, cpuMs } = spec.rate
    ? await runAtRate(spec, dispatcher, prepared, spec.count, spec.rate)
    : await run(spec, dispatcher, prepared, spec.count);
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    requests: latencies.length,
    errors,
    firstError,
    seconds,
    latencies: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
    cpuMs,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
