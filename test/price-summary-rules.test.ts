/** The shared price summary's pure rules (platform/price-summary.ts): line facts, validity, totals, coupons. */
import { lineStatus, priceTotals, summarize, type SkuFacts } from '../platform/price-summary';

const config = { shipping: { feeFen: 1000, freeThresholdFen: 9900 } };

function sku(id: string, overrides: Partial<SkuFacts> = {}, product: Partial<SkuFacts['product']> = {}): SkuFacts {
  return {
    id,
    name: `v${id}`,
    price: 1000,
    stock: 10,
    available: true,
    ...overrides,
    product: { id: `p${id}`, title: `Tee ${id}`, images: [`/img/${id}-1.jpg`, `/img/${id}-2.jpg`], onShelf: true, category: { id: '7', parentId: '1' }, ...product },
  };
}

describe('lineStatus', () => {
  it('tells unknown, off-shelf, sold-out and deleted SKUs apart, and flags more than the stock', () => {
    expect(lineStatus(1, null)).toEqual({ valid: false, invalidReason: 'UNAVAILABLE', exceedsStock: false });
    expect(lineStatus(1, sku('1', {}, { onShelf: false })).invalidReason).toBe('OFF_SHELF');
    expect(lineStatus(1, sku('1', { stock: 0, available: false })).invalidReason).toBe('OUT_OF_STOCK');
    expect(lineStatus(1, sku('1', { available: false })).invalidReason).toBe('UNAVAILABLE');
    expect(lineStatus(11, sku('1'))).toEqual({ valid: true, invalidReason: null, exceedsStock: true });
  });
});

describe('summarize', () => {
  const skus = new Map<string, SkuFacts | null>([
    ['1', sku('1', { price: 1200 })],
    ['2', sku('2', { price: 3000 })],
    ['3', sku('3', {}, { onShelf: false })],
    ['4', null],
  ]);

  it('reports every line in input order with what an order snapshots, and bills only the valid ones', () => {
    const summary = summarize(
      [
        { skuId: '2', quantity: 1 },
        { skuId: '1', quantity: 3 },
        { skuId: '3', quantity: 1 },
        { skuId: '4', quantity: 2 },
      ],
      skus,
      null,
      config,
    );
    expect(summary.lines).toEqual([
      { skuId: '2', quantity: 1, productId: 'p2', title: 'Tee 2', skuName: 'v2', image: '/img/2-1.jpg', unitPrice: 3000, skuPrice: 3000, lineTotal: 3000, memberPriceApplied: false, valid: true, invalidReason: null, exceedsStock: false },
      { skuId: '1', quantity: 3, productId: 'p1', title: 'Tee 1', skuName: 'v1', image: '/img/1-1.jpg', unitPrice: 1200, skuPrice: 1200, lineTotal: 3600, memberPriceApplied: false, valid: true, invalidReason: null, exceedsStock: false },
      { skuId: '3', quantity: 1, productId: 'p3', title: 'Tee 3', skuName: 'v3', image: '/img/3-1.jpg', unitPrice: 1000, skuPrice: 1000, lineTotal: 0, memberPriceApplied: false, valid: false, invalidReason: 'OFF_SHELF', exceedsStock: false },
      { skuId: '4', quantity: 2, productId: null, title: null, skuName: null, image: null, unitPrice: null, skuPrice: null, lineTotal: 0, memberPriceApplied: false, valid: false, invalidReason: 'UNAVAILABLE', exceedsStock: false },
    ]);
    expect(summary).toMatchObject({ subtotal: 6600, discount: 0, shippingFee: 1000, total: 7600, coupon: null });
  });

  it('applies a cash coupon (never more than the subtotal) and a free-shipping coupon', () => {
    const lines = [{ skuId: '1', quantity: 1 }];
    expect(summarize(lines, skus, { couponId: '9', discount: 500, shippingWaived: false }, config)).toMatchObject({
      subtotal: 1200, discount: 500, shippingFee: 1000, total: 1700, coupon: { couponId: '9', discount: 500, shippingWaived: false },
    });
    expect(summarize(lines, skus, { couponId: '9', discount: 5000, shippingWaived: false }, config)).toMatchObject({
      discount: 1200, total: 1000, coupon: { couponId: '9', discount: 1200 },
    });
    expect(summarize(lines, skus, { couponId: '8', discount: 0, shippingWaived: true }, config)).toMatchObject({
      shippingFee: 0, total: 1200, coupon: { couponId: '8', shippingWaived: true },
    });
  });

  it('costs nothing and applies no coupon when nothing is billable; ships free from the threshold', () => {
    expect(summarize([{ skuId: '3', quantity: 1 }], skus, { couponId: '9', discount: 500, shippingWaived: false }, config)).toMatchObject({
      subtotal: 0, discount: 0, shippingFee: 0, total: 0, coupon: null,
    });
    expect(priceTotals(9900, null, config)).toEqual({ subtotal: 9900, discount: 0, shippingFee: 0, total: 9900, coupon: null });
    expect(priceTotals(9899, null, config).shippingFee).toBe(1000);
  });
});
