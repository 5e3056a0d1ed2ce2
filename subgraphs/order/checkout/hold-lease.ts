/**
 * Saga step 4: the order confirms its holds before it is placed. Product and promote hold a reservation or coupon
 * lock only for a short unconfirmed lease (HOLD_CONFIRM_WINDOW_SECONDS) unless the order confirms it; confirmed,
 * it is held until `holdUntil` = the order's payment deadline + HOLD_GRACE_SECONDS, so it lapses on its own even if
 * order is never heard from again, and never while the order can still be paid. A hold the saga gave up on (a
 * call that lands late) is never confirmed: it goes back within the short lease. See docs/orders.md, "Holds".
 */
import type { ServiceClient } from '../../../platform/service-client';
import type { OrderRow } from '../data/orders';

const CONFIRM_STOCK = 'mutation OrderConfirmStock($o: ID!, $u: String!) { confirmStockHold(orderId: $o, holdUntil: $u) { status } }';
const CONFIRM_COUPON = 'mutation OrderConfirmCoupon($c: ID!, $o: ID!, $u: String!) { confirmCouponHold(couponId: $c, orderId: $o, holdUntil: $u) { id } }';

/** When a placed order's holds lapse: its payment deadline plus the grace a payment near the deadline needs to be committed. */
export const holdUntilOf = (expiresAt: Date, graceSeconds: number) => new Date(expiresAt.getTime() + graceSeconds * 1000);

/** Confirms the order's reservation and coupon lock (in parallel; idempotent). Throws when either is refused (CONFLICT HOLD_EXPIRED / HOLD_RELEASED) or unreachable. */
export async function confirmHolds(
  services: ServiceClient,
  order: Pick<OrderRow, 'id' | 'user_id' | 'coupon_id'>,
  holdUntil: Date,
  requestId?: string,
): Promise<void> {
  const until = holdUntil.toISOString();
  await Promise.all([
    services.request('product', CONFIRM_STOCK, { o: order.id, u: until }, { requestId, idempotent: true }),
    order.coupon_id
      ? services.request('promote', CONFIRM_COUPON, { c: order.coupon_id, o: order.id, u: until }, { userId: String(order.user_id), requestId, idempotent: true })
      : undefined,
  ]);
}
