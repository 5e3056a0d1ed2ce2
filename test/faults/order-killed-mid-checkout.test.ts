/**
 * Fault (a): the order subgraph dies in the middle of checkouts. Whatever the saga had taken (a stock reservation, a
 * coupon lock) is given back once an order instance runs again — the durable `order.recoverSaga` job fails the
 * interrupted order and releases its holds — and the invariant checker finds nothing held for a dead order.
 */
import { Shop, eventually, until } from '../support/faults';
import { newShoppers, BOOT_TIMEOUT_MS, couponStatus, createOrder, describeFaults, newCoupon, newProduct, newShopper, orderStatus, skuCounts } from './support';

describeFaults('fault (a): order killed mid-checkout', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await Shop.start({
      label: 'order_kill',
      env: { ORDER_SAGA_TIMEOUT_SECONDS: '2' },
      // The test-only hook makes the first order process exit (86) right after the coupon lock: exactly mid-saga.
      serviceEnv: { order: { ORDER_SAGA_CRASH_AFTER: 'coupon' } },
    });
  }, BOOT_TIMEOUT_MS);
  afterAll(() => shop?.stop());

  it('after a crash right after the coupon lock, a restarted order gives back the stock and the coupon', async () => {
    const order = shop.service('order');
    const buyer = await newShopper(shop);
    const { skuIds } = await newProduct(shop, [{ price: 3000, stock: 10 }]);
    const couponId = await newCoupon(shop, buyer.userId);

    const attempt = await createOrder(buyer, { items: [{ skuId: skuIds[0], quantity: 3 }], couponId });
    expect(attempt.errors?.length).toBeGreaterThan(0);
    expect((await order.exited).code).toBe(86);
    // Held by the interrupted saga: 3 units and the coupon.
    expect(await skuCounts(shop, skuIds[0])).toEqual({ stock: 7, reserved: 3, sold: 0 });
    expect((await couponStatus(shop, couponId)).status).toBe('LOCKED');

    await order.restart({ ORDER_SAGA_CRASH_AFTER: undefined });
    const [row] = await shop.dbs.order('orders').where({ user_id: buyer.userId });
    expect(await eventually(() => orderStatus(shop, row.id), (s) => s === 'CANCELLED', 30_000)).toBe('CANCELLED');
    expect(await eventually(() => skuCounts(shop, skuIds[0]), (c) => c.reserved === 0, 30_000)).toEqual({ stock: 10, reserved: 0, sold: 0 });
    expect(await eventually(() => couponStatus(shop, couponId), (c) => c.status === 'AVAILABLE', 30_000)).toMatchObject({ status: 'AVAILABLE' });
    await shop.expectInvariants();
  });

  it('SIGKILL during a burst of checkouts: after restart every order is placed with its holds or cancelled without any', async () => {
    const order = shop.service('order');
    const buyers = await newShoppers(shop, 8);
    const { skuIds } = await newProduct(shop, [{ price: 2000, stock: 100 }]);
    const coupons = await Promise.all(buyers.map((buyer) => newCoupon(shop, buyer.userId)));

    const burst = Promise.all(buyers.map((buyer, i) => createOrder(buyer, { items: [{ skuId: skuIds[0], quantity: 2 }], couponId: coupons[i] })));
    // Killed as soon as the first saga has written its order (step 1): the others are anywhere in their sagas.
    const orders = shop.dbs.order('orders').whereIn('user_id', buyers.map((b) => b.userId));
    await until(async () => (await orders.clone().select('id')).length > 0, { timeoutMs: 60_000, intervalMs: 20, what: 'a checkout to start' });
    // Then a little more, so several sagas are at different steps (bounded: kill anyway after 3 s).
    await until(async () => (await orders.clone().select('id')).length >= 4, { timeoutMs: 3000, intervalMs: 20, what: 'more checkouts' }).catch(() => undefined);
    await order.kill();
    const answers = await burst;
    await order.restart();

    // Every interrupted saga is resolved by recovery (ORDER_SAGA_TIMEOUT_SECONDS=2): none stays CREATING.
    const settled = await eventually(() => orders.clone().select('id', 'status'), (rows) => rows.every((r) => r.status !== 'CREATING'), 60_000);
    expect(settled.filter((r) => r.status === 'CREATING')).toEqual([]);
    const placed = settled.filter((r) => r.status === 'PENDING_PAYMENT');
    // What is still reserved is exactly what the placed orders hold.
    expect(await eventually(() => skuCounts(shop, skuIds[0]), (c) => c.reserved === placed.length * 2, 30_000)).toEqual({
      stock: 100 - placed.length * 2,
      reserved: placed.length * 2,
      sold: 0,
    });
    console.log(`burst: ${answers.filter((a) => !a.errors).length} answered, ${placed.length} placed, ${settled.length - placed.length} cancelled`);
    await shop.expectInvariants();
  });
});
