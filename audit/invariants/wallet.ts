/**
 * Wallet ledgers balance: per user, balance = sum of entries = the last entry's balance_after, every entry's
 * balance_after = the previous one + its amount, never negative; every balance payment that took money has its
 * `pay:<payment id>` debit and every such debit belongs to a payment that took money.
 */
import { walletDiscrepancies } from '../../subgraphs/payment/data/audit';
import type { InvariantCheck, Violation } from './types';

const PROBLEMS: Record<string, string> = {
  BALANCE_NOT_LEDGER_SUM: 'balance differs from the sum of its ledger entries',
  BALANCE_NOT_LAST_ENTRY: "balance differs from the last entry's balance_after",
  LEDGER_CHAIN_BROKEN: "an entry's balance_after is not the previous balance plus its amount",
  NEGATIVE_BALANCE: 'negative balance',
  BALANCE_PAYMENT_UNBOOKED: 'a balance payment took money without its ledger debit',
  BOOKED_PAYMENT_NOT_CAPTURED: 'a ledger debit for a payment that did not succeed',
};

export const walletCheck: InvariantCheck = {
  name: 'wallet',
  title: 'wallet ledgers balance: balance = sum of entries = last balance_after, chain unbroken, debits match balance payments',
  async run({ dbs }) {
    return (await walletDiscrepancies(dbs.payment)).map(
      (row): Violation => ({
        kind: `WALLET_${row.problem}`,
        message: `wallet of user ${row.userId}: ${PROBLEMS[row.problem]} (balance ${row.balance ?? '—'}, ledger ${row.ledger ?? '—'}${row.ref ? `, ${row.ref}` : ''})`,
        subject: { userId: row.userId },
        details: { ...row },
      }),
    );
  },
};
