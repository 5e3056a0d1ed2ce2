/**
 * Development demo reviews (never with NODE_ENV=production; the launcher checks, and so does this). The demo shopper
 * (user 2 on a fresh demo database: the seed creates `admin` first, then 演示买家) "bought" a few SKUs of the first
 * two demo products (ids 1 and 2; SKUs 1–12 and 13–24, in the demo catalog's order) in two demo orders, reviewed
 * three of the lines and left one to review. The demo orders exist only here (ids far above any real order's), so
 * `ReviewableLine.order` has no order fields for them. Idempotent: lines and reviews that exist are left alone, and the
 * rating counts a review only when this run inserted it.
 */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { insertPurchasedLines, findPurchasedLine } from './data/purchased-lines';
import { adjustRating } from './data/ratings';
import { insertReview } from './data/reviews';

const DEMO_SHOPPER_ID = '2';
const ORDER_A = '9000000000000000001';
const ORDER_B = '9000000000000000002';
const COMPLETED_AT = new Date('2026-01-05T10:00:00Z');

const LINES = [
  { orderItemId: '9000000000000000011', orderId: ORDER_A, productId: '1', skuId: '2', review: { stars: 5, content: '面料很舒服，洗了几次也不变形，尺码标准。' } },
  { orderItemId: '9000000000000000012', orderId: ORDER_A, productId: '2', skuId: '14', review: { stars: 4, content: '速干效果不错，跑步穿正合适；颜色比图片深一点。' } },
  { orderItemId: '9000000000000000021', orderId: ORDER_B, productId: '1', skuId: '6', review: { stars: 4, content: '白色不透，就是领口稍紧。' } },
  { orderItemId: '9000000000000000022', orderId: ORDER_B, productId: '1', skuId: '9', review: null },
];

export async function seedDemoReviews(db: Knex, config: Config): Promise<void> {
  if (config.isProduction) throw new Error('Demo data is never seeded with NODE_ENV=production');
  await insertPurchasedLines(
    db,
    LINES.map((line) => ({ ...line, userId: DEMO_SHOPPER_ID, quantity: 1, completedAt: COMPLETED_AT })),
  );
  for (const line of LINES) {
    if (!line.review) continue;
    await db.transaction(async (trx) => {
      const purchased = await findPurchasedLine(trx, line.orderItemId);
      if (!purchased) return;
      const inserted = await insertReview(trx, purchased, { ...line.review!, images: [] });
      if (inserted) await adjustRating(trx, inserted.product_id, inserted.stars, 1);
    });
  }
}
