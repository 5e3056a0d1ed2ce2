/**
 * Signed service calls from order to payment (internal `@inaccessible` operations). Payment answers CONFLICT /
 * BAD_USER_INPUT / NOT_FOUND when it refuses (kept as GraphQLErrors with their code); anything else means "could not
 * be reached or failed", which a job retries.
 */
import { GraphQLError } from 'graphql';
import type { ServiceClient } from '../../platform/service-client';
import type { RefundLine } from './data/refunds';

export interface PaymentRefund {
  refundNo: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  amount: number;
  failureReason: string | null;
}

const REFUND_FIELDS = 'refundNo status amount failureReason';

/** Pays back an approved after-sales request from the order's own payment; idempotent per request (AS<id>). */
export async function refundAfterSale(
  services: ServiceClient,
  input: { orderId: string; afterSaleId: string; paymentId: string | null; amount: number; reason: string; lines: RefundLine[] | null },
): Promise<PaymentRefund> {
  const data = await services.request<{ refundAfterSale: PaymentRefund }>(
    'payment',
    `mutation($o: ID!, $a: ID!, $p: ID, $m: Int!, $r: String!, $l: [RefundLineInput!]) {
      refundAfterSale(orderId: $o, afterSaleId: $a, paymentId: $p, amount: $m, reason: $r, lines: $l) { ${REFUND_FIELDS} } }`,
    { o: input.orderId, a: input.afterSaleId, p: input.paymentId, m: input.amount, r: input.reason, l: input.lines },
    { idempotent: true },
  );
  return data.refundAfterSale;
}

/**
 * Where a refund number stands at payment. If payment never recorded it, payment fences the number off as FAILED (so
 * it can never move money later) and answers that.
 */
export async function refundOutcome(
  services: ServiceClient,
  input: { orderId: string; refundNo: string; paymentId: string; amount: number },
): Promise<PaymentRefund> {
  const data = await services.request<{ refundOutcome: PaymentRefund }>(
    'payment',
    `mutation($o: ID!, $n: String!, $p: ID!, $a: Int!) { refundOutcome(orderId: $o, refundNo: $n, paymentId: $p, amount: $a) { ${REFUND_FIELDS} } }`,
    { o: input.orderId, n: input.refundNo, p: input.paymentId, a: input.amount },
    { idempotent: true },
  );
  return data.refundOutcome;
}

/** Payment said no (as opposed to "could not be reached": retry). */
export function isRefusal(error: unknown): boolean {
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  return code === 'CONFLICT' || code === 'BAD_USER_INPUT' || code === 'NOT_FOUND';
}
