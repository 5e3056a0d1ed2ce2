/** Thin resolvers: payments are visible only to the order's owner (and staff with payment:refund). */
import { requireUser } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { ownedOrNull } from '../../platform/ownership';
import type { PaymentContext } from './context';
import type { PaymentRow, RefundRow } from './data/payments';
import { listEntries, type WalletEntryRow } from './data/wallet';
import type { Resolvers } from './generated/resolvers-types';
import { paymentMethods, payOrder } from './pay';
import { creditWallet, failedRefunds, refundAfterSale, refundOrder, refundOutcome } from './refunds';
import { flaggedPayments, resolveFlaggedPayment } from './flagged';
import type { TradePaymentRow } from './data/trades';
import { shopperHoldsMoney } from './account-activity';
import { familyPaymentResolvers } from './family-resolvers';
import { shopperWallet, type ShopperProfileRef } from './shopper-wallets';

/** The wallet of one user; its fields load what is asked for. */
export interface WalletRef {
  userId: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const resolvers: Resolvers = {
  Query: {
    paymentMethods: (_parent, { orderId, familyId }, context) => paymentMethods(context, orderId, familyId),
    wallet: (_parent, _args, context) => ({ userId: requireUser(context) }),
    shopperWallet: (_parent, { userId }, context) => shopperWallet(context, userId),
    failedRefunds: (_parent, { first, before }, context) => failedRefunds(context, first, before),
    flaggedPayments: (_parent, args, context) => flaggedPayments(context, args),
    shopperHoldsMoney: (_parent, { userId }, context) => shopperHoldsMoney(context, userId),
    ...familyPaymentResolvers.Query,
  },
  Mutation: {
    payOrder: (_parent, { orderId, method, familyId }, context) => payOrder(context, orderId, method, familyId),
    refundOrder: (_parent, args, context) => refundOrder(context, args),
    creditWallet: (_parent, args, context) => creditWallet(context, args),
    refundAfterSale: (_parent, args, context) => refundAfterSale(context, args),
    refundOutcome: (_parent, args, context) => refundOutcome(context, args),
    resolveFlaggedPayment: (_parent, { paymentId, note }, context) => resolveFlaggedPayment(context, paymentId, note),
    ...familyPaymentResolvers.Mutation,
  },
  Payment: {
    async __resolveReference(reference: { id: string }, context: PaymentContext) {
      const payment = await context.loaders.paymentById.load(reference.id);
      return ownedOrNull(context.identity, payment, (row) => row.user_id, 'payment:refund');
    },
    method: (payment: PaymentRow) => payment.method as never,
    status: (payment: PaymentRow) => payment.status as never,
    paidAt: (payment: PaymentRow) => iso(payment.paid_at),
    outTradeNo: (payment: PaymentRow) => payment.out_trade_no,
    refundedAmount: (payment: PaymentRow) => payment.refunded_amount ?? 0,
    refunds: (payment: PaymentRow, _args, context) => context.loaders.refundsByPaymentId.load(payment.id),
    expiresAt: (payment: PaymentRow) => iso((payment as TradePaymentRow).expires_at ?? null),
    closedAt: (payment: PaymentRow) => iso(payment.closed_at),
    flagReason: (payment: PaymentRow) => (payment as TradePaymentRow).flag_reason ?? null,
    flaggedAt: (payment: PaymentRow) => iso((payment as TradePaymentRow).flagged_at ?? null),
    providerAmount: (payment: PaymentRow) => (payment as TradePaymentRow).provider_amount ?? null,
    flagResolution: (payment: PaymentRow) => (payment as TradePaymentRow).flag_resolution ?? null,
    flagResolvedAt: (payment: PaymentRow) => iso((payment as TradePaymentRow).flag_resolved_at ?? null),
    flagResolvedBy: (payment: PaymentRow) => (payment as TradePaymentRow).flag_resolved_by ?? null,
  },
  Refund: {
    refundNo: (refund: RefundRow) => refund.refund_no,
    orderId: (refund: RefundRow) => refund.order_id,
    status: (refund: RefundRow) => refund.status as never,
    createdAt: (refund: RefundRow) => refund.created_at.toISOString(),
    completedAt: (refund: RefundRow) => iso(refund.completed_at),
    failureReason: (refund: RefundRow) => refund.failure_reason,
    source: (refund: RefundRow) => refund.source as never,
  },
  Wallet: {
    balance: (wallet: WalletRef, _args, context) => context.loaders.walletBalanceByUserId.load(wallet.userId),
    async bills(wallet: WalletRef, args, context) {
      const page = pageRequest('bill', args, context.config.maxPageSize);
      return toConnection('bill', await listEntries(context.db, wallet.userId, page.limit, page.afterId), page);
    },
  },
  ShopperProfile: {
    wallet: (profile: ShopperProfileRef, _args, context) => shopperWallet(context, profile.id),
  },
  WalletBill: {
    balanceAfter: (entry: WalletEntryRow) => entry.balance_after,
    kind: (entry: WalletEntryRow) => entry.kind as never,
    createdAt: (entry: WalletEntryRow) => entry.created_at.toISOString(),
  },
  FamilyWallet: familyPaymentResolvers.FamilyWallet,
  FamilyWalletBill: familyPaymentResolvers.FamilyWalletBill,
  MemberCardPrice: familyPaymentResolvers.MemberCardPrice,
  MemberCardOrder: familyPaymentResolvers.MemberCardOrder,
  Order: {
    async payment(order: { id: string }, _args: unknown, context: PaymentContext) {
      const payment = await context.loaders.latestPaymentByOrderId.load(order.id);
      return ownedOrNull(context.identity, payment, (row) => row.user_id, 'payment:refund');
    },
  },
};
