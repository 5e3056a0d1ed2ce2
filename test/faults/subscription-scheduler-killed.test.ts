/**
 * Fault: the order process dies while it creates a paid subscription's packages (docs/subscriptions-purchase.md).
 * The whole shop runs as separate processes; the order process has the test-only ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES=5,
 * so when the WeChat sandbox payment marks the order PAID and the packages job runs right away, it exits (86) after
 * 5 of the 12 packages — in the middle of payment's `markOrderPaid` call. After a restart: payment's settle job gets its
 * answer (the order PAID exactly once), the packages job is taken over once its lease ran out, and there are exactly 12
 * packages, periods 1…12 once each, shares adding up to the total; the invariant checker finds nothing.
 */
import { Shop, eventually } from '../support/faults';
import { BOOT_TIMEOUT_MS, describeFaults, newProduct, newShopper, payInSandbox, staffCall } from './support';

const PERIODS = 12;
const PRICE = 100_007;

describeFaults('fault: order killed while creating subscription packages', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await Shop.start({
      label: 'sub_pkgs',
      // A short claim lease: the restarted order takes the dead run's job over after 2 s.
      env: { EVENTS_JOB_LEASE_MS: '2000', SUBSCRIPTION_SCHEDULER_INTERVAL_SECONDS: '3600' },
      serviceEnv: { order: { ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES: '5' } },
    });
  }, BOOT_TIMEOUT_MS);
  afterAll(() => shop?.stop());

  it('after the crash mid-run, a restarted order completes the job: exactly N packages, none twice, none skipped', async () => {
    const order = shop.service('order');
    const buyer = await newShopper(shop);
    const { skuIds } = await newProduct(shop, [{ price: 3000, stock: 100 }]);
    const wares = await staffCall(
      shop,
      ['catalog:write'],
      `mutation($input: CreateSubscriptionWaresInput!) { createSubscriptionWares(input: $input) { id } }`,
      { input: { skuId: skuIds[0], title: '每周一箱', cycle: 'WEEKLY', periods: PERIODS, quantityPerPeriod: 1, price: PRICE, onShelf: true } },
    );
    const created = await buyer.call(`mutation($input: CreateSubscriptionOrderInput!) { createSubscriptionOrder(input: $input) { id total } }`, {
      input: { waresId: wares.data.createSubscriptionWares.id, addressId: buyer.addressId, startDate: null },
    });
    const orderId: string = created.data.createSubscriptionOrder.id;

    await payInSandbox(buyer, orderId);
    expect((await order.exited).code).toBe(86);
    const packages = () => shop.dbs.order('subscription_packages').where({ order_id: orderId }).orderBy('period_no').select('period_no', 'amount');
    expect((await packages()).map((p) => p.period_no)).toEqual([1, 2, 3, 4, 5]);

    await order.restart({ ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES: undefined });
    const all = await eventually(() => packages(), (rows) => rows.length >= PERIODS, 60_000);
    expect(all.map((p) => p.period_no)).toEqual(Array.from({ length: PERIODS }, (_, i) => i + 1));
    expect(all.reduce((sum, p) => sum + p.amount, 0)).toBe(PRICE);
    const paid = await eventually(() => shop.dbs.order('orders').where({ id: orderId }).first('status', 'payment_id'), (row) => row.status === 'PAID', 60_000);
    expect(paid.status).toBe('PAID');
    // One transition to PAID in the history, whatever payment retried.
    expect(await shop.dbs.order('order_status_history').where({ order_id: orderId, to_status: 'PAID' }).count<{ count: string }[]>('* as count')).toEqual([{ count: '1' }]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await packages()).toHaveLength(PERIODS);
    await shop.expectInvariants();
  });
});
