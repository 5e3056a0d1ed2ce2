/** Thin resolvers of family wallets and the member card (spread into resolvers.ts); rules in family-wallet.ts, family-balance-pay.ts, member-card.ts. */
import { pageRequest, toConnection } from '../../platform/connection';
import type { PaymentContext } from './context';
import type { FamilyWalletEntryRow } from './data/family-wallet';
import { listFamilyEntries } from './data/family-wallet';
import type { MemberCardOrderRow, MemberCardPriceRow } from './data/member-cards';
import { creditFamilyWallet, familyWallet, readBalance, type FamilyWalletRef } from './family-wallet';
import type {
  FamilyWalletBillResolvers,
  FamilyWalletResolvers,
  MemberCardOrderResolvers,
  MemberCardPriceResolvers,
  MutationResolvers,
  QueryResolvers,
} from './generated/resolvers-types';
import { buyMemberCard, MEMBER_CARD_MONTHS, memberCardOrderForViewer, memberCardPrice, setMemberCardPrice } from './member-card';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const familyPaymentResolvers: {
  Query: Pick<QueryResolvers, 'familyWallet' | 'memberCardPrice' | 'memberCardOrder'>;
  Mutation: Pick<MutationResolvers, 'creditFamilyWallet' | 'setMemberCardPrice' | 'buyMemberCard'>;
  FamilyWallet: FamilyWalletResolvers;
  FamilyWalletBill: FamilyWalletBillResolvers;
  MemberCardPrice: MemberCardPriceResolvers;
  MemberCardOrder: MemberCardOrderResolvers;
} = {
  Query: {
    familyWallet: (_parent, { familyId }, context) => familyWallet(context, familyId),
    memberCardPrice: (_parent, _args, context) => memberCardPrice(context),
    memberCardOrder: (_parent, { id }, context) => memberCardOrderForViewer(context, id),
  },
  Mutation: {
    creditFamilyWallet: (_parent, args, context) => creditFamilyWallet(context, args),
    setMemberCardPrice: (_parent, { price }, context) => setMemberCardPrice(context, price),
    buyMemberCard: (_parent, { familyId }, context) => buyMemberCard(context, familyId),
  },
  FamilyWallet: {
    familyId: (wallet: FamilyWalletRef) => wallet.familyId,
    balance: (wallet: FamilyWalletRef, _args, context: PaymentContext) => readBalance(context, wallet.familyId),
    canSpend: (wallet: FamilyWalletRef) => wallet.role === 'OWNER',
    async bills(wallet: FamilyWalletRef, args, context: PaymentContext) {
      const page = pageRequest('bill', args, context.config.maxPageSize);
      return toConnection('bill', await listFamilyEntries(context.db, wallet.familyId, page.limit, page.afterId), page) as never;
    },
  },
  FamilyWalletBill: {
    balanceAfter: (entry: FamilyWalletEntryRow) => entry.balance_after,
    kind: (entry: FamilyWalletEntryRow) => entry.kind,
    paidBy: (entry: FamilyWalletEntryRow) => (entry.kind === 'PAYMENT' ? entry.actor : null),
    createdAt: (entry: FamilyWalletEntryRow) => entry.created_at.toISOString(),
  },
  MemberCardPrice: {
    months: () => MEMBER_CARD_MONTHS,
    since: (row: MemberCardPriceRow) => row.created_at.toISOString(),
  },
  MemberCardOrder: {
    familyId: (row: MemberCardOrderRow) => String(row.family_id),
    status: (row: MemberCardOrderRow) => row.status,
    outTradeNo: (row: MemberCardOrderRow) => row.out_trade_no,
    expiresAt: (row: MemberCardOrderRow) => row.expires_at.toISOString(),
    paidAt: (row: MemberCardOrderRow) => iso(row.paid_at),
    membershipExpiresAt: (row: MemberCardOrderRow) => iso(row.membership_expires_at),
    createdAt: (row: MemberCardOrderRow) => row.created_at.toISOString(),
  },
};
