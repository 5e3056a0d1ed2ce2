/**
 * A refund approved while payment is down completes once payment is back (issue 15, finding 3: the call used to be
 * fire-and-forget, and the order stayed REFUNDING). Order and user run on one server set, payment on its own, on a
 * fixed port: payment is stopped (its port refuses connections), the after-sales request is approved, then payment is
 * started again on the same port. The order's durable job `order.requestRefund` keeps retrying until it gets through.
 */
import net, { type AddressInfo } from 'node:net';
import { launch, type RunningSupergraph } from '../../../app/launcher';
import { openDatabases } from '../../../app/databases';
import { asIdentity, gql, startSupergraph, testConfig } from '../../../test/support/harness';
import { placeTestOrder, registerUser } from '../../order/test/fixtures';
import { sharedWechatSandbox } from '../providers';
import { expectMoneyInvariants, PAY, waitFor } from './support';

const BASE = {
  EVENTS_JOB_POLL_INTERVAL_MS: '25',
  EVENTS_POLL_INTERVAL_MS: '25',
  PAYMENT_RECONCILE_AFTER_SECONDS: '3600',
  IDENTITY_MAX_AGE_SECONDS: '3600',
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

let port: number;
let orderSide: RunningSupergraph;
let paymentSide: RunningSupergraph | undefined;
const orders: string[] = [];

/** The payment subgraph alone on `port`, calling the order side's order and user. */
async function startPayment(): Promise<RunningSupergraph> {
  const config = testConfig({
    ...BASE,
    PAYMENT_PORT: String(port),
    ORDER_URL: orderSide.subgraphs.order!.url,
    USER_URL: orderSide.subgraphs.user!.url,
  });
  const databases = await openDatabases(config, ['payment'], { migrate: false, separateRoles: process.env.SHOP_TEST_SEPARATE_ROLES === 'true' });
  const running = await launch({ config, subgraphs: ['payment'], router: false, ephemeralPorts: false, seedDemo: false, databases });
  return {
    ...running,
    async stop() {
      await running.stop();
      await databases.close();
    },
  };
}

beforeAll(async () => {
  port = await freePort();
  orderSide = await startSupergraph({
    subgraphs: ['user', 'order'],
    router: false,
    config: testConfig({ ...BASE, PAYMENT_URL: `http://127.0.0.1:${port}/graphql` }),
  });
  paymentSide = await startPayment();
});
afterAll(async () => {
  if (paymentSide) {
    await expectMoneyInvariants({ paymentDb: paymentSide.subgraphs.payment!.db, orderDb: orderSide.subgraphs.order!.db, orders, users: [] });
  }
  await paymentSide?.stop();
  await orderSide?.stop();
});

it('payment down at approval: the order keeps the refund in flight and completes it after payment is back', async () => {
  const orderUrl = orderSide.subgraphs.order!.url;
  const orderDb = orderSide.subgraphs.order!.db;
  const shopper = await registerUser(orderSide.subgraphs.user!.url);
  const orderId = await placeTestOrder(orderDb, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: 3000, quantity: 1 }] });
  orders.push(orderId);

  // Paid through the sandbox while payment is up.
  const paid = await gql(paymentSide!.subgraphs.payment!.url, PAY, { orderId, method: 'WECHAT' }, asIdentity({ userId: shopper.userId }, 'payment'));
  const notification = sharedWechatSandbox(testConfig(BASE)).pay(String(paid.data.payOrder.wechat.package).replace('prepay_id=', ''))!;
  const notified = await fetch(`http://127.0.0.1:${port}/notify/wechat`, { method: 'POST', headers: notification.headers, body: notification.body });
  expect(notified.status).toBe(204);
  await waitFor(async () => (await orderDb('orders').where({ id: orderId }).first()).status === 'PAID');

  // Payment goes down.
  await paymentSide!.stop();
  paymentSide = undefined;

  const asShopper = asIdentity({ userId: shopper.userId }, 'order');
  const requested = await gql(orderUrl, `mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id } }`, { input: { orderId, reason: '不想要了', amount: 3000 } }, asShopper);
  const requestId = requested.data.requestRefund.id;
  const approved = await gql(orderUrl, `mutation($id: ID!) { approveRefundRequest(id: $id) { status order { status } } }`, { id: requestId }, asIdentity({ userId: '1', scopes: ['order:write'] }, 'order'));
  expect(approved.data.approveRefundRequest).toEqual({ status: 'APPROVED', order: { status: 'REFUNDING' } });

  // The job tried and failed (payment unreachable); nothing is lost: the refund is in flight, the job still due.
  // (Test files share the database: another file's order instance, whose payment is up, may take the job first —
  // then it is simply done, and the end state below is the same.)
  const jobOf = () => orderDb('jobs').where({ kind: 'order.requestRefund', key: `AS${requestId}` }).first();
  await waitFor(async () => {
    const row = await jobOf();
    return !!row && (row.last_error != null || row.done_at != null);
  });
  const job = await jobOf();
  if (job.done_at === null) {
    expect(job.last_error).toMatch(/payment/);
    expect(await orderDb('order_refunds').where({ order_id: orderId })).toMatchObject([{ refund_no: `AS${requestId}`, amount: 3000 }]);
  }

  // Payment is back on the same address: the job gets through, payment pays back, tells order.
  const backAt = Date.now();
  paymentSide = await startPayment();
  await waitFor(async () => (await orderDb('orders').where({ id: orderId }).first()).status === 'REFUNDED', 100);
  const took = Date.now() - backAt;
  console.log(`refund approved while payment was down: REFUNDED ${took} ms after payment came back (job attempts: ${(await orderDb('jobs').where({ id: job.id }).first()).attempts})`);
  const refunds = await paymentSide!.subgraphs.payment!.db('refunds').where({ order_id: orderId });
  expect(refunds).toMatchObject([{ refund_no: `AS${requestId}`, status: 'SUCCEEDED', amount: 3000, source: 'AFTER_SALE' }]);
  expect((await orderDb('orders').where({ id: orderId }).first()).refunded_amount).toBe(3000);
});
