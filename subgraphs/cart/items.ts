/** A cart line as `CartItem` resolves it: the row, and, when the request read them, its SKU's facts and status. */
import type { CartLineRow } from './data/cart-items';
import { lineStatus, type LineStatus } from './pricing';
import type { SkuInfo } from './services';

export interface CartItemView extends CartLineRow {
  /** The SKU's facts (null: no such SKU); undefined when this request's selection did not need them. */
  facts?: SkuInfo | null;
  status?: LineStatus;
}

/** The lines with their facts and status, so each CartItem field is a plain read. */
export function cartItemViews(lines: readonly CartLineRow[], skus: ReadonlyMap<string, SkuInfo | null>): CartItemView[] {
  return lines.map((line) => {
    const facts = skus.get(line.sku_id) ?? null;
    return { ...line, facts, status: lineStatus(line.quantity, facts) };
  });
}
