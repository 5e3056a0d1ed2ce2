/**
 * Coupon templates' issued counts are what they count: promote increments `issued_count` in the transaction of every
 * claim and every redeem code created (a code reserves its coupon), and decrements it when an unredeemed code is
 * deleted (subgraphs/promote/data/coupons.ts, templates.ts, code-admin.ts). The count caps `totalQuantity`: too high
 * and shoppers hear "sold out" early, too low and more coupons go out than the template allows.
 */
import { issuedCountDiscrepancies } from '../../subgraphs/promote/data/audit';
import type { InvariantCheck, Violation } from './types';

export const issuedCheck: InvariantCheck = {
  name: 'issued',
  title: "coupon templates' issued count = coupons claimed + redeem codes created (not deleted unredeemed)",
  async run({ dbs }) {
    return (await issuedCountDiscrepancies(dbs.promote)).map(
      (row): Violation => ({
        kind: 'COUPON_ISSUED_COUNT_MISMATCH',
        message: `coupon template ${row.templateId}: issued_count ${row.kept}, but ${row.claimed} coupon(s) claimed + ${row.codes} code(s) = ${row.claimed + row.codes}`,
        subject: { templateId: row.templateId },
        details: { ...row },
      }),
    );
  },
};
