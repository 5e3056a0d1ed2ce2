/**
 * The invariant checker itself (audit/invariants, `npm run check:invariants`), on a shop database of its own with
 * no services running: clean books pass (exit 0); then one planted instance of each kind of violation is found,
 * named and counted (exit 1, JSON), the grace period hides only what can be in flight, and the checker cannot write.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Shop } from '../support/faults';
import { CHECK_NAMES, formatReport } from '../../audit/invariants';
import { openAuditDatabases } from '../../audit/invariants/open';
import { loadConfig } from '../../platform/config';
import { BOOT_TIMEOUT_MS, describeFaults } from './support';

const root = path.resolve(__dirname, '..', '..');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/check-invariants.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeFaults('the invariant checker', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await Shop.start({ label: 'checker', services: [] });
  }, BOOT_TIMEOUT_MS);
  afterAll(() => shop?.stop());

  it('passes clean books, finds each planted violation, and exits 1 with the report', async () => {
    const env = { DATABASE_URL: shop.databaseUrl, DB_SEPARATE_ROLES: 'true' };
    const clean = await runCli([], env);
    expect(clean.stdout).toContain(`All ${CHECK_NAMES.length} invariants hold`);
    expect(clean.code).toBe(0);

    const { product, promote, order, payment } = shop.dbs;
    const skus = await product('skus').orderBy('id').limit(2).select('id');
    // stock: one unit appears from nowhere (not in the ledger).
    await product('skus').where({ id: skus[0].id }).increment('stock', 1);
    // holds: 2 units reserved (books consistent) for an order the order subgraph never heard of.
    await product('stock_reservations').insert({ order_id: '880000001', status: 'RESERVED', lines: JSON.stringify([{ skuId: skus[1].id, quantity: 2 }]) });
    await product('skus').where({ id: skus[1].id }).update({ stock: product.raw('stock - 2'), reserved: product.raw('reserved + 2') });

    const template = await promote('coupon_templates').first('id');
    /** A coupon in `status` for the order, with its hold row (promote's lease ledger) unless `hold` is false. */
    const coupon = async (status: string, orderId: string | null, hold = true) => {
      const [row] = await promote('coupons')
        .insert({ template_id: template.id, user_id: 77, status, order_id: orderId, source: 'CLAIM', valid_from: new Date(0), valid_until: new Date(Date.now() + 86_400_000) })
        .returning('id');
      if (hold && orderId) await promote('coupon_holds').insert({ order_id: orderId, coupon_id: row.id, user_id: 77, status });
      return String(row.id);
    };
    const newOrder = (status: string, total: number, extra: Record<string, unknown> = {}) =>
      order('orders')
        .insert({ order_no: `F${Date.now()}${Math.random().toString().slice(2, 8)}`, user_id: 77, status, subtotal: total, total, saga_step: 'PLACED', ...extra })
        .returning('id')
        .then(([row]) => String(row.id));

    // coupons: LOCKED for a cancelled order; USED by an order that was never paid.
    const cancelled = await newOrder('CANCELLED', 1000);
    const lockedCoupon = await coupon('LOCKED', cancelled);
    await order('orders').where({ id: cancelled }).update({ coupon_id: lockedCoupon });
    const unpaid = await newOrder('PENDING_PAYMENT', 1000);
    const usedCoupon = await coupon('USED', unpaid);
    await order('orders').where({ id: unpaid }).update({ coupon_id: usedCoupon });

    // coupons: the hold ledger says LOCKED, the coupon is AVAILABLE.
    const leased = await newOrder('PENDING_PAYMENT', 1000);
    const availableCoupon = await coupon('AVAILABLE', null);
    await promote('coupon_holds').insert({ order_id: leased, coupon_id: availableCoupon, user_id: 77, status: 'LOCKED' });

    // payments: a PAID order without a payment; one paid the wrong amount; money kept for a cancelled order.
    const paidWithout = await newOrder('PAID', 2000, { payment_id: '990000001' });
    const wrongAmountOrder = await newOrder('PAID', 2000);
    const pay = (orderId: string, amount: number, status = 'SUCCEEDED', method = 'WECHAT') =>
      payment('payments')
        .insert({ order_id: orderId, user_id: 77, amount, method, status, paid_at: new Date(), out_trade_no: `T${Math.random().toString().slice(2, 14)}` })
        .returning('id')
        .then(([row]) => String(row.id));
    const wrongAmount = await pay(wrongAmountOrder, 1999);
    await order('orders').where({ id: wrongAmountOrder }).update({ payment_id: wrongAmount });
    const kept = await pay(cancelled, 1000);

    // refunds: a SUCCEEDED refund not counted in refunded_amount; refunds above what was paid.
    const refundedOrder = await newOrder('CANCELLED', 500);
    const refunded = await pay(refundedOrder, 500);
    await payment('refunds').insert({ refund_no: 'RF-PLANT-1', payment_id: refunded, order_id: refundedOrder, amount: 300, reason: 'plant', source: 'STAFF', status: 'SUCCEEDED' });
    await payment('refunds').insert({ refund_no: 'RF-PLANT-2', payment_id: refunded, order_id: refundedOrder, amount: 300, reason: 'plant', source: 'STAFF', status: 'PENDING' });

    // refunds per line (order side and against payment's). Order A: PAID, one piece each of two SKUs, its payment
    // P; a refund of 2 pieces of the first SKU (1 ordered); refunded_amount left at 0 although 200 fen SUCCEEDED;
    // at payment, besides those two, a SUCCEEDED refund the order never heard of and one the order has PENDING.
    const refundsOrder = await newOrder('PAID', 2000);
    const refundsPayment = await pay(refundsOrder, 2000);
    await order('orders').where({ id: refundsOrder }).update({ payment_id: refundsPayment });
    const item = (skuId: string) => ({ order_id: refundsOrder, sku_id: skuId, product_id: 1, title: 'plant', unit_price: 1000, quantity: 1 });
    await order('order_items').insert([item(skus[0].id), item(skus[1].id)]);
    const orderRefund = (refundNo: string, amount: number, status: string, lines: unknown) =>
      order('order_refunds').insert({ order_id: refundsOrder, refund_no: refundNo, source: 'STAFF', amount, status, reason: 'plant', lines: lines && JSON.stringify(lines), settled_at: status === 'PENDING' ? null : new Date() });
    await orderRefund('RF-LINE-Q', 100, 'SUCCEEDED', [{ skuId: skus[0].id, quantity: 2, restock: false }]);
    await orderRefund('RF-LINE-R', 100, 'SUCCEEDED', [{ skuId: skus[1].id, quantity: 1, restock: true }]);
    await orderRefund('RF-LINE-S', 10, 'SUCCEEDED', [{ skuId: skus[0].id, quantity: 1, restock: true }]);
    await orderRefund('RF-LINE-P', 30, 'PENDING', null);
    for (const [refundNo, amount] of [['RF-LINE-Q', 100], ['RF-LINE-R', 100], ['RF-LINE-S', 10], ['RF-LINE-X', 50], ['RF-LINE-P', 30]] as const) {
      await payment('refunds').insert({ refund_no: refundNo, payment_id: refundsPayment, order_id: refundsOrder, amount, reason: 'plant', source: 'STAFF', status: 'SUCCEEDED', completed_at: new Date() });
    }
    await payment('payments').where({ id: refundsPayment }).update({ refunded_amount: 290 });
    // Order B: REFUNDED with nothing refunded (a fixture, so only the order-side books see it).
    await newOrder('REFUNDED', 1000, { saga_step: null });
    // stock: another order (C) bought one piece of the second SKU; RF-LINE-R's piece of it comes back for order A,
    // which bought none at product, with the counters moved as a real return does (sold → available) — the per-SKU
    // books balance (C's sale covers it), only the per-order check sees it. One piece of the first SKU returned for
    // A under RF-LINE-Q, which restocks nothing; RF-LINE-S restocks one piece that never came back.
    await product('stock_reservations').insert({ order_id: '880000002', status: 'COMMITTED', lines: JSON.stringify([{ skuId: skus[1].id, quantity: 1 }]) });
    await product('skus').where({ id: skus[1].id }).update({ stock: product.raw('stock - 1'), sold: product.raw('sold + 1') });
    await product('stock_returns').insert({ order_id: refundsOrder, key: 'RF-LINE-R', lines: JSON.stringify([{ skuId: skus[1].id, quantity: 1 }]) });
    await product('skus').where({ id: skus[1].id }).update({ stock: product.raw('stock + 1'), sold: product.raw('sold - 1') });
    await product('stock_returns').insert({ order_id: refundsOrder, key: 'RF-LINE-Q', lines: JSON.stringify([{ skuId: skus[0].id, quantity: 1 }]) });
    // stock, exchanges (key EXR<after-sales id>): order A's received exchange that staff restocked has its return (fine);
    // one staff kept out of stock has a return anyway; one restocked never came back.
    const exchange = (restock: boolean) =>
      order('after_sales')
        .insert({ order_id: refundsOrder, user_id: 77, kind: 'EXCHANGE', status: 'RECEIVED', reason: 'plant', amount: 0, items: JSON.stringify([{ skuId: String(skus[0].id), quantity: 1 }]), received_at: new Date(), return_restock: restock })
        .returning('id')
        .then(([row]) => `EXR${row.id}`);
    const exchangeReturn = (key: string) => product('stock_returns').insert({ order_id: refundsOrder, key, lines: JSON.stringify([{ skuId: skus[0].id, quantity: 1 }]) });
    await exchangeReturn(await exchange(true));
    const keptOut = await exchange(false);
    await exchangeReturn(keptOut);
    const neverBack = await exchange(true);

    // payments: one flagged amount mismatch not resolved; one resolved by staff (not reported).
    const flag = (resolved: boolean) =>
      payment('payments').insert({
        order_id: unpaid, user_id: 77, amount: 1000, method: 'ALIPAY', status: 'FLAGGED', out_trade_no: `T${Math.random().toString().slice(2, 14)}`,
        flag_reason: 'AMOUNT_MISMATCH', flagged_at: new Date(), provider_amount: 1,
        ...(resolved ? { flag_resolution: 'refunded 0.01 in the console', flag_resolved_at: new Date(), flag_resolved_by: 'staff:plant' } : {}),
      }).returning('id').then(([row]) => String(row.id));
    const flagged = await flag(false);
    await flag(true);

    // wallet: a balance its ledger does not explain.
    await payment('wallet_accounts').insert({ user_id: 77, balance: 100 });
    await payment('wallet_entries').insert({ user_id: 77, amount: 50, balance_after: 50, kind: 'CREDIT', ref: 'credit:plant' });

    // ratings: a rating counting a review nobody wrote (the demo reviews' ratings are consistent).
    await shop.dbs.review('product_ratings').insert({ product_id: 880000077, review_count: 1, star_sum: 5, stars_5: 1 });

    // favorites: a count of 2 for a product one shopper favorited. (The coupons planted above were inserted without
    // taking from their template's issued count: that template's count is off too.)
    const fan = await shop.dbs.user('users').first('id');
    await shop.dbs.user('favorites').insert({ user_id: fan.id, product_id: 880000078 });
    await shop.dbs.user('product_favorite_counts').insert({ product_id: 880000078, count: 2 });

    const report = await shop.checkInvariants();
    const kinds = (name: string) => report.checks.find((check) => check.name === name)!.violations.map((v) => v.kind).sort();
    expect(report.ok).toBe(false);
    expect(kinds('stock')).toEqual([
      'STOCK_LEDGER_MISMATCH',
      'STOCK_NOT_RETURNED',
      'STOCK_NOT_RETURNED',
      'STOCK_RETURNED_BEYOND_SOLD',
      'STOCK_RETURNED_BEYOND_SOLD',
      'STOCK_RETURN_WITHOUT_REFUND',
      'STOCK_RETURN_WITHOUT_REFUND',
    ]);
    expect(kinds('holds')).toEqual(['COUPON_LOCKED_FOR_DEAD_ORDER', 'STOCK_HELD_FOR_DEAD_ORDER']);
    expect(kinds('coupons')).toEqual(['COUPON_HOLD_MISMATCH', 'COUPON_USED_WITHOUT_PAID_ORDER']);
    expect(kinds('payments')).toEqual(['PAID_ORDER_WITHOUT_PAYMENT', 'PAYMENT_AMOUNT_NOT_TOTAL', 'PAYMENT_FLAGGED_UNRESOLVED', 'PAYMENT_KEPT_FOR_UNPAID_ORDER']);
    expect(kinds('refunds')).toEqual([
      'ORDER_REFUNDED_AMOUNT_MISMATCH',
      'ORDER_REFUNDED_AMOUNT_NOT_PAYMENTS',
      'ORDER_REFUNDED_STATUS_MISMATCH',
      'ORDER_REFUNDS_EXCEED_PAID',
      'REFUNDED_QUANTITY_EXCEEDS_ORDERED',
      'REFUNDS_EXCEED_PAYMENT',
      'REFUND_NOT_SETTLED_AT_ORDER',
      'REFUND_UNKNOWN_TO_ORDER',
    ]);
    const refundViolations = report.checks.find((check) => check.name === 'refunds')!.violations;
    expect(refundViolations.find((v) => v.kind === 'REFUNDED_QUANTITY_EXCEEDS_ORDERED')?.subject).toEqual({ orderId: refundsOrder, skuId: String(skus[0].id) });
    expect(refundViolations.find((v) => v.kind === 'REFUND_UNKNOWN_TO_ORDER')?.message).toMatch(/RF-LINE-X/);
    expect(refundViolations.find((v) => v.kind === 'REFUND_NOT_SETTLED_AT_ORDER')?.message).toMatch(/RF-LINE-P.*PENDING/);
    const stockViolations = report.checks.find((check) => check.name === 'stock')!.violations;
    expect(stockViolations.find((v) => v.kind === 'STOCK_NOT_RETURNED')?.message).toMatch(/RF-LINE-S/);
    // The second SKU's books balance (only the per-order check sees the piece returned for an order that bought none).
    expect(stockViolations.filter((v) => v.subject.skuId === String(skus[1].id)).map((v) => v.kind)).toEqual(['STOCK_RETURNED_BEYOND_SOLD']);
    expect(stockViolations.find((v) => v.kind === 'STOCK_RETURN_WITHOUT_REFUND')?.message).toMatch(/RF-LINE-Q/);
    expect(stockViolations.filter((v) => v.kind === 'STOCK_RETURN_WITHOUT_REFUND').map((v) => v.message)).toEqual([
      expect.stringMatching(/RF-LINE-Q/),
      expect.stringContaining(`under ${keptOut}, which is an exchange staff kept out of stock`),
    ]);
    expect(stockViolations.filter((v) => v.kind === 'STOCK_NOT_RETURNED').map((v) => v.message)).toEqual([
      expect.stringMatching(/RF-LINE-S/),
      expect.stringContaining(`exchange ${neverBack} of order ${refundsOrder}`),
    ]);
    expect(report.checks.find((c) => c.name === 'payments')!.violations.find((v) => v.kind === 'PAYMENT_FLAGGED_UNRESOLVED')?.subject.paymentId).toBe(flagged);
    expect(kinds('wallet')).toEqual(['WALLET_BALANCE_NOT_LAST_ENTRY', 'WALLET_BALANCE_NOT_LEDGER_SUM']);
    expect(report.checks.find((check) => check.name === 'ratings')!.violations).toEqual([
      expect.objectContaining({ kind: 'RATING_MISMATCH', subject: { productId: '880000077' } }),
    ]);
    expect(report.checks.find((check) => check.name === 'favorites')!.violations).toEqual([
      expect.objectContaining({ kind: 'FAVORITE_COUNT_MISMATCH', subject: { productId: '880000078' }, details: { productId: '880000078', kept: 2, counted: 1 } }),
    ]);
    expect(report.checks.find((check) => check.name === 'issued')!.violations).toEqual([
      expect.objectContaining({ kind: 'COUPON_ISSUED_COUNT_MISMATCH', subject: { templateId: String(template.id) } }),
    ]);
    const holds = report.checks.find((check) => check.name === 'holds')!.violations;
    expect(holds.find((v) => v.kind === 'STOCK_HELD_FOR_DEAD_ORDER')?.subject).toEqual({ orderId: '880000001' });
    expect(report.checks.find((c) => c.name === 'payments')!.violations.map((v) => v.subject.paymentId).sort()).toEqual(
      expect.arrayContaining([wrongAmount, kept]),
    );
    expect(paidWithout).toEqual(expect.any(String));
    expect(formatReport(report)).toMatch(/✗ holds +2 VIOLATIONS/);

    // What may be in flight (holds, coupons, money awaiting its refund) waits for the grace period; ledgers never do.
    const graced = await shop.checkInvariants({ graceSeconds: 3600 });
    const gracedKinds = graced.checks.flatMap((check) => check.violations.map((v) => v.kind)).sort();
    expect(gracedKinds).toEqual(
      [
        'COUPON_HOLD_MISMATCH',
        'ORDER_REFUNDS_EXCEED_PAID',
        'PAID_ORDER_WITHOUT_PAYMENT',
        'PAYMENT_AMOUNT_NOT_TOTAL',
        'REFUNDS_EXCEED_PAYMENT',
        'STOCK_LEDGER_MISMATCH',
        'WALLET_BALANCE_NOT_LAST_ENTRY',
        'WALLET_BALANCE_NOT_LEDGER_SUM',
        // A rating is written with its review, a favorite count with its row, an issued count with its coupon: never in flight.
        'RATING_MISMATCH',
        'FAVORITE_COUNT_MISMATCH',
        'COUPON_ISSUED_COUNT_MISMATCH',
        // Refund books and returns can never be in flight; a flag waits for a person, not for a job.
        'ORDER_REFUNDED_AMOUNT_MISMATCH',
        'ORDER_REFUNDED_STATUS_MISMATCH',
        'REFUNDED_QUANTITY_EXCEEDS_ORDERED',
        'STOCK_RETURNED_BEYOND_SOLD',
        'STOCK_RETURNED_BEYOND_SOLD',
        'STOCK_RETURN_WITHOUT_REFUND',
        'STOCK_RETURN_WITHOUT_REFUND',
        'PAYMENT_FLAGGED_UNRESOLVED',
      ].sort(),
    );

    const cli = await runCli(['--json', '--grace-seconds', '0'], env);
    expect(cli.code).toBe(1);
    const json = JSON.parse(cli.stdout);
    expect(json.ok).toBe(false);
    expect(json.checks.flatMap((check: { violations: { kind: string }[] }) => check.violations.map((v) => v.kind)).sort()).toEqual(
      report.checks.flatMap((check) => check.violations.map((v) => v.kind)).sort(),
    );
    const only = await runCli(['--only', 'wallet', '--grace-seconds=0'], env);
    expect(only.code).toBe(1);
    expect(only.stdout).toMatch(/WALLET_BALANCE_NOT_LEDGER_SUM: wallet of user 77/);
    expect((await runCli(['--only', 'nonsense'], env)).code).toBe(2);
  }, 180_000);

  it('reads with read-only sessions: a write through the checker connection fails', async () => {
    const opened = await openAuditDatabases(loadConfig({ NODE_ENV: 'test', DATABASE_URL: shop.databaseUrl, DB_SEPARATE_ROLES: 'true' }));
    try {
      await expect(opened.dbs.product('skus').update({ stock: 0 })).rejects.toThrow(/read-only transaction/);
    } finally {
      await opened.close();
    }
  });
});
