/**
 * The order lifecycle against the order subgraph (signed identities as the router sends them): every allowed
 * transition, every refused one (CONFLICT, nothing changed, history unchanged), history rows, races, access,
 * staff scope, internal payment calls, soft delete, lists and counts, after-sales and the payment timeout.
 */
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { countStatements } from '../../../platform/db';
import { asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import type { StoredOrderStatus } from '../data/orders';
import { canTransition, TRANSITIONS } from '../lifecycle';
import { cancelExpiredOrders } from '../orders';
import { placeTestOrder, registerUser, snapshot, type RegisteredUser } from './fixtures';

let supergraph: RunningSupergraph;
let db: Knex;
let url: string;
let alice: RegisteredUser;
let bob: RegisteredUser;
const STAFF = '999999';

beforeAll(async () => {
  // Identities below are signed once per file: on a busy machine the file outlasts the default 60 s they are valid.
  supergraph = await startSupergraph({ subgraphs: ['user', 'order'], router: false, config: testConfig({ IDENTITY_MAX_AGE_SECONDS: '3600' }) });
  db = supergraph.subgraphs.order!.db;
  url = supergraph.subgraphs.order!.url;
  alice = await registerUser(supergraph.subgraphs.user!.url);
  bob = await registerUser(supergraph.subgraphs.user!.url);
});
afterAll(async () => {
  await supergraph?.stop();
});

const as = (userId: string, scopes: string[] = []) => asIdentity({ userId, scopes }, 'order');
const staff = as(STAFF, ['order:write']);
const payment = asIdentity({ service: 'payment' }, 'order');
const call = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => gql(url, query, variables, headers);

const FIELDS = 'id status paidAt shippedAt carrier trackingNo completedAt cancelledAt cancelReason statusHistory { from to reason actor }';

const STATUSES: Exclude<StoredOrderStatus, 'CREATING'>[] = ['PENDING_PAYMENT', 'PAID', 'SHIPPED', 'COMPLETED', 'CANCELLED', 'REFUNDING', 'REFUNDED'];

/** Each lifecycle action as a client or service performs it, with the transition it makes. */
interface Action {
  name: string;
  from: StoredOrderStatus[];
  to: StoredOrderStatus;
  run(orderId: string, ownerId: string): Promise<GraphQLResponse>;
}
const ACTIONS: Action[] = [
  {
    name: 'cancelOrder',
    from: ['PENDING_PAYMENT'],
    to: 'CANCELLED',
    run: (id, owner) => call(`mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { ${FIELDS} } }`, { id }, as(owner)),
  },
  {
    name: 'markOrderPaid',
    from: ['PENDING_PAYMENT'],
    to: 'PAID',
    run: (id) => call(`mutation($id: ID!) { markOrderPaid(orderId: $id, paymentId: "pay-${id}", amount: 1000) { ${FIELDS} } }`, { id }, payment),
  },
  {
    name: 'shipOrder',
    from: ['PAID'],
    to: 'SHIPPED',
    run: (id) => call(`mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567890") { ${FIELDS} } }`, { id }, staff),
  },
  {
    name: 'confirmReceipt',
    from: ['SHIPPED'],
    to: 'COMPLETED',
    run: (id, owner) => call(`mutation($id: ID!) { confirmReceipt(id: $id) { ${FIELDS} } }`, { id }, as(owner)),
  },
  {
    name: 'markOrderRefunded',
    from: ['REFUNDING'],
    to: 'REFUNDED',
    run: (id) => call(`mutation($id: ID!) { markOrderRefunded(orderId: $id) { ${FIELDS} } }`, { id }, payment),
  },
];

describe('the transition table', () => {
  it('allows exactly the lifecycle of the brief', () => {
    const allowed = Object.entries(TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(
      [
        'CREATING→PENDING_PAYMENT', 'CREATING→CANCELLED',
        'PENDING_PAYMENT→PAID', 'PENDING_PAYMENT→CANCELLED',
        'PAID→SHIPPED', 'PAID→REFUNDING', 'PAID→REFUNDED', 'SHIPPED→COMPLETED', 'SHIPPED→REFUNDING', 'SHIPPED→REFUNDED',
        // After-sales after receipt (within the window); a failed refund goes back where the order was.
        'COMPLETED→REFUNDING', 'COMPLETED→REFUNDED',
        'REFUNDING→REFUNDED', 'REFUNDING→PAID', 'REFUNDING→SHIPPED', 'REFUNDING→COMPLETED',
      ].sort(),
    );
    expect(canTransition('COMPLETED', 'SHIPPED')).toBe(false);
    expect(canTransition('REFUNDED', 'PAID')).toBe(false);
    expect(canTransition('CANCELLED', 'PAID')).toBe(false);
  });
});

describe.each(ACTIONS)('$name', (action) => {
  it.each(STATUSES)('from %s', async (status) => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status });
    const before = await snapshot(db, orderId);
    const response = await action.run(orderId, alice.userId);
    if (action.from.includes(status)) {
      expect(response.errors).toBeUndefined();
      const order = Object.values(response.data as Record<string, { status: string; statusHistory: { from: string; to: string }[] }>)[0];
      expect(order.status).toBe(action.to);
      expect(order.statusHistory.at(-1)).toMatchObject({ from: status, to: action.to });
      const after = await snapshot(db, orderId);
      expect(after.history).toHaveLength(before.history.length + 1);
    } else if (action.name === 'markOrderRefunded' && status === 'REFUNDED') {
      // A repeated refund notification is a no-op, not an error.
      expect(response.errors).toBeUndefined();
      expect(await snapshot(db, orderId)).toEqual(before);
    } else {
      expect(codes(response)).toEqual(['CONFLICT']);
      expect(response.errors![0].extensions).toMatchObject({ currentStatus: status, requestedStatus: action.to });
      // Nothing changed: same row (status, timestamps, shipping info) and the same history.
      expect(await snapshot(db, orderId)).toEqual(before);
    }
  });
});

describe('history', () => {
  it('records who changed what, when and why', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId });
    await ACTIONS[1].run(orderId, alice.userId);
    await ACTIONS[2].run(orderId, alice.userId);
    const response = await ACTIONS[3].run(orderId, alice.userId);
    expect(response.data.confirmReceipt.statusHistory).toEqual([
      { from: null, to: 'PENDING_PAYMENT', reason: 'test fixture', actor: 'SHOPPER' },
      { from: 'PENDING_PAYMENT', to: 'PAID', reason: `payment pay-${orderId}`, actor: 'SYSTEM' },
      { from: 'PAID', to: 'SHIPPED', reason: 'shipped with 顺丰速运 SF1234567890', actor: 'STAFF' },
      { from: 'SHIPPED', to: 'COMPLETED', reason: 'receipt confirmed', actor: 'SHOPPER' },
    ]);
    const rows = (await snapshot(db, orderId)).history;
    expect(rows.map((row: { actor: string }) => row.actor)).toEqual([alice.userId, 'service:payment', `staff:${STAFF}`, alice.userId]);
    expect(rows.every((row: { at: Date }) => row.at instanceof Date)).toBe(true);
    expect(response.data.confirmReceipt).toMatchObject({ carrier: '顺丰速运', trackingNo: 'SF1234567890' });
    expect(response.data.confirmReceipt.completedAt).toEqual(expect.any(String));
  });

  it('keeps the cancel reason', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId });
    const response = await ACTIONS[0].run(orderId, alice.userId);
    expect(response.data.cancelOrder).toMatchObject({ status: 'CANCELLED', cancelReason: 'changed my mind' });
    expect(response.data.cancelOrder.statusHistory.at(-1)).toEqual({
      from: 'PENDING_PAYMENT', to: 'CANCELLED', reason: 'changed my mind', actor: 'SHOPPER',
    });
  });
});

describe('races', () => {
  it('lets exactly one of five concurrent confirmReceipt calls win', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'SHIPPED' });
    const responses = await Promise.all([1, 2, 3, 4, 5].map(() => ACTIONS[3].run(orderId, alice.userId)));
    expect(responses.filter((r) => !r.errors).length).toBe(1);
    expect(responses.flatMap(codes).sort()).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
    const { history } = await snapshot(db, orderId);
    expect(history.filter((row: { to_status: string }) => row.to_status === 'COMPLETED')).toHaveLength(1);
  });

  it('lets either the cancel or the payment win, never both', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId });
    const [cancel, paid] = await Promise.all([ACTIONS[0].run(orderId, alice.userId), ACTIONS[1].run(orderId, alice.userId)]);
    expect([cancel, paid].filter((r) => !r.errors)).toHaveLength(1);
    const { order, history } = await snapshot(db, orderId);
    expect(['CANCELLED', 'PAID']).toContain(order.status);
    expect(history).toHaveLength(2);
  });

  it('counts a duplicate payment notification once, even concurrently', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId });
    const responses = await Promise.all([1, 2, 3].map(() => ACTIONS[1].run(orderId, alice.userId)));
    responses.forEach((r) => expect(r.errors).toBeUndefined());
    expect((await snapshot(db, orderId)).history).toHaveLength(2);
  });
});

describe('payment calls', () => {
  it('are for the payment service only', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId });
    const q = `mutation($id: ID!) { markOrderPaid(orderId: $id, paymentId: "p", amount: 1000) { id } }`;
    expect(codes(await call(q, { id: orderId }, as(alice.userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await call(q, { id: orderId }, staff))).toEqual(['FORBIDDEN']);
    expect(codes(await call(q, { id: orderId }, asIdentity({ service: 'cart' }, 'order')))).toEqual(['FORBIDDEN']);
  });

  it('refuse an amount other than the total, and a second payment of a paid order', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId });
    const pay = (paymentId: string, amount: number) =>
      call(`mutation($id: ID!, $p: ID!, $a: Int!) { markOrderPaid(orderId: $id, paymentId: $p, amount: $a) { status } }`, { id: orderId, p: paymentId, a: amount }, payment);
    expect(codes(await pay('p1', 999))).toEqual(['BAD_USER_INPUT']);
    expect((await pay('p1', 1000)).data.markOrderPaid.status).toBe('PAID');
    expect((await pay('p1', 1000)).data.markOrderPaid.status).toBe('PAID');
    expect(codes(await pay('p2', 1000))).toEqual(['CONFLICT']);
    expect(codes(await call(`mutation { markOrderPaid(orderId: "987654321", paymentId: "x", amount: 1) { id } }`, {}, payment))).toEqual(['NOT_FOUND']);
  });
});

describe('access', () => {
  it("answers null / NOT_FOUND for another user's order, and staff with order:write see it", async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'SHIPPED' });
    const read = (headers: Record<string, string>) => call(`query($id: ID!) { order(id: $id) { id status } }`, { id: orderId }, headers);
    expect((await read(as(bob.userId))).data).toEqual({ order: null });
    expect((await read(asIdentity({}, 'order'))).data).toEqual({ order: null });
    expect((await read(as(STAFF, ['catalog:write']))).data).toEqual({ order: null });
    expect((await read(staff)).data.order.id).toBe(orderId);
    expect((await read(as(alice.userId))).data.order.status).toBe('SHIPPED');

    const before = await snapshot(db, orderId);
    for (const mutation of ['confirmReceipt(id: $id) { id }', 'cancelOrder(id: $id) { id }', 'deleteOrder(id: $id)', 'buyAgain(id: $id) { id }']) {
      expect(codes(await call(`mutation($id: ID!) { ${mutation} }`, { id: orderId }, as(bob.userId)))).toEqual(['NOT_FOUND']);
    }
    expect(codes(await call(`mutation { cancelOrder(id: "nope") { id } }`, {}, as(bob.userId)))).toEqual(['NOT_FOUND']);
    expect(codes(await call(`mutation($id: ID!) { confirmReceipt(id: $id) { id } }`, { id: orderId }, asIdentity({}, 'order')))).toEqual(['UNAUTHENTICATED']);
    expect(await snapshot(db, orderId)).toEqual(before);
  });

  it('resolves references for the owner, order staff and services only', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId });
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total } } }`;
    const r = [{ __typename: 'Order', id: orderId }];
    expect((await call(q, { r }, as(alice.userId))).data._entities).toEqual([{ id: orderId, total: 1000 }]);
    expect((await call(q, { r }, staff)).data._entities).toEqual([{ id: orderId, total: 1000 }]);
    expect((await call(q, { r }, payment)).data._entities).toEqual([{ id: orderId, total: 1000 }]);
    expect((await call(q, { r }, as(bob.userId))).data._entities).toEqual([null]);
    expect((await call(q, { r }, asIdentity({}, 'order'))).data._entities).toEqual([null]);
  });
});

describe('shipOrder', () => {
  it('needs order:write and a carrier and tracking number', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'PAID' });
    const ship = (headers: Record<string, string>, carrier = '中通快递', trackingNo = 'ZT-20261204-1') =>
      call(`mutation($id: ID!, $c: String!, $t: String!) { shipOrder(id: $id, carrier: $c, trackingNo: $t) { status carrier trackingNo shippedAt } }`, { id: orderId, c: carrier, t: trackingNo }, headers);
    expect(codes(await ship(as(alice.userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await ship(as(STAFF, ['catalog:write'])))).toEqual(['FORBIDDEN']);
    expect(codes(await ship({}))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await ship(staff, '  '))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ship(staff, '中通快递', 'x'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ship(staff, '中通快递', 'ZT 123 456'))).toEqual(['BAD_USER_INPUT']);
    expect((await snapshot(db, orderId)).order.status).toBe('PAID');
    const shipped = await ship(staff);
    expect(shipped.data.shipOrder).toMatchObject({ status: 'SHIPPED', carrier: '中通快递', trackingNo: 'ZT-20261204-1' });
    // The shopper sees where the parcel is.
    const seen = await call(`query($id: ID!) { order(id: $id) { carrier trackingNo shippedAt } }`, { id: orderId }, as(alice.userId));
    expect(seen.data.order).toEqual(shipped.data.shipOrder && { carrier: '中通快递', trackingNo: 'ZT-20261204-1', shippedAt: shipped.data.shipOrder.shippedAt });
    expect(codes(await call(`mutation { shipOrder(id: "987654321", carrier: "a", trackingNo: "123456") { id } }`, {}, staff))).toEqual(['NOT_FOUND']);
  });
});

describe('lists, counts and soft delete', () => {
  let carol: RegisteredUser;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    carol = await registerUser(supergraph.subgraphs.user!.url);
    for (const status of ['PENDING_PAYMENT', 'PAID', 'PAID', 'SHIPPED', 'COMPLETED', 'CANCELLED'] as const) {
      ids[`${status}${ids[status] ? 2 : ''}`] = await placeTestOrder(db, { userId: carol.userId, status });
    }
    await placeTestOrder(db, { userId: bob.userId, status: 'PAID' });
  });
  const list = (variables: Record<string, unknown>) =>
    call(`query($status: OrderStatus, $first: Int, $after: String) { orders(status: $status, first: $first, after: $after) {
      edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }`, variables, as(carol.userId));

  it('pages newest first with keyset cursors', async () => {
    const all = Object.values(ids).map(Number).sort((a, b) => b - a).map(String);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: GraphQLResponse = await list({ first: 4, after });
      expect(page.errors).toBeUndefined();
      seen.push(...page.data.orders.edges.map((e: { node: { id: string } }) => e.node.id));
      after = page.data.orders.pageInfo.hasNextPage ? page.data.orders.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(seen).toEqual(all);
    expect(pages).toBe(2);
    expect(codes(await list({ first: 0 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await list({ after: 'garbage' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('filters by status', async () => {
    const paid = await list({ status: 'PAID' });
    expect(paid.data.orders.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids.PAID2, ids.PAID]);
    expect((await list({ status: 'REFUNDED' })).data.orders.edges).toEqual([]);
  });

  it('counts the tabs in one statement', async () => {
    const counter = countStatements(db);
    const response = await call('{ orderCounts { pendingPayment pendingShipment pendingReceipt refunding } }', {}, as(carol.userId));
    counter.stop();
    expect(response.data.orderCounts).toEqual({ pendingPayment: 1, pendingShipment: 2, pendingReceipt: 1, refunding: 0 });
    // The subgraph's job runners and outbox relay poll on the same knex, and its jobs read orders by id (refunds,
    // subscriptions): count this shopper's statements on orders only.
    expect(counter.statements.filter((sql) => /\borders\b/.test(sql) && /\buser_id\b/.test(sql))).toHaveLength(1);
  });

  it('deletes only finished orders, and hides them', async () => {
    const del = (id: string) => call(`mutation($id: ID!) { deleteOrder(id: $id) }`, { id }, as(carol.userId));
    const refused = await del(ids.SHIPPED);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0].extensions).toMatchObject({ currentStatus: 'SHIPPED' });
    expect((await del(ids.COMPLETED)).data).toEqual({ deleteOrder: true });
    expect(codes(await del(ids.COMPLETED))).toEqual(['NOT_FOUND']);
    const ordersNow = (await list({ first: 20 })).data.orders.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ordersNow).not.toContain(ids.COMPLETED);
    expect(ordersNow).toHaveLength(5);
    expect((await call(`query($id: ID!) { order(id: $id) { id } }`, { id: ids.COMPLETED }, as(carol.userId))).data.order).toBeNull();
    // Staff still find it; the row is kept.
    expect((await call(`query($id: ID!) { order(id: $id) { id } }`, { id: ids.COMPLETED }, staff)).data.order.id).toBe(ids.COMPLETED);
  });
});

describe('after-sales', () => {
  const REQUEST = `mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id status amount reason items { sku { id } quantity } order { id status } } }`;
  const items = [
    { skuId: '11', productId: '1', title: 'A', unitPrice: 3000, quantity: 2 },
    { skuId: '12', productId: '1', title: 'B', unitPrice: 4000, quantity: 1 },
  ];
  const ask = (orderId: string, extra: Record<string, unknown> = {}, who = alice.userId) =>
    call(REQUEST, { input: { orderId, reason: '尺码不合适', amount: 3000, ...extra } }, as(who));
  const decide = (verb: 'approve' | 'reject', id: string, headers = staff) =>
    call(`mutation($id: ID!) { ${verb}RefundRequest(id: $id, note: "ok") { id status staffNote decidedAt order { status } } }`, { id }, headers);

  const settle = (orderId: string, refundNo: string, amount: number, status = 'SUCCEEDED') =>
    call(
      `mutation($o: ID!, $n: String!, $a: Int!, $s: String!) { settleOrderRefund(orderId: $o, refundNo: $n, status: $s, amount: $a, failureReason: "provider said no") { status refundedAmount } }`,
      { o: orderId, n: refundNo, a: amount, s: status },
      payment,
    );

  it('asks and approves part of the order (status kept), then the rest (REFUNDING); payment completes each', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'SHIPPED', items });
    const asked = await ask(orderId, { items: [{ skuId: '11', quantity: 1 }] });
    expect(asked.errors).toBeUndefined();
    expect(asked.data.requestRefund).toMatchObject({ status: 'REQUESTED', amount: 3000, items: [{ sku: { id: '11' }, quantity: 1 }], order: { status: 'SHIPPED' } });
    const id = asked.data.requestRefund.id;
    expect(codes(await ask(orderId))).toEqual(['CONFLICT']); // one open request per order
    expect(codes(await decide('approve', id, as(alice.userId)))).toEqual(['FORBIDDEN']);
    const approved = await decide('approve', id);
    // Part of the order: it keeps its status; the refund is in flight (the job asks payment).
    expect(approved.data.approveRefundRequest).toMatchObject({ status: 'APPROVED', staffNote: 'ok', order: { status: 'SHIPPED' } });
    expect(codes(await decide('reject', id))).toEqual(['CONFLICT']);
    expect(await db('jobs').where({ kind: 'order.requestRefund', key: `AS${id}` })).toHaveLength(1);
    expect((await settle(orderId, `AS${id}`, 3000)).data.settleOrderRefund).toEqual({ status: 'SHIPPED', refundedAmount: 3000 });
    // Again (a retried job): nothing more.
    expect((await settle(orderId, `AS${id}`, 3000)).data.settleOrderRefund).toEqual({ status: 'SHIPPED', refundedAmount: 3000 });

    // More than is left, or the same piece again: refused.
    expect(codes(await ask(orderId, { amount: 7001 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ask(orderId, { amount: 100, items: [{ skuId: '11', quantity: 2 }] }))).toEqual(['BAD_USER_INPUT']);
    const rest = (await ask(orderId, { amount: 7000, items: [{ skuId: '11', quantity: 1 }, { skuId: '12', quantity: 1 }] })).data.requestRefund.id;
    expect((await decide('approve', rest)).data.approveRefundRequest.order.status).toBe('REFUNDING');
    const history = (await snapshot(db, orderId)).history;
    expect(history.at(-1)).toMatchObject({ from_status: 'SHIPPED', to_status: 'REFUNDING', actor: `staff:${STAFF}` });
    expect(history.at(-1).reason).toContain(`after-sales #${rest}`);
    expect((await settle(orderId, `AS${rest}`, 7000)).data.settleOrderRefund).toEqual({ status: 'REFUNDED', refundedAmount: 10_000 });
    const seen = await call(`query($id: ID!) { order(id: $id) { status refundedAmount afterSales { id status } } }`, { id: orderId }, as(alice.userId));
    expect(seen.data.order).toEqual({ status: 'REFUNDED', refundedAmount: 10_000, afterSales: [{ id: rest, status: 'APPROVED' }, { id, status: 'APPROVED' }] });
  });

  it('a FAILED refund of the whole remainder returns the order to where it was, with a history row saying why', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'PAID', items });
    const id = (await ask(orderId, { amount: 10_000 })).data.requestRefund.id;
    expect((await decide('approve', id)).data.approveRefundRequest.order.status).toBe('REFUNDING');
    expect((await settle(orderId, `AS${id}`, 10_000, 'FAILED')).data.settleOrderRefund).toEqual({ status: 'PAID', refundedAmount: 0 });
    const last = (await snapshot(db, orderId)).history.at(-1);
    expect(last).toMatchObject({ from_status: 'REFUNDING', to_status: 'PAID', actor: 'service:payment' });
    expect(last.reason).toContain(`refund AS${id} failed (provider said no)`);
    // Not a dead end: it ships, and can be asked for again.
    expect((await ACTIONS[2].run(orderId, alice.userId)).data.shipOrder.status).toBe('SHIPPED');
    expect((await ask(orderId, { amount: 10_000 })).errors).toBeUndefined();
  });

  it('lets the shopper revoke, staff reject, and refuses bad requests', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'PAID', items });
    expect(codes(await ask(orderId, { amount: 10_001 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ask(orderId, { amount: 0 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ask(orderId, { reason: ' ' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ask(orderId, { items: [{ skuId: '99', quantity: 1 }] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ask(orderId, { items: [{ skuId: '11', quantity: 3 }] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ask(orderId, {}, bob.userId))).toEqual(['NOT_FOUND']);

    const first = (await ask(orderId, { amount: 10_000 })).data.requestRefund.id;
    expect(codes(await call(`mutation($id: ID!) { revokeRefundRequest(id: $id) { id } }`, { id: first }, as(bob.userId)))).toEqual(['NOT_FOUND']);
    const revoked = await call(`mutation($id: ID!) { revokeRefundRequest(id: $id) { status decidedAt } }`, { id: first }, as(alice.userId));
    expect(revoked.data.revokeRefundRequest.status).toBe('REVOKED');
    expect(codes(await decide('approve', first))).toEqual(['CONFLICT']);

    const second = (await ask(orderId)).data.requestRefund.id;
    const rejected = await decide('reject', second);
    expect(rejected.data.rejectRefundRequest).toMatchObject({ status: 'REJECTED', order: { status: 'PAID' } });
    expect((await snapshot(db, orderId)).order.status).toBe('PAID');

    // (The fixture's COMPLETED has no completed_at: after-sales counts as closed.)
    for (const status of ['PENDING_PAYMENT', 'COMPLETED', 'CANCELLED'] as const) {
      const other = await placeTestOrder(db, { userId: alice.userId, status });
      const refused = await ask(other, { amount: 100 });
      expect(codes(refused)).toEqual(['CONFLICT']);
      expect(refused.errors![0].extensions).toMatchObject({ currentStatus: status });
    }
  });

  it('rolls back the approval when the order can no longer be refunded (staff refunded all of it meanwhile)', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'SHIPPED', items });
    const id = (await ask(orderId)).data.requestRefund.id;
    const registered = await call(
      `mutation($o: ID!) { registerOrderRefund(orderId: $o, refundNo: "SRall-${orderId}", amount: 10000, reason: "整单", requestedBy: "staff:1") { status paymentId } }`,
      { o: orderId },
      payment,
    );
    expect(registered.data.registerOrderRefund).toEqual({ status: 'REFUNDING', paymentId: `fixture-${orderId}` });
    const refused = await decide('approve', id);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0].extensions).toMatchObject({ reason: 'REFUND_IN_FLIGHT' });
    expect((await db('after_sales').where({ id }).first()).status).toBe('REQUESTED');
    expect(await db('order_refunds').where({ order_id: orderId })).toHaveLength(1);
  });

  it('after receipt: open for AFTER_SALES_WINDOW_DAYS, approval of a timely request even after the window', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'SHIPPED', items });
    await ACTIONS[3].run(orderId, alice.userId);
    const id = (await ask(orderId)).data.requestRefund.id;
    await db('orders').where({ id: orderId }).update({ completed_at: new Date(Date.now() - 8 * 24 * 3600_000) });
    expect((await decide('approve', id)).data.approveRefundRequest).toMatchObject({ status: 'APPROVED', order: { status: 'COMPLETED' } });
    const late = await ask(orderId, { amount: 100 });
    expect(codes(late)).toEqual(['CONFLICT']);
    expect(late.errors![0].extensions).toMatchObject({ reason: 'AFTER_SALES_WINDOW_CLOSED', currentStatus: 'COMPLETED' });
  });
});

describe('payment timeout', () => {
  it('cancels unpaid orders past expiresAt as the system, and leaves the rest', async () => {
    const overdue = await placeTestOrder(db, { userId: alice.userId, expiresAt: new Date(Date.now() - 1000) });
    const fresh = await placeTestOrder(db, { userId: alice.userId });
    const cancelled = await cancelExpiredOrders(db);
    // The subgraph's own periodic sweep may have got there first: either way it is cancelled exactly once.
    expect(cancelled).not.toContain(fresh);
    const { order, history } = await snapshot(db, overdue);
    expect(order).toMatchObject({ status: 'CANCELLED', cancel_reason: 'payment timeout', expires_at: null });
    expect(history.at(-1)).toMatchObject({ from_status: 'PENDING_PAYMENT', to_status: 'CANCELLED', actor: 'system' });
    expect(history.filter((row: { to_status: string }) => row.to_status === 'CANCELLED')).toHaveLength(1);
    expect((await snapshot(db, fresh)).order.status).toBe('PENDING_PAYMENT');
  });
});
