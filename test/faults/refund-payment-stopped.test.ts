/**
 * Fault (c), finding 3: staff approve a refund while the payment subgraph is down — frozen (SIGSTOP) and unreachable
 * (its proxy drops what is sent meanwhile, as a partition or a full accept queue would; a SIGSTOP alone lets the
 * kernel queue the call, which payment then serves after SIGCONT: the second test). Order's call to payment times
 * out (PAYMENT_TIMEOUT_MS 2 s in order). After SIGCONT the refund must complete on its own — a durable, retried
 * obligation, not a fire-and-forget call — and the order end REFUNDED, with refunds ≤ paid.
 */
import { Shop, eventually, sleep } from '../support/faults';
import { BOOT_TIMEOUT_MS, describeFaults, newProduct, newShopper, ok, orderStatus, payInSandbox, placeOrder, staffCall } from './support';

describeFaults('fault (c): payment stopped while staff approve a refund', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await Shop.start({ label: 'refund_stop', serviceEnv: { order: { PAYMENT_TIMEOUT_MS: '2000' } } });
  }, BOOT_TIMEOUT_MS);
  afterAll(() => shop?.stop());

  async function paidOrder() {
    const buyer = await newShopper(shop);
    const { skuIds } = await newProduct(shop, [{ price: 4000, stock: 10 }]);
    const order = await placeOrder(buyer, skuIds[0], 2);
    await payInSandbox(buyer, order.id);
    expect(await eventually(() => orderStatus(shop, order.id), (s) => s === 'PAID')).toBe('PAID');
    return { buyer, order };
  }

  it('an after-sales refund approved while payment is SIGSTOPped completes after SIGCONT', async () => {
    const { buyer, order } = await paidOrder();
    const request = ok(
      await buyer.call<{ requestRefund: { id: string } }>('mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id } }', {
        input: { orderId: order.id, reason: '不想要了', amount: order.total },
      }),
    ).requestRefund;

    const payment = shop.service('payment');
    payment.pause();
    payment.proxy.blackhole();
    try {
      const approved = await staffCall(shop, ['order:write'], 'mutation($id: ID!) { approveRefundRequest(id: $id, note: "同意") { id status } }', { id: request.id });
      expect(approved.errors).toBeUndefined();
      await sleep(5000);
    } finally {
      payment.proxy.pass();
      payment.resume();
    }
    const status = await eventually(() => orderStatus(shop, order.id), (s) => s === 'REFUNDED', 60_000, 500);
    expect(status).toBe('REFUNDED');
    const refunds = await shop.dbs.payment('refunds').where({ order_id: order.id }).select('status', 'amount');
    expect(refunds).toEqual([{ status: 'SUCCEEDED', amount: order.total }]);
    await shop.expectInvariants();
  }, 180_000);

  it('a staff refundOrder sent while payment is SIGSTOPped is answered after SIGCONT and pays back once', async () => {
    // The staff call waits for payment (the router's timeout is 10 s); pausing 3 s shows a frozen payment delays but
    // neither loses nor doubles a refund.
    const { order } = await paidOrder();
    const payment = shop.service('payment');
    payment.pause();
    const refund = staffCall(shop, ['payment:refund'], 'mutation($o: ID!, $a: Int!) { refundOrder(orderId: $o, amount: $a, reason: "缺货", refundNo: "FAULTC1") { status } }', {
      o: order.id,
      a: order.total,
    });
    await sleep(3000);
    payment.resume();
    const answer = await refund;
    expect(answer.errors).toBeUndefined();
    expect(await eventually(() => orderStatus(shop, order.id), (s) => s === 'REFUNDED', 60_000, 500)).toBe('REFUNDED');
    expect(await shop.dbs.payment('refunds').where({ order_id: order.id }).select('status', 'amount')).toEqual([{ status: 'SUCCEEDED', amount: order.total }]);
    await shop.expectInvariants();
  }, 180_000);
});
