/**
 * Fault (f): the payment subgraph is SIGKILLed right after it accepted a provider notification — the payment is
 * SUCCEEDED in its database, but order has not been told (its `markOrderPaid` is blackholed at order's proxy, so
 * neither the best-effort call nor the settle job gets through before the kill). After a restart the durable
 * `payment.settleOrder` job tells order: the order is PAID exactly once (one history row, one captured payment, no
 * refund), and the same notification delivered again changes nothing.
 */
import { Shop, eventually, until } from '../support/faults';
import { BOOT_TIMEOUT_MS, describeFaults, newProduct, newShopper, orderStatus, placeOrder } from './support';
import { ok } from './support';

describeFaults('fault (f): payment killed right after a sandbox notification', () => {
  let shop: Shop;
  beforeAll(async () => {
    // A claimed job of a killed instance is taken over after the lease: short here, 60 s in production.
    shop = await Shop.start({ label: 'pay_kill', env: { EVENTS_JOB_LEASE_MS: '3000' } });
  }, BOOT_TIMEOUT_MS);
  afterAll(() => shop?.stop());

  it('the order ends PAID exactly once after payment restarts, and a repeated notification is a no-op', async () => {
    const buyer = await newShopper(shop);
    const { skuIds } = await newProduct(shop, [{ price: 2500, stock: 10 }]);
    const order = await placeOrder(buyer, skuIds[0], 2);
    const pay = ok(
      await buyer.call<{ payOrder: { payment: { id: string }; sandboxPayUrl: string } }>(
        'mutation($id: ID!) { payOrder(orderId: $id, method: WECHAT) { payment { id } sandboxPayUrl } }',
        { id: order.id },
      ),
    ).payOrder;

    shop.service('order').proxy.blackhole(/markOrderPaid/);
    // The shopper pays; the sandbox delivers the signed notification to payment (through the router's /notify/*).
    const paying = fetch(pay.sandboxPayUrl, { method: 'POST' }).catch((error: Error) => error);
    const payments = shop.dbs.payment('payments').where({ order_id: order.id });
    await until(async () => (await payments.clone().where({ status: 'SUCCEEDED' })).length > 0, { timeoutMs: 30_000, intervalMs: 20, what: 'the payment to succeed' });
    await shop.service('payment').kill();
    await paying;
    expect(await orderStatus(shop, order.id)).toBe('PENDING_PAYMENT');

    shop.service('order').proxy.pass();
    await shop.service('payment').restart();
    expect(await eventually(() => orderStatus(shop, order.id), (s) => s === 'PAID', 60_000, 300)).toBe('PAID');

    // The same payment delivered again (the sandbox cashier posts its notification once more).
    const again = await fetch(pay.sandboxPayUrl, { method: 'POST' });
    expect(again.status).toBeLessThan(500);
    const history = await shop.dbs.order('order_status_history').where({ order_id: order.id, to_status: 'PAID' });
    expect(history).toHaveLength(1);
    expect(await payments.clone().select('id', 'status')).toEqual([{ id: pay.payment.id, status: 'SUCCEEDED' }]);
    expect(await shop.dbs.payment('refunds').where({ order_id: order.id })).toEqual([]);
    expect((await shop.dbs.order('orders').where({ id: order.id }).first()).payment_id).toBe(pay.payment.id);
    await shop.expectInvariants();
  }, 180_000);
});
