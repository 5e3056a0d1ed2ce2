/**
 * Nothing is held for a dead order: a RESERVED stock reservation or a LOCKED coupon whose order is CANCELLED (a
 * failed checkout included) or unknown to the order subgraph, once the grace period has passed since both the order
 * changed and the hold was taken (so a release job about to run, or a late hold being given back, is not flagged
 * early). A paid order's reservation still RESERVED after the grace period is a commit that never ran.
 *
 * Today's model (before hold leases): a hold is a RESERVED reservation / a LOCKED coupon. When holds become leases
 * with expiry and release markers (branch i15-holds), an expired lease not yet swept is still held here.
 */
import { heldReservations } from '../../subgraphs/product/data/audit';
import { couponHolds } from '../../subgraphs/promote/data/audit';
import { isDead, isPaid, ordersById, settled } from './orders';
import type { InvariantCheck, Violation } from './types';

const describe = (order: { status: string } | undefined) => (order ? `is ${order.status}` : 'is unknown to the order subgraph');

export const holdsCheck: InvariantCheck = {
  name: 'holds',
  title: 'nothing held for dead orders: no stock reservation or coupon lock for a cancelled, failed or unknown order',
  async run(context) {
    const violations: Violation[] = [];
    const reservations = await heldReservations(context.dbs.product);
    const locked: Awaited<ReturnType<typeof couponHolds>> = [];
    for (let afterId: string | undefined; ; ) {
      const page = await couponHolds(context.dbs.promote, 'LOCKED', { afterId, limit: context.pageSize });
      locked.push(...page);
      if (page.length < context.pageSize) break;
      afterId = page[page.length - 1].couponId;
    }
    const orders = await ordersById(context, [...reservations.map((r) => r.orderId), ...locked.flatMap((c) => (c.orderId ? [c.orderId] : []))]);

    for (const reservation of reservations) {
      const order = orders.get(reservation.orderId);
      if (!settled(context, reservation.heldSince, order?.updatedAt)) continue;
      const units = reservation.lines.reduce((sum, line) => sum + line.quantity, 0);
      if (isDead(order)) {
        violations.push({
          kind: 'STOCK_HELD_FOR_DEAD_ORDER',
          message: `${units} unit(s) reserved for order ${reservation.orderId}, which ${describe(order)}`,
          subject: { orderId: reservation.orderId },
          details: { lines: reservation.lines, heldSince: reservation.heldSince, orderStatus: order?.status ?? null },
        });
      } else if (isPaid(order)) {
        violations.push({
          kind: 'STOCK_NOT_COMMITTED_FOR_PAID_ORDER',
          message: `${units} unit(s) still reserved (not sold) for order ${reservation.orderId}, which ${describe(order)}`,
          subject: { orderId: reservation.orderId },
          details: { lines: reservation.lines, heldSince: reservation.heldSince, orderStatus: order!.status },
        });
      }
    }
    for (const coupon of locked) {
      const order = coupon.orderId ? orders.get(coupon.orderId) : undefined;
      if (!settled(context, coupon.since, order?.updatedAt)) continue;
      if (isDead(order)) {
        violations.push({
          kind: 'COUPON_LOCKED_FOR_DEAD_ORDER',
          message: `coupon ${coupon.couponId} is LOCKED for order ${coupon.orderId ?? '(none)'}, which ${describe(order)}`,
          subject: { couponId: coupon.couponId, orderId: coupon.orderId ?? undefined, userId: coupon.userId },
          details: { lockedAt: coupon.since, orderStatus: order?.status ?? null },
        });
      }
    }
    return violations;
  },
};
