/** The cart's pure rules: line validity, the shipping-fee rule and the price check arithmetic. */
import { shippingFee } from '../../../platform/shipping';
import { billableItems, lineStatus, priceCart, subtotalOf } from '../pricing';
import type { SkuInfo } from '../services';

const config = { shipping: { feeFen: 1000, freeThresholdFen: 9900 } };

function sku(overrides: Partial<SkuInfo> & { id: string }, product: Partial<SkuInfo['product']> = {}): SkuInfo {
  return {
    name: 'red',
    price: 1000,
    stock: 10,
    available: true,
    ...overrides,
    product: { id: `p${overrides.id}`, title: 'Tee', onShelf: true, category: { id: '7', parentId: '1' }, ...product },
  };
}

describe('shippingFee', () => {
  it('is free for an empty order, the flat fee below the threshold, free from the threshold on', () => {
    expect(shippingFee(0, config)).toBe(0);
    expect(shippingFee(1, config)).toBe(1000);
    expect(shippingFee(9899, config)).toBe(1000);
    expect(shippingFee(9900, config)).toBe(0);
    expect(shippingFee(50_000, config)).toBe(0);
  });
});

describe('lineStatus', () => {
  it('is valid for an on-shelf SKU in stock, flagging a quantity above the stock', () => {
    expect(lineStatus(3, sku({ id: '1' }))).toEqual({ valid: true, invalidReason: null, exceedsStock: false });
    expect(lineStatus(10, sku({ id: '1' }))).toEqual({ valid: true, invalidReason: null, exceedsStock: false });
    expect(lineStatus(11, sku({ id: '1' }))).toEqual({ valid: true, invalidReason: null, exceedsStock: true });
  });

  it('is invalid for an unknown, deleted, off-shelf or sold-out SKU', () => {
    expect(lineStatus(1, null).invalidReason).toBe('UNAVAILABLE');
    expect(lineStatus(1, sku({ id: '1', available: false })).invalidReason).toBe('UNAVAILABLE');
    expect(lineStatus(1, sku({ id: '1', available: false }, { onShelf: false })).invalidReason).toBe('OFF_SHELF');
    expect(lineStatus(1, sku({ id: '1', available: false, stock: 0 })).invalidReason).toBe('OUT_OF_STOCK');
    expect(lineStatus(1, sku({ id: '1', available: true, stock: 0 })).valid).toBe(false);
  });
});

describe('billableItems', () => {
  it('keeps the selected valid lines at the current prices, with category and ancestors', () => {
    const skus = new Map<string, SkuInfo | null>([
      ['1', sku({ id: '1', price: 1500 })],
      ['2', sku({ id: '2', price: 200, available: false, stock: 0 })],
      ['3', sku({ id: '3', price: 300 })],
      ['4', null],
    ]);
    const items = billableItems(
      [
        { skuId: '1', quantity: 2, selected: true },
        { skuId: '2', quantity: 1, selected: true },
        { skuId: '3', quantity: 5, selected: false },
        { skuId: '4', quantity: 1, selected: true },
      ],
      skus,
    );
    expect(items).toEqual([{ skuId: '1', productId: 'p1', categoryId: '7', categoryIds: ['7', '1'], unitPrice: 1500, quantity: 2 }]);
    expect(subtotalOf(items)).toBe(3000);
  });
});

describe('priceCart', () => {
  it('charges nothing for nothing', () => {
    expect(priceCart(0, null, config)).toEqual({ subtotal: 0, discount: 0, shippingFee: 0, total: 0, bestCouponId: null });
  });

  it('adds the shipping fee below the threshold and drops it from the threshold on', () => {
    expect(priceCart(5000, null, config)).toEqual({ subtotal: 5000, discount: 0, shippingFee: 1000, total: 6000, bestCouponId: null });
    expect(priceCart(9900, null, config)).toEqual({ subtotal: 9900, discount: 0, shippingFee: 0, total: 9900, bestCouponId: null });
  });

  it('takes a cash coupon off the subtotal, never more than the subtotal', () => {
    expect(priceCart(5000, { couponId: '9', discount: 800, shippingWaived: false }, config)).toEqual({
      subtotal: 5000,
      discount: 800,
      shippingFee: 1000,
      total: 5200,
      bestCouponId: '9',
    });
    expect(priceCart(500, { couponId: '9', discount: 800, shippingWaived: false }, config).total).toBe(1000);
  });

  it('waives the shipping fee with a free-shipping coupon', () => {
    expect(priceCart(5000, { couponId: '5', discount: 0, shippingWaived: true }, config)).toEqual({
      subtotal: 5000,
      discount: 0,
      shippingFee: 0,
      total: 5000,
      bestCouponId: '5',
    });
  });
});
