/** BALANCE: the wallet ledger, concurrent payments against a balance that covers only some, staff credits, refunds to the ledger. */
import { codes, gql } from '../../../test/support/harness';
import {
  newOrder,
  newShopper,
  payOrder,
  STAFF,
  paymentWorldForFile,
  untilJobsSettled,
  untilOrder,
  type PaymentWorld,
} from './support';
import { asIdentity } from '../../../test/support/harness';

let world: PaymentWorld;
paymentWorldForFile((started) => (world = started));

const CREDIT = `mutation($u: ID!, $a: Int!, $n: String!, $k: String!) { creditWallet(userId: $u, amount: $a, note: $n, idempotencyKey: $k) { id amount balanceAfter kind } }`;
const WALLET = `{ wallet { balance bills(first: 50) { edges { node { amount balanceAfter kind note } } pageInfo { hasNextPage } } } }`;

const credit = (userId: string, amount: number, key: string) => gql(world.paymentUrl, CREDIT, { u: userId, a: amount, n: '充值', k: key }, STAFF());
const order = (userId: string, price = 1000) => newOrder(world, { userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: price, quantity: 1 }] });

describe('wallet', () => {
  it('staff credit once per idempotency key; shoppers cannot credit', async () => {
    const shopper = await newShopper(world);
    const first = await credit(shopper.userId, 500, `credit-${shopper.userId}-a`);
    const again = await credit(shopper.userId, 500, `credit-${shopper.userId}-a`);
    expect(first.data.creditWallet).toMatchObject({ amount: 500, balanceAfter: 500, kind: 'CREDIT' });
    expect(again.data.creditWallet.id).toBe(first.data.creditWallet.id);
    expect(codes(await credit(shopper.userId, 700, `credit-${shopper.userId}-a`))).toEqual(['CONFLICT']);
    expect(codes(await gql(world.paymentUrl, CREDIT, { u: shopper.userId, a: 1, n: 'x', k: 'self-credit-1' }, asIdentity({ userId: shopper.userId }, 'payment')))).toEqual(['FORBIDDEN']);
    const wallet = await gql(world.paymentUrl, WALLET, {}, asIdentity({ userId: shopper.userId }, 'payment'));
    expect(wallet.data.wallet).toEqual({ balance: 500, bills: { edges: [{ node: { amount: 500, balanceAfter: 500, kind: 'CREDIT', note: expect.stringContaining('充值') } }], pageInfo: { hasNextPage: false } } });
  });

  it('20 concurrent payments against a wallet that covers 3: exactly 3 paid, the balance never negative, the ledger sums to it', async () => {
    const shopper = await newShopper(world);
    await credit(shopper.userId, 3000, `credit-${shopper.userId}-20`);
    const orders = await Promise.all(Array.from({ length: 20 }, () => order(shopper.userId)));
    const answers = await Promise.all(orders.map((id) => payOrder(world, shopper.userId, id, 'BALANCE')));
    const paid = answers.filter((a) => !a.errors);
    expect(paid).toHaveLength(3);
    expect(paid.every((a) => a.data.payOrder.payment.status === 'SUCCEEDED')).toBe(true);
    const refused = answers.filter((a) => a.errors);
    expect(refused.map((a) => a.errors![0].extensions)).toEqual(Array(17).fill(expect.objectContaining({ code: 'CONFLICT', reason: 'INSUFFICIENT_BALANCE' })));
    const wallet = await gql(world.paymentUrl, WALLET, {}, asIdentity({ userId: shopper.userId }, 'payment'));
    expect(wallet.data.wallet.balance).toBe(0);
    expect(wallet.data.wallet.bills.edges.map((e: any) => e.node.kind).sort()).toEqual(['CREDIT', 'PAYMENT', 'PAYMENT', 'PAYMENT']);
    await untilJobsSettled(world);
    const statuses = await world.orderDb('orders').whereIn('id', orders).select('status');
    expect(statuses.filter((s: { status: string }) => s.status === 'PAID')).toHaveLength(3);
    expect(await world.paymentDb('payments').whereIn('order_id', orders)).toHaveLength(3); // refused attempts left nothing
  });

  it('one order paid 5 times concurrently from a large balance: debited once', async () => {
    const shopper = await newShopper(world);
    await credit(shopper.userId, 10_000, `credit-${shopper.userId}-5`);
    const orderId = await order(shopper.userId, 1200);
    const answers = await Promise.all(Array.from({ length: 5 }, () => payOrder(world, shopper.userId, orderId, 'BALANCE')));
    expect(answers.filter((a) => !a.errors)).toHaveLength(1);
    expect(answers.filter((a) => a.errors).map((a) => codes(a)[0])).toEqual(Array(4).fill('CONFLICT'));
    await untilOrder(world, orderId, 'PAID');
    const wallet = await gql(world.paymentUrl, WALLET, {}, asIdentity({ userId: shopper.userId }, 'payment'));
    expect(wallet.data.wallet.balance).toBe(8800);
  });

  it('a balance refund credits the ledger and the order ends REFUNDED', async () => {
    const shopper = await newShopper(world);
    await credit(shopper.userId, 2000, `credit-${shopper.userId}-r`);
    const orderId = await order(shopper.userId, 2000);
    expect((await payOrder(world, shopper.userId, orderId, 'BALANCE')).errors).toBeUndefined();
    await untilOrder(world, orderId, 'PAID');
    const refund = await gql(world.paymentUrl, `mutation($o: ID!) { refundOrder(orderId: $o, amount: 2000, reason: "缺货") { refundNo status amount } }`, { o: orderId }, STAFF());
    expect(refund.data.refundOrder).toMatchObject({ status: 'PENDING', amount: 2000 });
    await untilOrder(world, orderId, 'REFUNDED');
    const wallet = await gql(world.paymentUrl, WALLET, {}, asIdentity({ userId: shopper.userId }, 'payment'));
    expect(wallet.data.wallet.balance).toBe(2000);
    expect(wallet.data.wallet.bills.edges.map((e: any) => e.node.kind)).toEqual(['REFUND', 'PAYMENT', 'CREDIT']);
  });
});
