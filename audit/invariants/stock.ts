/**
 * Stock is conserved per SKU: sum(ledger) = available + reserved + sold, reserved = the units of RESERVED
 * reservations and sold = the units of COMMITTED ones (product's own `stockDiscrepancies`). With "nothing held for
 * dead orders" (holds.ts) this is: on hand + held for live orders + sold = ledger.
 */
import { stockDiscrepancies } from '../../subgraphs/product/data/audit';
import type { InvariantCheck, Violation } from './types';

export const stockCheck: InvariantCheck = {
  name: 'stock',
  title: 'stock conserved per SKU: available + reserved + sold = ledger, reserved and sold = the reservations',
  async run({ dbs }) {
    return (await stockDiscrepancies(dbs.product)).map((row): Violation => {
      const subject = { skuId: String(row.sku_id) };
      const details = { ...row, sku_id: String(row.sku_id) };
      if (row.ledger !== row.stock + row.reserved + row.sold) {
        return {
          kind: 'STOCK_LEDGER_MISMATCH',
          message: `SKU ${row.sku_id}: available ${row.stock} + reserved ${row.reserved} + sold ${row.sold} = ${row.stock + row.reserved + row.sold}, but the ledger says ${row.ledger}`,
          subject,
          details,
        };
      }
      if (row.reserved !== row.held) {
        return { kind: 'STOCK_RESERVED_MISMATCH', message: `SKU ${row.sku_id}: reserved ${row.reserved}, but RESERVED reservations hold ${row.held}`, subject, details };
      }
      return { kind: 'STOCK_SOLD_MISMATCH', message: `SKU ${row.sku_id}: sold ${row.sold}, but COMMITTED reservations hold ${row.committed}`, subject, details };
    });
  },
};
