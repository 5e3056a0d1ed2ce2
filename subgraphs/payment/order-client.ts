/**
 * Signed service calls from payment to order (internal `@inaccessible` operations) and to user (the payer's
 * openid). Order answers CONFLICT / BAD_USER_INPUT / NOT_FOUND when it refuses; those keep their code here.
 */
import { GraphQLError } from 'graphql';
import type { ServiceClient } from '../../platform/service-client';

export interface OrderForPayment {
  id: string;
  status: string;
  total: number;
  buyerId: string;
  orderNo: string;
  /** The order's payment deadline (ISO 8601) while it waits for payment: the trade's time_expire. */
  expiresAt: string | null;
}

export async function orderForPayment(services: ServiceClient, orderId: string, requestId?: string): Promise<OrderForPayment | null> {
  const data = await services.request<{ _entities: (OrderForPayment | null)[] }>(
    'order',
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status total buyerId orderNo expiresAt } } }',
    { r: [{ __typename: 'Order', id: orderId }] },
    { requestId },
  );
  return data._entities[0] ?? null;
}

export async function markOrderPaid(services: ServiceClient, input: { orderId: string; paymentId: string; amount: number }): Promise<string> {
  const data = await services.request<{ markOrderPaid: { status: string } }>(
    'order',
    'mutation($o: ID!, $p: ID!, $a: Int!) { markOrderPaid(orderId: $o, paymentId: $p, amount: $a) { status } }',
    { o: input.orderId, p: input.paymentId, a: input.amount },
    { idempotent: true },
  );
  return data.markOrderPaid.status;
}

export interface RefundLineForOrder {
  skuId: string;
  quantity: number;
  restock?: boolean | null;
}

/**
 * Registers a staff refund at order before any money moves: order checks its status, what is left to refund and the
 * lines under its own lock (CONFLICT / BAD_USER_INPUT otherwise) and answers the payment the order took.
 * Idempotent per refund number.
 */
export async function registerOrderRefund(
  services: ServiceClient,
  input: { orderId: string; refundNo: string; amount: number; reason: string; requestedBy: string; lines: RefundLineForOrder[] | null },
  requestId?: string,
): Promise<{ paymentId: string | null; status: string }> {
  const data = await services.request<{ registerOrderRefund: { paymentId: string | null; status: string } }>(
    'order',
    `mutation($o: ID!, $n: String!, $a: Int!, $r: String!, $b: String, $l: [OrderRefundLineInput!]) {
      registerOrderRefund(orderId: $o, refundNo: $n, amount: $a, reason: $r, requestedBy: $b, lines: $l) { paymentId status } }`,
    { o: input.orderId, n: input.refundNo, a: input.amount, r: input.reason, b: input.requestedBy, l: input.lines },
    { idempotent: true, requestId },
  );
  return data.registerOrderRefund;
}

/** Payment's verdict on a refund, for order (status, refundedAmount, restock). Idempotent. */
export async function settleOrderRefund(
  services: ServiceClient,
  input: { orderId: string; refundNo: string; status: string; amount: number; failureReason: string | null },
): Promise<string> {
  const data = await services.request<{ settleOrderRefund: { status: string } }>(
    'order',
    `mutation($o: ID!, $n: String!, $s: String!, $a: Int!, $f: String) {
      settleOrderRefund(orderId: $o, refundNo: $n, status: $s, amount: $a, failureReason: $f) { status } }`,
    { o: input.orderId, n: input.refundNo, s: input.status, a: input.amount, f: input.failureReason },
    { idempotent: true },
  );
  return data.settleOrderRefund.status;
}

export async function markOrderRefunded(services: ServiceClient, orderId: string): Promise<string> {
  const data = await services.request<{ markOrderRefunded: { status: string } }>(
    'order',
    'mutation($o: ID!) { markOrderRefunded(orderId: $o) { status } }',
    { o: orderId },
    { idempotent: true },
  );
  return data.markOrderRefunded.status;
}

/** The shopper's WeChat openid (JSAPI needs the payer), from the user subgraph; null for accounts without WeChat. */
export async function payerOpenId(services: ServiceClient, userId: string): Promise<string | null> {
  const data = await services.request<{ _entities: ({ wechatOpenId: string | null } | null)[] }>(
    'user',
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { wechatOpenId } } }',
    { r: [{ __typename: 'User', id: userId }] },
  );
  return data._entities[0]?.wechatOpenId ?? null;
}

/** Order said no (its state does not allow it), as opposed to "could not be reached" (retry). */
export function isRefusal(error: unknown): boolean {
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  return code === 'CONFLICT' || code === 'BAD_USER_INPUT' || code === 'NOT_FOUND';
}
