/**
 * Fault (d), finding 4: a slow payment provider must not stall the other payment jobs. Payment runs with live
 * Alipay against a fake Alipay gateway (test/support/faults/fake-alipay.ts) behind a proxy that holds every
 * `alipay.trade.refund` for 25 s (WECHAT_TIMEOUT_MS 30 s, so the call really waits). While the refund job of an
 * Alipay order hangs on it, the refund of another order paid from the wallet (no provider involved) must be done
 * within 10 s — not queued behind the slow call. Then the slow refund completes too, and the books hold.
 */
import { Shop, FakeAlipay, eventually, sleep } from '../support/faults';
import { BOOT_TIMEOUT_MS, describeFaults, newProduct, newShopper, ok, orderStatus, payWithBalance, placeOrder, staffCall } from './support';

const SLOW_MS = 25_000;

describeFaults('fault (d): a slow provider', () => {
  let shop: Shop;
  let alipay: FakeAlipay;
  beforeAll(async () => {
    alipay = await new FakeAlipay().start();
    shop = await Shop.start({ label: 'slow_provider', serviceEnv: { payment: { ...alipay.env, WECHAT_TIMEOUT_MS: String(SLOW_MS + 5000) } } });
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => {
    await shop?.stop();
    await alipay?.close();
  });

  const refund = (orderId: string, amount: number, refundNo: string) =>
    staffCall(shop, ['payment:refund'], 'mutation($o: ID!, $a: Int!, $n: String!) { refundOrder(orderId: $o, amount: $a, reason: "缺货", refundNo: $n) { status } }', {
      o: orderId,
      a: amount,
      n: refundNo,
    });

  async function paidWithAlipay() {
    const buyer = await newShopper(shop);
    const { skuIds } = await newProduct(shop, [{ price: 3000, stock: 10 }]);
    const order = await placeOrder(buyer, skuIds[0], 1);
    const paid = ok(
      await buyer.call<{ payOrder: { alipayOrderString: string } }>('mutation($id: ID!) { payOrder(orderId: $id, method: ALIPAY) { alipayOrderString } }', { id: order.id }),
    );
    const notified = await alipay.pay(paid.payOrder.alipayOrderString);
    expect(notified).toMatchObject({ status: 200, body: 'success' });
    expect(await eventually(() => orderStatus(shop, order.id), (s) => s === 'PAID')).toBe('PAID');
    return order;
  }

  it('live Alipay through the fake gateway pays and refunds (the harness itself)', async () => {
    const order = await paidWithAlipay();
    expect((await refund(order.id, order.total, `FD${order.id}`)).errors).toBeUndefined();
    expect(await eventually(() => orderStatus(shop, order.id), (s) => s === 'REFUNDED', 30_000)).toBe('REFUNDED');
    expect(alipay.calls['alipay.trade.refund']).toBeGreaterThanOrEqual(1);
    await shop.expectInvariants();
  }, 120_000);

  it('a refund stuck at a slow provider does not hold up a wallet refund', async () => {
    const slow = await paidWithAlipay();
    const buyer = await newShopper(shop);
    const { skuIds } = await newProduct(shop, [{ price: 2000, stock: 10 }]);
    const fast = await placeOrder(buyer, skuIds[0], 1);
    await payWithBalance(shop, buyer, fast.id, fast.total);
    expect(await eventually(() => orderStatus(shop, fast.id), (s) => s === 'PAID')).toBe('PAID');

    alipay.proxy.delay(SLOW_MS, /alipay\.trade\.refund/);
    expect((await refund(slow.id, slow.total, `FS${slow.id}`)).errors).toBeUndefined();
    // Payment's job runner has picked up the slow refund and is waiting on Alipay.
    await eventually(async () => alipay.proxy.stats.delayedChunks, (n) => n > 0, 10_000, 100);
    const started = Date.now();
    expect((await refund(fast.id, fast.total, `FF${fast.id}`)).errors).toBeUndefined();
    const status = await eventually(() => orderStatus(shop, fast.id), (s) => s === 'REFUNDED', 10_000, 200);
    const tookMs = Date.now() - started;
    expect(status).toBe('REFUNDED');
    // …while the slow one is still at the provider.
    expect(await orderStatus(shop, slow.id)).toBe('REFUNDING');
    console.log(`wallet refund done in ${tookMs} ms while an Alipay refund waited ${SLOW_MS} ms at the provider`);
    alipay.proxy.pass();
    expect(await eventually(() => orderStatus(shop, slow.id), (s) => s === 'REFUNDED', SLOW_MS + 40_000, 500)).toBe('REFUNDED');
    await sleep(0);
    await shop.expectInvariants();
  }, 180_000);
});
