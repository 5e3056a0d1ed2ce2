/**
 * Fault (g): concurrency under a fault. Twelve shoppers order the last 5 units at once while product is frozen
 * (SIGSTOP) for 3 s in the middle of it: calls queue at its port, some time out at their callers and may land
 * later. Never oversold: at most 5 orders placed, available + reserved + sold stays 5, the stock never negative, and
 * paying every placed order sells exactly what was placed.
 */
import { Shop, eventually, sleep } from '../support/faults';
import { newShoppers, BOOT_TIMEOUT_MS, createOrder, describeFaults, newProduct, orderStatus, payWithBalance, skuCounts } from './support';

const UNITS = 5;
const SHOPPERS = 12;

describeFaults('fault (g): the last units, ordered concurrently while product is stopped', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await Shop.start({ label: 'oversell', env: { ORDER_SAGA_TIMEOUT_SECONDS: '15' } });
  }, BOOT_TIMEOUT_MS);
  afterAll(() => shop?.stop());

  it('never oversells', async () => {
    const buyers = await newShoppers(shop, SHOPPERS);
    const { skuIds } = await newProduct(shop, [{ price: 1500, stock: UNITS }]);
    const product = shop.service('product');

    const burst = Promise.all(buyers.map((buyer) => createOrder(buyer, { items: [{ skuId: skuIds[0], quantity: 1 }] })));
    await sleep(300);
    product.pause();
    await sleep(3000);
    product.resume();
    const answers = await burst;
    const placed = answers.flatMap((answer) => (answer.data?.createOrder ? [answer.data.createOrder] : []));
    expect(placed.length).toBeLessThanOrEqual(UNITS);

    // Interrupted sagas are recovered (ORDER_SAGA_TIMEOUT_SECONDS 15); then what is held is what placed orders hold.
    const orders = shop.dbs.order('orders').whereIn('user_id', buyers.map((b) => b.userId));
    const rows = await eventually(() => orders.clone().select('id', 'status', 'user_id'), (r) => r.every((o) => o.status !== 'CREATING'), 60_000, 500);
    const live = rows.filter((o) => o.status === 'PENDING_PAYMENT');
    expect(live.length).toBeLessThanOrEqual(UNITS);
    const counts = await eventually(() => skuCounts(shop, skuIds[0]), (c) => c.reserved === live.length, 30_000);
    expect(counts).toEqual({ stock: UNITS - live.length, reserved: live.length, sold: 0 });

    for (const row of live) {
      const buyer = buyers.find((b) => b.userId === String(row.user_id))!;
      await payWithBalance(shop, buyer, row.id, (await shop.dbs.order('orders').where({ id: row.id }).first()).total);
    }
    for (const row of live) expect(await eventually(() => orderStatus(shop, row.id), (s) => s === 'PAID')).toBe('PAID');
    expect(await eventually(() => skuCounts(shop, skuIds[0]), (c) => c.sold === live.length)).toEqual({ stock: UNITS - live.length, reserved: 0, sold: live.length });
    console.log(`oversell under SIGSTOP: ${answers.length} checkouts, ${placed.length} answered placed, ${live.length} placed after recovery, sold ${live.length} of ${UNITS}`);
    await shop.expectInvariants();
  }, 180_000);
});
