/**
 * The order and payment subgraphs already compose and serve their entities: an order is visible to its owner
 * only, and `Order.payment` is resolved by the payment subgraph through federation (batched).
 * Checkout and paying come with their own issues; rows are inserted here directly into each owner's tables.
 */
import { signAccessToken } from '../platform/access-token';
import { countStatements } from '../platform/db';
import type { RunningSupergraph } from '../app/launcher';
import { asIdentity, bearer, gql, startSupergraph, testConfig } from './support/harness';

let supergraph: RunningSupergraph;
const owner = String(800_000_000 + Math.floor(Math.random() * 1_000_000));
let orderIds: string[] = [];

beforeAll(async () => {
  supergraph = await startSupergraph();
  const orders = supergraph.subgraphs.order!.db;
  const inserted = await orders('orders')
    .insert(
      [1, 2, 3].map((n) => ({
        order_no: `T${owner}${n}`,
        user_id: owner,
        status: 'PENDING_PAYMENT',
        subtotal: 1000 * n,
        discount: 0,
        shipping_fee: 0,
        total: 1000 * n,
      })),
    )
    .returning('id');
  orderIds = inserted.map((row: { id: string }) => row.id);
  await supergraph.subgraphs.payment!.db('payments').insert({
    order_id: orderIds[0],
    user_id: owner,
    amount: 1000,
    method: 'WECHAT',
    status: 'SUCCEEDED',
    paid_at: new Date('2026-01-01T00:00:00Z'),
  });
});
afterAll(async () => {
  await supergraph?.stop();
});

const ORDER = `query($id: ID!) { order(id: $id) { id orderNo status total createdAt payment { amount method status paidAt } } }`;

it("shows an order and its payment to the order's owner", async () => {
  const token = signAccessToken({ userId: owner, scopes: [] }, testConfig());
  const response = await gql(supergraph.routerUrl!, ORDER, { id: orderIds[0] }, bearer(token));
  expect(response.errors).toBeUndefined();
  expect(response.data.order).toMatchObject({
    id: orderIds[0],
    status: 'PENDING_PAYMENT',
    total: 1000,
    payment: { amount: 1000, method: 'WECHAT', status: 'SUCCEEDED', paidAt: '2026-01-01T00:00:00.000Z' },
  });
  const unpaid = await gql(supergraph.routerUrl!, ORDER, { id: orderIds[1] }, bearer(token));
  expect(unpaid.data.order.payment).toBeNull();
});

it('hides an order from other users and from anonymous callers', async () => {
  const stranger = signAccessToken({ userId: '1', scopes: [] }, testConfig());
  expect((await gql(supergraph.routerUrl!, ORDER, { id: orderIds[0] }, bearer(stranger))).data).toEqual({ order: null });
  expect((await gql(supergraph.routerUrl!, ORDER, { id: orderIds[0] })).data).toEqual({ order: null });
  expect((await gql(supergraph.routerUrl!, ORDER, { id: 'not-a-number' }, bearer(stranger))).data).toEqual({ order: null });
});

it('resolves payments of many orders in one statement (entity batching)', async () => {
  const counter = countStatements(supergraph.subgraphs.payment!.db);
  const representations = orderIds.map((id) => ({ __typename: 'Order', id }));
  const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { payment { id amount } } } }`;
  const response = await gql(supergraph.subgraphs.payment!.url, query, { r: representations }, asIdentity({ userId: owner }, 'payment'));
  counter.stop();
  expect(response.errors).toBeUndefined();
  expect(response.data._entities.map((e: { payment: unknown }) => e.payment !== null)).toEqual([true, false, false]);
  // Payment's outbox relay and job runner poll the same pool in the background: count the payments statements.
  expect(counter.statements.filter((sql) => /\bpayments\b/.test(sql))).toHaveLength(1);
});

describe('Order by reference (_entities on the order subgraph)', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total } } }`;
  const resolve = (headers: Record<string, string>) =>
    gql(supergraph.subgraphs.order!.url, ENTITIES, { r: [{ __typename: 'Order', id: orderIds[0] }] }, headers);

  it("gives another user's order to nobody but its owner, order staff and services", async () => {
    expect((await resolve(asIdentity({ userId: '1' }, 'order'))).data).toEqual({ _entities: [null] });
    expect((await resolve(asIdentity({}, 'order'))).data).toEqual({ _entities: [null] });
    // A scope of another domain does not help.
    expect((await resolve(asIdentity({ userId: '1', scopes: ['catalog:write', 'payment:refund'] }, 'order'))).data).toEqual({ _entities: [null] });

    const seen = { _entities: [{ id: orderIds[0], total: 1000 }] };
    expect((await resolve(asIdentity({ userId: owner }, 'order'))).data).toEqual(seen);
    expect((await resolve(asIdentity({ userId: '1', scopes: ['order:write'] }, 'order'))).data).toEqual(seen);
    expect((await resolve(asIdentity({ service: 'payment' }, 'order'))).data).toEqual(seen);
  });

  it("gives a payment only to its owner, refund staff and services", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { amount } } }`;
    const [{ id }] = await supergraph.subgraphs.payment!.db('payments').where({ order_id: orderIds[0] }).select('id');
    const call = (identity: Parameters<typeof asIdentity>[0]) =>
      gql(supergraph.subgraphs.payment!.url, query, { r: [{ __typename: 'Payment', id: String(id) }] }, asIdentity(identity, 'payment'));
    expect((await call({ userId: '1' })).data).toEqual({ _entities: [null] });
    expect((await call({ userId: '1', scopes: ['order:write'] })).data).toEqual({ _entities: [null] });
    expect((await call({ userId: owner })).data).toEqual({ _entities: [{ amount: 1000 }] });
    expect((await call({ userId: '1', scopes: ['payment:refund'] })).data).toEqual({ _entities: [{ amount: 1000 }] });
    expect((await call({ service: 'order' })).data).toEqual({ _entities: [{ amount: 1000 }] });
  });
});
