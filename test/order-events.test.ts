/**
 * Order status changes as events: each change is written to the order outbox in its own transaction (a refused
 * transition writes none), relayed to the `shop.order.order` stream, and fanned out to the order's client channel
 * (`shop.order.order.<id>`) that the router's subscriptions listen on. Redis with REDIS_URL, in process otherwise.
 */
import { signAccessToken } from '../platform/access-token';
import { clientChannel } from '../platform/events';
import type { RunningSupergraph } from '../app/launcher';
import { ORDER_STREAM, type OrderStatusChangedPayload } from '../subgraphs/order/events';
import { placeTestOrder, registerUser } from '../subgraphs/order/test/fixtures';
import { bearer, codes, gql, startSupergraph, testConfig } from './support/harness';

let supergraph: RunningSupergraph;
beforeAll(async () => {
  supergraph = await startSupergraph();
});
afterAll(async () => {
  await supergraph?.stop();
});

const staff = bearer(signAccessToken({ userId: '999998', scopes: ['order:write'] }, testConfig()));

async function waitFor<T>(read: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

it('publishes every status change on the order channel; a refused change publishes nothing', async () => {
  const router = supergraph.routerUrl!;
  const shopper = await registerUser(router);
  const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.userId, status: 'PAID' });
  const db = supergraph.subgraphs.order!.db;
  const unpublished = async () => {
    const [{ count }] = await db('outbox').where({ aggregate_id: orderId }).whereNull('published_at').count<{ count: string }[]>('* as count');
    return Number(count);
  };
  // The fixture's own changes (created, paid) are fanned out first (the fan-out consumer recorded them), so the
  // subscriber below sees only what follows.
  const fannedOut = async () => {
    const [{ count }] = await db('processed_events')
      .where({ consumer: 'clients' })
      .whereIn('event_id', db('outbox').select('event_id').where({ aggregate_id: orderId }))
      .count<{ count: string }[]>('* as count');
    return Number(count);
  };
  await waitFor(async () => ((await fannedOut()) === 2 ? true : undefined), 'the fixture events to be fanned out');
  const seen: OrderStatusChangedPayload[] = [];
  const unsubscribe = await supergraph.events.subscribeClient(clientChannel(ORDER_STREAM, orderId), (message) =>
    seen.push(message as OrderStatusChangedPayload),
  );
  try {
    const shipped = await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567890") { status } }`, { id: orderId }, staff);
    expect(shipped.data?.shipOrder.status).toBe('SHIPPED');
    // Illegal: a shipped order cannot be cancelled; nothing is written, nothing published.
    const refused = await gql(router, `mutation($id: ID!) { cancelOrder(id: $id) { status } }`, { id: orderId }, bearer(shopper.accessToken));
    expect(codes(refused)).toEqual(['CONFLICT']);
    const confirmed = await gql(router, `mutation($id: ID!) { confirmReceipt(id: $id) { status } }`, { id: orderId }, bearer(shopper.accessToken));
    expect(confirmed.data?.confirmReceipt.status).toBe('COMPLETED');

    await waitFor(() => (seen.length >= 2 ? true : undefined), 'two client messages');
    // Several order instances share the stream's consumer group, so two changes may reach the channel in either
    // order; subscribers re-read the order on each message (router/subscriptions/order-status.ts), never trust it.
    expect(seen.map(({ from, to }) => [from, to]).sort()).toEqual([['PAID', 'SHIPPED'], ['SHIPPED', 'COMPLETED']]);
    expect(seen.every((message) => message.orderId === orderId && message.userId === shopper.userId)).toBe(true);
  } finally {
    await unsubscribe();
  }

  // The outbox holds one row per recorded change (created, paid by the fixture, shipped, completed), and the receipt's
  // OrderCompleted with the order's lines (for review), all relayed. (OrderShipped from the shipment sits on the same
  // stream: docs/logistics.md.)
  const rows = await db('outbox').where({ aggregate_id: orderId }).whereIn('type', ['OrderStatusChanged', 'OrderCompleted']).orderBy('id');
  expect(await db('outbox').where({ aggregate_id: orderId, type: 'OrderShipped' })).toHaveLength(1);
  expect(rows.map((row) => [row.type, row.payload.to])).toEqual([
    ['OrderStatusChanged', 'PENDING_PAYMENT'],
    ['OrderStatusChanged', 'PAID'],
    ['OrderStatusChanged', 'SHIPPED'],
    ['OrderStatusChanged', 'COMPLETED'],
    ['OrderCompleted', undefined],
  ]);
  const items = await db('order_items').where({ order_id: orderId }).orderBy('id');
  expect(rows[4].payload).toEqual({
    orderId: String(orderId),
    userId: shopper.userId,
    completedAt: expect.any(String),
    lines: items.map((item) => ({ orderItemId: String(item.id), productId: String(item.product_id), skuId: String(item.sku_id), quantity: item.quantity })),
  });
  expect(await unpublished()).toBe(0);
});
