/**
 * `refundedLineQuantities` (internal, review only) against the order subgraph and real PostgreSQL: pieces of each line
 * that SUCCEEDED refunds took back — PENDING and FAILED refunds do not count, a SKU's refunded pieces fill its lines in
 * line order, unknown ids answer 0; shoppers and other services are refused.
 */
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { asIdentity, codes, gql, startSupergraph } from '../../../test/support/harness';
import { placeTestOrder } from './fixtures';

let supergraph: RunningSupergraph;
let db: Knex;
let url: string;
beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['order'], router: false });
  db = supergraph.subgraphs.order!.db;
  url = supergraph.subgraphs.order!.url;
});
afterAll(async () => {
  await supergraph?.stop();
});

const QUERY = 'query($ids: [ID!]!) { refundedLineQuantities(orderItemIds: $ids) }';
const ask = (ids: string[], identity: Parameters<typeof asIdentity>[0] = { service: 'review' }) => gql(url, QUERY, { ids }, asIdentity(identity, 'order'));

it('counts SUCCEEDED refunded pieces per line, a SKU filling its lines in order', async () => {
  const line = (skuId: string, quantity: number) => ({ skuId, productId: '1', title: 'T', skuName: 'v', unitPrice: 1000, quantity });
  const orderId = await placeTestOrder(db, { userId: '424242', status: 'COMPLETED', items: [line('71', 2), line('72', 1), line('71', 1), line('73', 3)] });
  const items = (await db('order_items').where({ order_id: orderId }).orderBy('id').select('id')).map((row: { id: string }) => String(row.id));
  const refund = (refundNo: string, status: string, lines: { skuId: string; quantity: number }[]) =>
    db('order_refunds').insert({ order_id: orderId, refund_no: `${refundNo}-${orderId}`, source: 'STAFF', amount: 100, status, reason: 'test', lines: JSON.stringify(lines.map((l) => ({ ...l, restock: false }))) });
  expect((await ask(items)).data.refundedLineQuantities).toEqual([0, 0, 0, 0]);
  await refund('A', 'SUCCEEDED', [{ skuId: '71', quantity: 2 }, { skuId: '73', quantity: 1 }]);
  await refund('B', 'PENDING', [{ skuId: '72', quantity: 1 }]);
  await refund('C', 'FAILED', [{ skuId: '73', quantity: 2 }]);
  await refund('D', 'SUCCEEDED', [{ skuId: '71', quantity: 1 }]);
  // SKU 71: 3 pieces refunded over its lines of 2 and 1 → both full; 72 only pending; 73 partly (1 of 3).
  expect((await ask(items)).data.refundedLineQuantities).toEqual([2, 0, 1, 1]);
  expect((await ask([items[3], '999999999999', items[0]])).data.refundedLineQuantities).toEqual([1, 0, 2]);
  expect(codes(await ask(['x']))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await ask(items, { userId: '424242' }))).toEqual(['FORBIDDEN']);
  expect(codes(await ask(items, { service: 'payment' }))).toEqual(['FORBIDDEN']);
});
