/**
 * Family wallet ledgers balance (docs/family-wallets.md): per family, balance = sum of entries = the last entry's
 * balance_after, the chain unbroken, never negative; every FAMILY_BALANCE payment that took money has its debit on its
 * family and every debit belongs to such a payment. And every member card paid (past the grace) had its year granted
 * at user exactly once (one `membership_grants` row with its key).
 */
import { familyWalletDiscrepancies, ungrantedMemberCards } from '../../subgraphs/payment/data/audit';
import type { InvariantCheck, Violation } from './types';

const PROBLEMS: Record<string, string> = {
  BALANCE_NOT_LEDGER_SUM: 'balance differs from the sum of its ledger entries',
  BALANCE_NOT_LAST_ENTRY: "balance differs from the last entry's balance_after",
  LEDGER_CHAIN_BROKEN: "an entry's balance_after is not the previous balance plus its amount",
  NEGATIVE_BALANCE: 'negative balance',
  FAMILY_PAYMENT_UNBOOKED: 'a family-balance payment took money without its ledger debit',
  BOOKED_PAYMENT_NOT_CAPTURED: 'a ledger debit for a payment that did not succeed',
};

export const familyWalletCheck: InvariantCheck = {
  name: 'family-wallet',
  title: 'family wallet ledgers balance and debits match family-balance payments; every paid member card was granted once',
  async run({ dbs, now, graceMs }) {
    const violations: Violation[] = (await familyWalletDiscrepancies(dbs.payment)).map((row) => ({
      kind: `FAMILY_WALLET_${row.problem}`,
      message: `wallet of family ${row.familyId}: ${PROBLEMS[row.problem]} (balance ${row.balance ?? '—'}, ledger ${row.ledger ?? '—'}${row.ref ? `, ${row.ref}` : ''})`,
      subject: {},
      details: { ...row },
    }));
    for (const card of await ungrantedMemberCards(dbs.payment, new Date(now.getTime() - graceMs))) {
      violations.push({ kind: 'MEMBER_CARD_NOT_GRANTED', message: `member card order ${card.id} of family ${card.familyId} was paid but its year is not granted`, subject: {}, details: { ...card } });
    }
    const { rows } = await dbs.payment.raw(`SELECT id::text FROM member_card_orders WHERE granted_at IS NOT NULL`);
    const keys = rows.map((row: { id: string }) => `MC${row.id}`);
    if (keys.length) {
      const granted = new Set((await dbs.user('membership_grants').whereIn('grant_key', keys).select('grant_key')).map((row: { grant_key: string }) => row.grant_key));
      for (const key of keys.filter((k: string) => !granted.has(k))) {
        violations.push({ kind: 'MEMBER_CARD_GRANT_MISSING', message: `member card ${key} is recorded as granted but user has no grant with that key`, subject: {} });
      }
    }
    return violations;
  },
};
