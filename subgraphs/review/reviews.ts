/**
 * The review rules. A shopper reviews a line they bought and received (a purchased line, recorded from order's
 * OrderCompleted), once; staff with review:moderate hide and show reviews. Each write keeps the product's rating
 * (product_ratings) in its own transaction, so the rating always counts exactly the visible reviews.
 */
import { requireScope, requireUser } from '../../platform/context';
import { conflict, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { ReviewContext } from './context';
import { findPurchasedLine } from './data/purchased-lines';
import { adjustRating } from './data/ratings';
import { findReviewsByIds, insertReview, setHidden, type ReviewRow } from './data/reviews';
import * as validate from './validation';

export const MODERATE = 'review:moderate' as const;

export interface SubmitReviewInput {
  orderItemId: string;
  stars: number;
  content?: string | null;
  images?: readonly string[] | null;
}

export async function submitReview(context: ReviewContext, input: SubmitReviewInput): Promise<ReviewRow> {
  const userId = requireUser(context);
  const review = { stars: validate.stars(input.stars), content: validate.content(input.content), images: validate.images(input.images) };
  // Someone else's line answers exactly as an unknown one: line ids cannot be probed for other shoppers' purchases.
  const line = isBigintId(input.orderItemId) ? await findPurchasedLine(context.db, input.orderItemId) : undefined;
  if (!line || String(line.user_id) !== userId) throw notFound('No such purchased line to review (only a received purchase can be reviewed)');
  return context.db.transaction(async (trx) => {
    const row = await insertReview(trx, line, review);
    if (!row) throw conflict('This purchase has already been reviewed');
    await adjustRating(trx, row.product_id, row.stars, 1);
    return row;
  });
}

/** Staff: hide (reason given) or show again (reason null). A review already in that state is returned unchanged. */
export async function moderateReview(context: ReviewContext, id: string, reason: string | null): Promise<ReviewRow> {
  const staffId = requireScope(context, MODERATE);
  const hidden = reason === null ? null : { by: `staff:${staffId}`, reason: validate.reason(reason) };
  if (!isBigintId(id)) throw notFound('No such review');
  return context.db.transaction(async (trx) => {
    const changed = await setHidden(trx, id, hidden);
    if (changed) {
      await adjustRating(trx, changed.product_id, changed.stars, hidden ? -1 : 1);
      return changed;
    }
    const [current] = await findReviewsByIds(trx, [id]);
    if (!current) throw notFound('No such review');
    return current;
  });
}
