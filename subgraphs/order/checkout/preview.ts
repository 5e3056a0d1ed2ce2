/** previewOrder: the checkout's summary, checks and address, without reserving anything. */
import { requireUser } from '../../../platform/context';
import type { OrderContext } from '../context';
import type { AddressSnapshot } from '../data/orders';
import type { ProductReference, SkuReference } from '../entity-refs';
import { normalizeInput, resolveCartLines, type CheckoutInputArgs } from './input';
import { quoteCheckout } from './summary';

export interface OrderPreviewValue {
  items: {
    /** With the fields the schema @provides: what this preview read from product. */
    sku: Required<SkuReference>;
    product: Required<ProductReference>;
    title: string;
    skuName: string;
    image: string | null;
    unitPrice: number;
    memberPriceApplied: boolean;
    quantity: number;
    lineTotal: number;
  }[];
  subtotal: number;
  discount: number;
  shippingFee: number;
  total: number;
  coupon: { coupon: { __typename: 'Coupon'; id: string }; discount: number; shippingWaived: boolean } | null;
  address: AddressSnapshot;
}

export async function previewOrder(context: OrderContext, input: CheckoutInputArgs): Promise<OrderPreviewValue> {
  const userId = requireUser(context);
  const normalized = await resolveCartLines(context.services, userId, normalizeInput(input), context.requestId);
  const { summary, lines, address } = await quoteCheckout(context, userId, normalized);
  return {
    items: lines.map((line) => ({
      // Sku.price is the SKU's own price; a member's lower price is the line's unitPrice.
      sku: { __typename: 'Sku', id: line.skuId, name: line.skuName ?? '', price: line.skuPrice ?? line.unitPrice },
      product: { __typename: 'Product', id: line.productId, title: line.title },
      title: line.title,
      skuName: line.skuName ?? '',
      image: line.image,
      unitPrice: line.unitPrice,
      memberPriceApplied: line.memberPriceApplied,
      quantity: line.quantity,
      lineTotal: line.lineTotal,
    })),
    subtotal: summary.subtotal,
    discount: summary.discount,
    shippingFee: summary.shippingFee,
    total: summary.total,
    coupon: summary.coupon
      ? { coupon: { __typename: 'Coupon', id: summary.coupon.couponId }, discount: summary.coupon.discount, shippingWaived: summary.coupon.shippingWaived }
      : null,
    address,
  };
}
