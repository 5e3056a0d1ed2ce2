/**
 * Coupons are consistent with orders: LOCKED ↔ a live order holding it, USED ↔ a paid order that used it.
 * - a LOCKED coupon's order is live (dead ones are holds.ts's) and names this coupon; a paid order's coupon still
 *   LOCKED after the grace period is a `useCoupon` that never ran;
 * - a USED coupon's order is paid and names this coupon;
 * - every checkout order waiting for payment with a coupon has it LOCKED by itself, every paid one has it USED by
 *   itself (two paid orders naming one coupon = the coupon was used twice).
 * - promote's hold ledger (`coupon_holds`, a lease per order) agrees with the coupons: a LOCKED / USED hold has its
 *   coupon in that state for that order, and the other way round (promote's own `couponHoldMismatches`).
 * Orders written without checkout (saga_step null: test fixtures) hold nothing and are left out.
 */
import { couponHoldMismatches, couponHolds, couponStates, type CouponHold } from '../../subgraphs/promote/data/audit';
import { isLive, isPaid, ordersById, ordersIn, PAID_STATUSES, settled } from './orders';
import type { CheckContext, InvariantCheck, Violation } from './types';

async function* holdsPages(context: CheckContext, status: 'LOCKED' | 'USED'): AsyncGenerator<CouponHold[]> {
  for (let afterId: string | undefined; ; ) {
    const page = await couponHolds(context.dbs.promote, status, { afterId, limit: context.pageSize });
    if (page.length) yield page;
    if (page.length < context.pageSize) return;
    afterId = page[page.length - 1].couponId;
  }
}

export const couponsCheck: InvariantCheck = {
  name: 'coupons',
  title: 'coupons consistent: LOCKED by a live order that holds it, USED by a paid order that used it, never twice',
  async run(context) {
    const violations: Violation[] = [];
    for (const status of ['LOCKED', 'USED'] as const) {
      for await (const page of holdsPages(context, status)) {
        const orders = await ordersById(context, page.flatMap((c) => (c.orderId ? [c.orderId] : [])));
        for (const coupon of page) {
          const order = coupon.orderId ? orders.get(coupon.orderId) : undefined;
          const subject = { couponId: coupon.couponId, orderId: coupon.orderId ?? undefined, userId: coupon.userId };
          if (!settled(context, coupon.since, order?.updatedAt)) continue;
          if (order && order.couponId !== coupon.couponId) {
            violations.push({
              kind: 'COUPON_HELD_BY_ORDER_WITHOUT_IT',
              message: `coupon ${coupon.couponId} is ${status} for order ${order.id}, whose coupon is ${order.couponId ?? 'none'}`,
              subject,
            });
          } else if (status === 'LOCKED' && isPaid(order)) {
            violations.push({
              kind: 'COUPON_NOT_USED_FOR_PAID_ORDER',
              message: `coupon ${coupon.couponId} is still LOCKED, but its order ${order!.id} is ${order!.status}`,
              subject,
            });
          } else if (status === 'USED' && !isPaid(order)) {
            violations.push({
              kind: 'COUPON_USED_WITHOUT_PAID_ORDER',
              message: `coupon ${coupon.couponId} is USED, but its order ${coupon.orderId ?? '(none)'} ${order ? `is ${order.status}` : 'is unknown'}`,
              subject,
            });
          }
        }
      }
    }
    // The other direction: what each checkout order says it holds.
    for await (const page of ordersIn(context, ['PENDING_PAYMENT', ...PAID_STATUSES])) {
      const withCoupon = page.filter((order) => order.sagaStep !== null && order.couponId !== null && settled(context, order.updatedAt));
      const coupons = new Map((await couponStates(context.dbs.promote, withCoupon.map((o) => o.couponId!))).map((c) => [c.couponId, c]));
      for (const order of withCoupon) {
        const coupon = coupons.get(order.couponId!);
        // Reported above from the coupon's side already: one problem, one line.
        if (violations.some((v) => v.subject.couponId === order.couponId && v.subject.orderId === order.id)) continue;
        const expected = isLive(order) ? 'LOCKED' : 'USED';
        if (coupon?.status === expected && coupon.orderId === order.id) continue;
        violations.push({
          kind: isLive(order) ? 'COUPON_NOT_LOCKED_FOR_LIVE_ORDER' : 'COUPON_NOT_USED_FOR_PAID_ORDER',
          message: `order ${order.id} is ${order.status} with coupon ${order.couponId}, which is ${
            coupon ? `${coupon.status}${coupon.orderId ? ` for order ${coupon.orderId}` : ''}` : 'unknown'
          } (expected ${expected} for this order)`,
          subject: { orderId: order.id, couponId: order.couponId!, userId: order.userId },
        });
      }
    }
    for (const row of await couponHoldMismatches(context.dbs.promote)) {
      violations.push({
        kind: 'COUPON_HOLD_MISMATCH',
        message: `coupon ${row.couponId ?? '(none)'} of order ${row.orderId ?? '(none)'}: the hold says ${row.holdStatus ?? 'nothing'}, the coupon is ${row.couponStatus ?? 'missing'}${row.couponOrderId && row.couponOrderId !== row.orderId ? ` for order ${row.couponOrderId}` : ''}`,
        subject: { couponId: row.couponId ?? undefined, orderId: row.orderId ?? undefined },
        details: { ...row },
      });
    }
    return violations;
  },
};
