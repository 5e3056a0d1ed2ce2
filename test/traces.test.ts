/**
 * Traces through the real router and subgraphs (platform/tracing.ts), exported over OTLP/HTTP to a collector's
 * endpoint in this test (test/support/otlp-receiver.ts): one client request carrying a W3C traceparent yields spans of
 * the router (its own, and @apollo/gateway's planning and fetches), of the subgraphs it fetched from, of a
 * subgraph-to-subgraph call and of SQL statements — all in the client's trace, each one's parent in it.
 * Without OTEL_EXPORTER_OTLP_ENDPOINT nothing starts and nothing is sent.
 */
import crypto from 'node:crypto';
import knexFactory from 'knex';
import { SUBGRAPH_NAMES } from '../platform/config';
import { flushTracing, otelTrace, SpanKind, tracingEnabled } from '../platform/tracing';
import { createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT } from '../subgraphs/order/test/checkout-fixtures';
import { bearer, gql, startSupergraph, uniquePhone } from './support/harness';
import { bareEnv, run, type Run } from './support/processes';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';

const PREVIEW = 'query Preview($input: CheckoutInput!) { previewOrder(input: $input) { items { sku { id name } product { id title rating { count } } } } }';

/** A shopper with an address and a product to preview: the preview is order's, which asks promote; ratings are review's. */
async function previewSetup(router: string) {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 1500, stock: 4 }]);
  const registered = ok(
    await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
      input: { phone: uniquePhone(), password: 'trace12345', nickname: 'trace' },
    }),
  ).register;
  const auth = bearer(registered.accessToken);
  const addressId = ok(await gql(router, 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT }, auth)).addAddress.id;
  return { auth, variables: { input: { items: skuIds.map((skuId) => ({ skuId, quantity: 1 })), addressId } } };
}

const hex = (bytes: number) => crypto.randomBytes(bytes).toString('hex');

/**
 * The whole shop as `npm start` runs it (scripts/start-all.ts: the router and every subgraph in one process, each
 * with its own service name), a real process: the OTLP exporter runs as in production (jest's module sandbox cannot
 * run its dynamic imports). On a database of its own, migrated and seeded by the process itself.
 */
const withPostgres = process.env.SHOP_TEST_ADMIN_URL ? describe : describe.skip;

withPostgres('with OTEL_EXPORTER_OTLP_ENDPOINT (the shop as a process)', () => {
  let receiver: OtlpReceiver;
  let router: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  let shop: Run | undefined;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const adminUrl = process.env.SHOP_TEST_ADMIN_URL!;
    const database = `shop_trace_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    await admin.raw('CREATE DATABASE ??', [database]);
    dropDatabase = async () => {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
      await admin.destroy();
    };
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const ports = Object.fromEntries(['ROUTER', ...SUBGRAPH_NAMES.map((n) => n.toUpperCase())].map((n) => [`${n}_PORT`, '0']));
    shop = run(
      ['scripts/start-all.ts'],
      bareEnv({
        NODE_ENV: 'development',
        EXPLORER: 'false',
        DATABASE_URL: url.toString(),
        DB_SEPARATE_ROLES: 'false',
        ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
        EVENTS_NAMESPACE: `shop-trace-${crypto.randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'warn',
        // Every test client is 127.0.0.1, and with Redis sign-up counts outlive a run (as test/support/harness.ts).
        REGISTER_MAX_PER_IP: '1000000',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '100',
        ...ports,
      }),
    );
    router = (await shop.waitFor(/^router\s+(http:\/\/[^\s"]+)/m))[1]!;
    await shop.waitFor(/Ready in/);
  }, 240_000);
  afterAll(async () => {
    // SIGTERM: the process stops as in production (its last spans flushed), before its database is dropped.
    shop?.child.kill('SIGTERM');
    await shop?.exited;
    await dropDatabase?.();
    await receiver?.close();
  });

  /** The spans of `traceId` once `done` holds of them (they arrive in batches every 100 ms). */
  async function spansOf(traceId: string, done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + 15_000;
    let spans: ReceivedSpan[] = [];
    while (Date.now() < deadline) {
      spans = receiver.spans.filter((span) => span.traceId === traceId);
      if (done(spans)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // What was ended with them (a subgraph's last statements) has had a batch's time to come too.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return receiver.spans.filter((span) => span.traceId === traceId);
  }

  // OTLP numbers kinds from 1 (INTERNAL); the API from 0.
  const kind = (k: SpanKind) => k + 1;

  it("puts the router's, the subgraphs' and the SQL spans of one request into the client's trace, each under its parent", async () => {
    const { auth, variables } = await previewSetup(router);
    const traceId = hex(16);
    const clientSpanId = hex(8);
    const answer = await gql(router, PREVIEW, variables, { ...auth, traceparent: `00-${traceId}-${clientSpanId}-01` });
    expect(answer.errors).toBeUndefined();
    const trace = await spansOf(traceId, (spans) => spans.some((s) => s.service === 'shop-router' && s.kind === kind(SpanKind.SERVER)));

    const ids = new Set(trace.map((s) => s.spanId));
    if (process.env.DEBUG_TRACE) console.log(trace.map((s) => `${s.spanId} <- ${s.parentSpanId} ${s.service} ${s.kind} ${s.name}`).join('\n'));
    const [root, ...others] = trace.filter((s) => s.parentSpanId === clientSpanId);
    expect(others).toEqual([]);
    expect(root).toMatchObject({ service: 'shop-router', kind: kind(SpanKind.SERVER), name: 'POST /graphql' });
    expect(root!.attributes['graphql.operation.name']).toBe('Preview');
    // Nothing orphaned: every other span's parent is in the trace.
    expect(trace.filter((s) => s !== root && !ids.has(s.parentSpanId!)).map((s) => `${s.service} ${s.name}`)).toEqual([]);

    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId!);
    // The gateway's own spans (planning, fetches) in the router's service.
    expect(trace.some((s) => s.service === 'shop-router' && s.name === 'gateway.plan')).toBe(true);
    // Each subgraph the router fetched from: a SERVER span whose parent is the router's CLIENT span for that fetch.
    for (const subgraph of ['order', 'review']) {
      const served = trace.filter((s) => s.service === `shop-${subgraph}` && s.kind === kind(SpanKind.SERVER));
      expect(served.length).toBeGreaterThan(0);
      for (const span of served) expect(parentOf(span)).toMatchObject({ service: 'shop-router', kind: kind(SpanKind.CLIENT), name: `fetch ${subgraph}` });
    }
    // order's own call to promote: order's CLIENT span, promote's SERVER span under it.
    const call = trace.find((s) => s.service === 'shop-order' && s.name === 'call promote');
    expect(call).toBeDefined();
    expect(trace.some((s) => s.service === 'shop-promote' && s.kind === kind(SpanKind.SERVER) && s.parentSpanId === call!.spanId)).toBe(true);
    // SQL: statements with their text (placeholders, never values), under the subgraph that ran them.
    const sql = trace.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    // (order reads nothing of its own for a preview: user's address, promote's coupons and review's ratings are SQL.)
    for (const service of ['shop-user', 'shop-promote', 'shop-review']) expect(sql.some((s) => s.service === service)).toBe(true);
    for (const span of sql) {
      expect(String(span.attributes['db.query.text'])).toMatch(/\S/);
      expect(span.name).toMatch(/^[A-Z]+ [a-z]+$/);
      expect(parentOf(span)?.service).toBe(span.service);
    }
  });

  it('starts a trace of its own for a request without traceparent, named by its x-request-id', async () => {
    const response = await fetch(router, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await response.text();
    const deadline = Date.now() + 15_000;
    let root: ReceivedSpan | undefined;
    while (!root && Date.now() < deadline) {
      root = receiver.spans.find((s) => s.attributes['shop.request_id'] === requestId);
      if (!root) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(root).toMatchObject({ service: 'shop-router', kind: kind(SpanKind.SERVER) });
    expect(root!.parentSpanId).toBeUndefined();
  });
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('starts no SDK and sends nothing, even for a request carrying a traceparent', async () => {
    const receiver = await startOtlpReceiver();
    const supergraph = await startSupergraph({ router: true });
    try {
      expect(tracingEnabled()).toBe(false);
      // The API's no-op tracer: nothing registered globally.
      expect(otelTrace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
      const answer = await gql(supergraph.routerUrl!, '{ __typename }', {}, { traceparent: `00-${hex(16)}-${hex(8)}-01` });
      expect(answer.errors).toBeUndefined();
      await flushTracing();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.requests).toBe(0);
    } finally {
      await supergraph.stop();
      await receiver.close();
    }
  });
});
