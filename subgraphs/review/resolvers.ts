/** Thin resolvers: rules live in reviews.ts, data access in data/, batching in loaders.ts. */
import { requireScope, requireUser } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { findLinesOfUser, findPurchasedLine, type PurchasedLineRow } from './data/purchased-lines';
import type { ProductRatingRow } from './data/ratings';
import { findReviewsForModeration, findReviewsOfUser } from './data/reviews';
import type { Resolvers } from './generated/resolvers-types';
import type { EntityRef } from './refs';
import { MODERATE, moderateReview, submitReview, updateReview } from './reviews';

const REVIEW_CURSOR = 'review';
const LINE_CURSOR = 'line';

const noRating = (productId: string): ProductRatingRow => ({
  product_id: productId,
  review_count: 0,
  star_sum: 0,
  stars_1: 0,
  stars_2: 0,
  stars_3: 0,
  stars_4: 0,
  stars_5: 0,
});

/** Purchased lines are keyed by their order line id: the connection's cursor is that id. */
function lineConnection(rows: PurchasedLineRow[], page: ReturnType<typeof pageRequest>) {
  return toConnection(LINE_CURSOR, rows.map((row) => ({ ...row, id: String(row.order_item_id) })), page);
}

function starsFilter(stars: number | null | undefined): number | null {
  if (stars === null || stars === undefined) return null;
  if (!Number.isInteger(stars) || stars < 1 || stars > 5) throw badInput('stars must be from 1 to 5', 'stars');
  return stars;
}

const ref = (id: unknown): EntityRef => ({ id: String(id) });

export const resolvers: Resolvers = {
  Query: {
    async myReviewableLines(_parent, args, context) {
      const userId = requireUser(context);
      const page = pageRequest(LINE_CURSOR, args, context.config.maxPageSize);
      return lineConnection(await findLinesOfUser(context.db, userId, page, args.pending), page);
    },
    async reviewableLine(_parent, { orderItemId }, context) {
      const userId = requireUser(context);
      if (!isBigintId(orderItemId)) return null;
      const line = await findPurchasedLine(context.db, orderItemId);
      return line && String(line.user_id) === userId ? line : null;
    },
    async myReviews(_parent, args, context) {
      const userId = requireUser(context);
      const page = pageRequest(REVIEW_CURSOR, args, context.config.maxPageSize);
      return toConnection(REVIEW_CURSOR, await findReviewsOfUser(context.db, userId, page), page);
    },
    async moderationReviews(_parent, args, context) {
      requireScope(context, MODERATE);
      if (args.productId != null && !isBigintId(args.productId)) throw badInput('productId is not a valid id', 'productId');
      const page = pageRequest(REVIEW_CURSOR, args, context.config.maxPageSize);
      return toConnection(REVIEW_CURSOR, await findReviewsForModeration(context.db, args, page), page);
    },
  },
  Mutation: {
    submitReview: (_parent, { input }, context) => submitReview(context, input),
    updateReview: (_parent, { id, input }, context) => updateReview(context, id, input),
    hideReview: (_parent, { id, reason }, context) => moderateReview(context, id, reason),
    unhideReview: (_parent, { id }, context) => moderateReview(context, id, null),
  },
  Review: {
    id: (review) => String(review.id),
    author: (review) => ref(review.user_id),
    product: (review) => ref(review.product_id),
    sku: (review) => ref(review.sku_id),
    createdAt: (review) => review.created_at.toISOString(),
    updatedAt: (review) => review.updated_at?.toISOString() ?? null,
    hidden: (review) => review.hidden_at !== null,
    hiddenReason: (review, _args, context) => (context.identity.scopes.includes(MODERATE) ? review.hidden_reason : null),
  },
  ReviewableLine: {
    orderItemId: (line) => String(line.order_item_id),
    order: (line) => ref(line.order_id),
    product: (line) => ref(line.product_id),
    sku: (line) => ref(line.sku_id),
    completedAt: (line) => line.completed_at.toISOString(),
    review: (line, _args, context) => context.loaders.reviewByOrderItem.load(String(line.order_item_id)),
  },
  ProductRating: {
    average: (rating) => (rating.review_count ? Math.round((rating.star_sum / rating.review_count) * 10) / 10 : null),
    count: (rating) => rating.review_count,
    countsByStar: (rating) =>
      ([5, 4, 3, 2, 1] as const).map((stars) => ({ stars, count: rating[`stars_${stars}`] })),
  },
  Product: {
    __resolveReference: (reference: EntityRef) => ref(reference.id),
    rating: async (product, _args, context) => (await context.loaders.ratingByProduct.load(product.id)) ?? noRating(product.id),
    async reviews(product, args, context) {
      const stars = starsFilter(args.stars);
      const page = pageRequest(REVIEW_CURSOR, args, context.config.maxPageSize);
      const rows = await context.loaders.visiblePage.load({ productId: product.id, page: { limit: page.limit, afterId: page.afterId }, stars });
      return toConnection(REVIEW_CURSOR, rows, page);
    },
  },
  User: {
    __resolveReference: (reference: EntityRef) => ref(reference.id),
    // A shopper's list of reviews (hidden ones included) is theirs alone; the public sees reviews per product.
    async reviews(user, args, context) {
      if (context.identity.userId !== user.id) return null;
      const page = pageRequest(REVIEW_CURSOR, args, context.config.maxPageSize);
      return toConnection(REVIEW_CURSOR, await findReviewsOfUser(context.db, user.id, page), page);
    },
  },
  Order: {
    __resolveReference: (reference: EntityRef) => ref(reference.id),
    // The buyer's only: anyone else (staff included) gets an empty list, as before the order was completed.
    async reviewLines(order, _args, context) {
      const viewer = context.identity.userId;
      if (!viewer) return [];
      return (await context.loaders.linesByOrder.load(order.id)).filter((line) => String(line.user_id) === viewer);
    },
  },
};
